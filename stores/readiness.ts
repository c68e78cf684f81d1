import type { Db } from '../db/connection';
import { adminShortfall, isAffected, readiness, type AudienceUser } from '../domain/audience';
import type { PlatformGateway } from '../platform/gateway';

export interface FolderReadiness {
  code: string;
  name: string;
  affected: string[];
  ready: number;
  notReady: { participant: string; missing: string }[];
}

/** Each participant's users, with where they were read and when. */
export interface UserSource {
  users: Map<string, AudienceUser[]>;
  /** client_connect: the platform (the source of truth); directory: the imported files, when the platform could not be read. */
  source: 'client_connect' | 'directory';
  at: string;
  /** Why the platform was not used, if it was not. */
  fallback: string | null;
  /** Participants whose users or functions differ between the platform and the imported directory. */
  disagreements: string[];
}

/** The users of every participant as the imported directory has them. */
export async function directoryUsers(db: Db): Promise<Map<string, AudienceUser[]>> {
  const out = new Map<string, AudienceUser[]>();
  for (const u of await db('users').orderBy(['participant_code', 'email']).select('participant_code', 'email', 'role', 'functions', 'sftp_key_registered', 'ip_registered')) {
    out.set(u.participant_code, [...(out.get(u.participant_code) ?? []), { email: u.email, role: u.role, functions: u.functions, sftpKeyRegistered: u.sftp_key_registered, ipRegistered: u.ip_registered }]);
  }
  return out;
}

const signature = (users: AudienceUser[] = []) =>
  users.map((u) => `${u.email}:${u.role ?? ''}:${[...u.functions].sort().join('+')}:${u.sftpKeyRegistered}:${u.ipRegistered}`).sort().join('|');

/**
 * The users readiness is decided on: Client Connect's, read through the gateway (the platform is the source of
 * truth, FAQ B.4–B.7); the imported directory when the platform cannot be read, or answers with nobody at all.
 * Where the two disagree is reported.
 */
export async function readinessUsers(db: Db, gateway: PlatformGateway): Promise<UserSource> {
  const directory = await directoryUsers(db);
  const at = new Date().toISOString();
  let platform: Map<string, AudienceUser[]>;
  try {
    platform = new Map();
    for await (const p of gateway.clientConnect()) platform.set(p.code, p.users.map((u) => ({ ...u })));
  } catch (err) {
    return { users: directory, source: 'directory', at, fallback: `Client Connect could not be read (${(err as Error).message.slice(0, 200)}): the imported directory is used`, disagreements: [] };
  }
  if (platform.size === 0 && directory.size > 0) {
    // A platform that answers but knows nobody is not set up yet: deciding on it would call every firm unready.
    return { users: directory, source: 'directory', at, fallback: 'Client Connect answered with no users at all (not loaded yet?): the imported directory is used', disagreements: [] };
  }
  const codes = [...new Set([...directory.keys(), ...platform.keys()])].sort();
  const disagreements = codes.filter((c) => signature(directory.get(c)) !== signature(platform.get(c)));
  return { users: platform, source: 'client_connect', at, fallback: null, disagreements };
}

/** Per folder of a batch: the affected firms, how many are ready, and what each of the others lacks. */
export async function batchReadiness(db: Db, batchId: string, usersOf: Map<string, AudienceUser[]>): Promise<FolderReadiness[]> {
  const folders = await db('batch_folders as bf').join('folders as f', 'f.code', 'bf.folder_code').where('bf.batch_id', batchId).orderBy('f.code')
    .select('f.code', 'f.name_en', 'f.user_types', 'f.cc_function', 'f.direction');
  const participants = await db('participants').orderBy('code').select('code', 'user_types');
  const sftp = new Set((await db('participant_sftp_folders').select('participant_code', 'folder_code')).map((r) => `${r.participant_code}/${r.folder_code}`));
  return folders.map((f) => {
    const folder = { code: f.code, userTypes: f.user_types, ccFunction: f.cc_function };
    const affected = participants.filter((p) => isAffected(p.user_types, folder)).map((p) => p.code);
    const notReady: FolderReadiness['notReady'] = [];
    for (const code of affected) {
      const r = readiness(folder, usersOf.get(code) ?? [], sftp.has(`${code}/${f.code}`));
      if (!r.ready) notReady.push({ participant: code, missing: r.missing });
    }
    return { code: f.code, name: f.name_en, affected, ready: affected.length - notReady.length, notReady };
  });
}

/** The affected firms whose administrators fall short of maker and checker (FAQ B.4). */
export function adminWarnings(folders: FolderReadiness[], usersOf: Map<string, AudienceUser[]>): { participant: string; warning: string }[] {
  const affected = [...new Set(folders.flatMap((f) => f.affected))].sort();
  return affected.flatMap((participant) => {
    const warning = adminShortfall(usersOf.get(participant) ?? []);
    return warning ? [{ participant, warning }] : [];
  });
}

/** Distinct firms affected by the batch, and those not ready for at least one of its folders. */
export function readinessTotals(folders: FolderReadiness[]) {
  const affected = new Set(folders.flatMap((f) => f.affected));
  const notReady = new Set(folders.flatMap((f) => f.notReady.map((n) => n.participant)));
  return { affected: affected.size, notReady: notReady.size, percentNotReady: affected.size ? (100 * notReady.size) / affected.size : 0 };
}
