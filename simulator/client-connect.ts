import type { Db } from '../db/connection';
import { provisionLogins } from './logins';

/**
 * The simulator's Client Connect: who the users of each participant are, their role, their ECP functions and
 * their SFTP set-up. The platform is the source of truth for these (FAQ B.4–B.7): the cutover reads them
 * through the gateway; on the embedded stack a directory import loads them here, so that both start equal.
 */
export interface CcUser {
  email: string;
  role: 'admin' | 'operator';
  functions: string[];
  sftpKeyRegistered: boolean;
  ipRegistered: boolean;
}

/** A participant's users as the admin API carries them (the same shape the cutover's gateway reads). */
export interface CcParticipant {
  code: string;
  users: CcUser[];
}

/**
 * Replaces the users of the participants given (others are left alone); functions are per user. Each user gets
 * a login on both platforms (kept when they are loaded again, with the same credentials).
 */
export async function loadParticipants(
  db: Db,
  participants: CcParticipant[],
): Promise<{ participants: number; users: number }> {
  let users = 0;
  await db.transaction(async (trx) => {
    const codes = participants.map((p) => p.code);
    const emails = [...new Set(participants.flatMap((p) => p.users.map((u) => u.email)))];
    await trx('sim_ecp2.cc_users').whereIn('participant_code', codes).del();
    await trx('sim_ecp2.user_functions').whereIn('user_email', emails).del();
    const rows = participants.flatMap((p) =>
      p.users.map((u) => ({
        participant_code: p.code,
        email: u.email,
        role: u.role,
        sftp_key_registered: u.sftpKeyRegistered,
        ip_registered: u.ipRegistered,
      })),
    );
    for (let i = 0; i < rows.length; i += 1000)
      await trx('sim_ecp2.cc_users').insert(rows.slice(i, i + 1000));
    const fns = [
      ...new Map<string, { user_email: string; function: string }>(
        participants.flatMap((p) =>
          p.users.flatMap((u) =>
            u.functions.map(
              (f) =>
                [`${u.email}/${f}`, { user_email: u.email, function: f }] as [
                  string,
                  { user_email: string; function: string },
                ],
            ),
          ),
        ),
      ).values(),
    ];
    for (let i = 0; i < fns.length; i += 1000)
      await trx('sim_ecp2.user_functions')
        .insert(fns.slice(i, i + 1000))
        .onConflict(['user_email', 'function'])
        .ignore();
    await provisionLogins(trx, emails);
    users = rows.length;
  });
  return { participants: participants.length, users };
}

/** The users of participants after `after` (in code order), at most `limit` participants. */
export async function listParticipants(
  db: Db,
  after: string,
  limit: number,
  only?: string,
): Promise<CcParticipant[]> {
  const codes: string[] = await db('sim_ecp2.cc_users')
    .where('participant_code', '>', after)
    .modify((q) => void (only && q.where('participant_code', only)))
    .distinct('participant_code')
    .orderBy('participant_code')
    .limit(limit)
    .pluck('participant_code');
  if (codes.length === 0) return [];
  const rows = await db('sim_ecp2.cc_users as u')
    .leftJoin('sim_ecp2.user_functions as f', 'f.user_email', 'u.email')
    .whereIn('u.participant_code', codes)
    .orderBy(['u.participant_code', 'u.email', 'f.function'])
    .select(
      'u.participant_code',
      'u.email',
      'u.role',
      'f.function',
      // As loaded, or as the user registered them since (simulator sftp-key).
      db.raw(
        '(u.sftp_key_registered or exists (select 1 from sim_ecp2.sftp_keys k where k.email = u.email)) as sftp_key_registered',
      ),
      db.raw(
        '(u.ip_registered or exists (select 1 from sim_ecp2.sftp_ips i where i.email = u.email)) as ip_registered',
      ),
    );
  const out = new Map<string, Map<string, CcUser>>();
  for (const r of rows) {
    const users = out.get(r.participant_code) ?? new Map<string, CcUser>();
    out.set(r.participant_code, users);
    const u: CcUser = users.get(r.email) ?? {
      email: r.email,
      role: r.role,
      functions: [],
      sftpKeyRegistered: r.sftp_key_registered,
      ipRegistered: r.ip_registered,
    };
    if (r.function) u.functions.push(r.function);
    users.set(r.email, u);
  }
  return codes.map((code) => ({ code, users: [...(out.get(code)?.values() ?? [])] }));
}

/** One participant's users (none if Client Connect has none for it). */
export async function participantUsers(db: Db, code: string): Promise<CcParticipant> {
  const [p] = await listParticipants(db, '', 1, code);
  return p ?? { code, users: [] };
}

/** Replaces one user's Client Connect functions. */
export async function setFunctions(
  db: Db,
  email: string,
  functions: string[],
): Promise<{ user: string; functions: string[] }> {
  await db.transaction(async (trx) => {
    await trx('sim_ecp2.user_functions').where({ user_email: email }).del();
    if (functions.length)
      await trx('sim_ecp2.user_functions').insert(
        [...new Set(functions)].map((f) => ({ user_email: email, function: f })),
      );
  });
  return { user: email, functions };
}
