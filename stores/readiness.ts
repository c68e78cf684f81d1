import type { Db } from '../db/connection';
import { isAffected, readiness } from '../domain/audience';

export interface FolderReadiness {
  code: string;
  name: string;
  affected: string[];
  ready: number;
  notReady: { participant: string; missing: string }[];
}

/** Per folder of a batch: the affected firms, how many are ready, and what each of the others lacks. */
export async function batchReadiness(db: Db, batchId: string): Promise<FolderReadiness[]> {
  const folders = await db('batch_folders as bf').join('folders as f', 'f.code', 'bf.folder_code').where('bf.batch_id', batchId).orderBy('f.code')
    .select('f.code', 'f.name_en', 'f.user_types', 'f.cc_function');
  const participants = await db('participants').orderBy('code').select('code', 'user_types');
  const usersOf = new Map<string, { email: string; functions: string[]; sftpKeyRegistered: boolean; ipRegistered: boolean }[]>();
  for (const u of await db('users').select('participant_code', 'email', 'functions', 'sftp_key_registered', 'ip_registered')) {
    const list = usersOf.get(u.participant_code) ?? [];
    list.push({ email: u.email, functions: u.functions, sftpKeyRegistered: u.sftp_key_registered, ipRegistered: u.ip_registered });
    usersOf.set(u.participant_code, list);
  }
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

/** Distinct firms affected by the batch, and those not ready for at least one of its folders. */
export function readinessTotals(folders: FolderReadiness[]) {
  const affected = new Set(folders.flatMap((f) => f.affected));
  const notReady = new Set(folders.flatMap((f) => f.notReady.map((n) => n.participant)));
  return { affected: affected.size, notReady: notReady.size, percentNotReady: affected.size ? (100 * notReady.size) / affected.size : 0 };
}
