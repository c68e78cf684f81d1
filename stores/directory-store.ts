import type { Db } from '../db/connection';
import { asClientConnect, parseDirectory, type ParticipantRow, type UserRow } from '../domain/directory';
import type { PlatformGateway } from '../platform/gateway';
import { audienceOf } from '../domain/audience';
import { generateDirectory } from '../domain/directory-generator';

/** The imported directory (`participants`, `users`, `participant_sftp_folders`) as an import writes it. */
export interface DirectoryStore {
  /**
   * A validated directory, in one transaction: the firms in the file are created or updated, and their users
   * and SFTP folders replaced by the file's. Firms not in the file are left alone.
   */
  save(participants: ParticipantRow[], users: UserRow[]): Promise<{ participants: number; users: number }>;
}

export const createDirectoryStore = (db: Db): DirectoryStore => ({
  save: (participants, users) => importDirectory(db, participants, users),
});

async function importDirectory(
  db: Db,
  participants: ParticipantRow[],
  users: UserRow[],
): Promise<{ participants: number; users: number }> {
  await db.transaction(async (trx) => {
    for (let i = 0; i < participants.length; i += 500) {
      const chunk = participants.slice(i, i + 500);
      await trx('participants')
        .insert(
          chunk.map((p) => ({
            code: p.code,
            name_en: p.nameEn,
            name_zh: p.nameZh,
            user_types: p.userTypes,
            emails: p.emails,
            language: p.language,
          })),
        )
        .onConflict('code')
        .merge(['name_en', 'name_zh', 'user_types', 'emails', 'language', 'updated_at']);
      const codes = chunk.map((p) => p.code);
      await trx('users').whereIn('participant_code', codes).del();
      await trx('participant_sftp_folders').whereIn('participant_code', codes).del();
      const sftp = chunk.flatMap((p) =>
        p.sftpFolders.map((f) => ({ participant_code: p.code, folder_code: f })),
      );
      if (sftp.length) await trx('participant_sftp_folders').insert(sftp);
    }
    const rows = users.map((u) => ({
      participant_code: u.participantCode,
      email: u.email,
      role: u.role,
      functions: u.functions,
      sftp_key_registered: u.sftpKeyRegistered,
      ip_registered: u.ipRegistered,
    }));
    for (let i = 0; i < rows.length; i += 1000) await trx('users').insert(rows.slice(i, i + 1000));
  });
  return { participants: participants.length, users: users.length };
}

/** What the generator needs from the folders still to move (domain/audience.ts audienceOf). */
export async function catalogAudience(db: Db) {
  const folders = await db('folders')
    .whereIn('placement', ['legacy', 'scheduled'])
    .select('code', 'user_types', 'cc_function', 'sftp');
  return audienceOf(
    folders.map((f) => ({ code: f.code, userTypes: f.user_types, ccFunction: f.cc_function, sftp: f.sftp })),
  );
}

/**
 * A generated directory of `firms` firms (same seed, same firms), imported; with a gateway, also loaded into
 * the platform's Client Connect (the embedded stack's simulator), so that both start equal. Returns the
 * generator's counts.
 */
export async function importGeneratedDirectory(db: Db, firms: number, seed = 1, gateway?: PlatformGateway) {
  const audience = await catalogAudience(db);
  const d = generateDirectory(firms, seed, audience.functionsByUserType, audience.sftpFolderByUserType);
  const parsed = parseDirectory(d.participantsCsv, d.usersCsv, new Set(await db('folders').pluck('code')));
  await importDirectory(db, parsed.participants, parsed.users);
  await gateway?.loadClientConnect(asClientConnect(parsed.participants, parsed.users));
  return d.stats;
}
