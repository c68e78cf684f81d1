import type { Knex } from 'knex';
import type { PlatformName } from '../domain/intake-rules';
import type { SessionUser } from './logins';
import { schemaOf, sha256 } from './platform-store';

/** The files of a download folder (downloads table), as HKEX places them and participants fetch them. */
export interface DownloadFile {
  filename: string;
  participant: string | null;
  size: number;
  sha256: string;
  placedAt: string;
}

const table = (p: PlatformName) => `${schemaOf(p)}.downloads`;
// Everyone's files, and those addressed to one of the user's firms.
const forUser = (q: Knex.QueryBuilder, who: SessionUser) =>
  q.where((w) => void w.whereNull('participant').orWhereIn('participant', who.memberOf));

export async function placeFile(
  db: Knex,
  p: PlatformName,
  f: { folder: string; filename: string; participant: string | null; content: Buffer },
): Promise<{ sha256: string; size: number; replaced: boolean }> {
  const digest = sha256(f.content);
  const replaced = await db.transaction(async (trx) => {
    const gone = await trx(table(p))
      .where({ folder_code: f.folder, filename: f.filename })
      .andWhereRaw("coalesce(participant, '') = ?", [f.participant ?? ''])
      .del();
    await trx(table(p)).insert({
      folder_code: f.folder,
      participant: f.participant,
      filename: f.filename,
      sha256: digest,
      size: f.content.length,
      content: f.content,
    });
    return gone > 0;
  });
  return { sha256: digest, size: f.content.length, replaced };
}

export async function listFiles(
  db: Knex,
  p: PlatformName,
  folder: string,
  who: SessionUser,
): Promise<DownloadFile[]> {
  const rows: {
    filename: string;
    participant: string | null;
    size: number;
    sha256: string;
    placed_at: Date;
  }[] = await forUser(db(table(p)).where({ folder_code: folder }), who)
    .orderBy(['filename', 'participant'])
    .select('filename', 'participant', 'size', 'sha256', 'placed_at');
  return rows.map((r) => ({
    filename: r.filename,
    participant: r.participant,
    size: r.size,
    sha256: r.sha256,
    placedAt: new Date(r.placed_at).toISOString(),
  }));
}

/** One file for this user (the one addressed to their firm before everyone's, when both exist), or undefined. */
export async function readFile(
  db: Knex,
  p: PlatformName,
  folder: string,
  filename: string,
  who: SessionUser,
): Promise<{ content: Buffer; sha256: string } | undefined> {
  return forUser(db(table(p)).where({ folder_code: folder, filename }), who)
    .orderByRaw('participant is null')
    .first('content', 'sha256');
}
