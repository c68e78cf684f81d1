import type { Db } from '../db/connection';
import { adminShortfall, isAffected, readiness, type AudienceUser } from '../domain/audience';
import type { PlatformGateway } from '../platform/gateway';

/** One folder of a batch: how many affected firms are ready, and (up to the list limit) which are not and why. */
export interface FolderReadiness {
  code: string;
  name: string;
  affected: number;
  ready: number;
  notReady: number;
  /** At most `list` of them (BatchReadinessOptions). */
  affectedFirms: string[];
  notReadyFirms: { participant: string; missing: string }[];
}

/** One affected firm that has something to do: the folders it is not ready for, and its administrators if too few (FAQ B.4). */
export interface FirmAction {
  participant: string;
  gaps: { code: string; missing: string }[];
  /** The number of ECP administrators, when fewer than two; null when enough. */
  admins: number | null;
}

export interface BatchReadiness {
  folders: FolderReadiness[];
  /** Distinct firms affected by the batch, and those not ready for at least one of its folders. */
  affected: number;
  notReady: number;
  percentNotReady: number;
  /** Affected firms with fewer than two administrators (FAQ B.4): how many, and up to `list` of them. */
  shortOfAdmins: number;
  adminWarnings: { participant: string; warning: string }[];
}

export interface BatchReadinessOptions {
  /** How many firms to list per folder (and firms short of administrators); the counts are always complete. */
  list?: number;
  /** Called with each chunk of affected firms that have something to do (the readiness notices). */
  onFirms?: (firms: FirmAction[]) => Promise<void>;
}

/** Participants read per round: what the computation holds grows with this, not with the directory. */
const FIRM_CHUNK = 500;

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
 * With `compare` (the support views), where the two disagree is reported; without it (the workflows' activities)
 * the directory is not held in memory beside the platform's users.
 */
export async function readinessUsers(db: Db, gateway: PlatformGateway, opts: { compare?: boolean } = {}): Promise<UserSource> {
  const at = new Date().toISOString();
  const fallback = async (why: string): Promise<UserSource> => ({ users: await directoryUsers(db), source: 'directory', at, fallback: why, disagreements: [] });
  let platform: Map<string, AudienceUser[]>;
  try {
    platform = new Map();
    for await (const p of gateway.clientConnect()) platform.set(p.code, p.users.map((u) => ({ ...u })));
  } catch (err) {
    return fallback(`Client Connect could not be read (${(err as Error).message.slice(0, 200)}): the imported directory is used`);
  }
  if (platform.size === 0 && (await db('users').first('email'))) {
    // A platform that answers but knows nobody is not set up yet: deciding on it would call every firm unready.
    return fallback('Client Connect answered with no users at all (not loaded yet?): the imported directory is used');
  }
  if (!opts.compare) return { users: platform, source: 'client_connect', at, fallback: null, disagreements: [] };
  const directory = await directoryUsers(db);
  const codes = [...new Set([...directory.keys(), ...platform.keys()])].sort();
  const disagreements = codes.filter((c) => signature(directory.get(c)) !== signature(platform.get(c)));
  return { users: platform, source: 'client_connect', at, fallback: null, disagreements };
}

/**
 * Readiness of a batch: per folder, the affected firms, how many are ready and what the others lack; per firm,
 * what it has to do. Firms are read a chunk at a time and only counts (and at most `list` examples) are kept,
 * so memory stays flat however many firms × folders (1,000 × 20,000 in the benchmark).
 */
export async function batchReadiness(db: Db, scope: { batch: string } | { folders: string[] }, usersOf: Map<string, AudienceUser[]>, opts: BatchReadinessOptions = {}): Promise<BatchReadiness> {
  const list = opts.list ?? 0;
  // A planned batch's folders, or (a plan's preview) the folders named.
  const rows = 'batch' in scope
    ? await db('batch_folders as bf').join('folders as f', 'f.code', 'bf.folder_code').where('bf.batch_id', scope.batch).orderBy('f.code').select('f.code', 'f.name_en', 'f.user_types', 'f.cc_function')
    : await db('folders as f').whereIn('f.code', scope.folders).orderBy('f.code').select('f.code', 'f.name_en', 'f.user_types', 'f.cc_function');
  const folders = rows.map((f) => ({ audience: { code: f.code as string, userTypes: f.user_types as string[], ccFunction: f.cc_function as string | null }, out: { code: f.code as string, name: f.name_en as string, affected: 0, ready: 0, notReady: 0, affectedFirms: [] as string[], notReadyFirms: [] as FolderReadiness['notReadyFirms'] } }));
  const totals = { affected: 0, notReady: 0, shortOfAdmins: 0, adminWarnings: [] as BatchReadiness['adminWarnings'] };
  let after = '';
  for (;;) {
    const participants = await db('participants').where('code', '>', after).orderBy('code').limit(FIRM_CHUNK).select('code', 'user_types');
    if (participants.length === 0) break;
    after = participants[participants.length - 1].code;
    const sftp = new Set((await db('participant_sftp_folders').whereIn('participant_code', participants.map((p) => p.code)).select('participant_code', 'folder_code')).map((r) => `${r.participant_code}/${r.folder_code}`));
    const actions: FirmAction[] = [];
    for (const p of participants) {
      const users = usersOf.get(p.code) ?? [];
      const gaps: FirmAction['gaps'] = [];
      let affected = false;
      for (const { audience, out } of folders) {
        if (!isAffected(p.user_types, audience)) continue;
        affected = true;
        out.affected++;
        if (out.affectedFirms.length < list) out.affectedFirms.push(p.code);
        const r = readiness(audience, users, sftp.has(`${p.code}/${audience.code}`));
        if (r.ready) {
          out.ready++;
          continue;
        }
        out.notReady++;
        if (out.notReadyFirms.length < list) out.notReadyFirms.push({ participant: p.code, missing: r.missing });
        gaps.push({ code: audience.code, missing: r.missing });
      }
      if (!affected) continue;
      totals.affected++;
      if (gaps.length) totals.notReady++;
      const warning = adminShortfall(users);
      if (warning) {
        totals.shortOfAdmins++;
        if (totals.adminWarnings.length < list) totals.adminWarnings.push({ participant: p.code, warning });
      }
      if (gaps.length || warning) actions.push({ participant: p.code, gaps, admins: warning ? users.filter((u) => u.role === 'admin').length : null });
    }
    if (actions.length) await opts.onFirms?.(actions);
  }
  return {
    folders: folders.map((f) => f.out),
    ...totals,
    percentNotReady: totals.affected ? (100 * totals.notReady) / totals.affected : 0,
  };
}
