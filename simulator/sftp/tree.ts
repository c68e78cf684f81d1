import type { Knex } from 'knex';
import { listFiles, readFile } from '../downloads';
import type { SessionUser } from '../logins';
import { schemaOf, type SimFolder } from '../platform-store';
import { visibleFolders } from '../visibility';
import { partsOf } from './paths';

/**
 * What an SFTP user sees of ECP 2.0, as a tree (the project's layout; the FAQ points to the user guide's section
 * on folder structure, C.22):
 *
 *   /                          one directory per folder the user sees (its function held, shown on ECP 2.0)
 *   /FOLDER/                   a download folder's files; for a submission folder, one directory per firm the user serves
 *   /FOLDER/PARTICIPANT/       that firm's files submitted here (listed, never read: FAQ C.26); put a file here to submit it
 *   /FOLDER/NAME               a download file; or, for a user of one firm only, a submission for that firm
 */
export type Node =
  | { kind: 'root' }
  | { kind: 'folder'; folder: SimFolder }
  | { kind: 'firm'; folder: SimFolder; participant: string }
  | { kind: 'download'; folder: SimFolder; filename: string; size: number; at: Date }
  | { kind: 'submitted'; folder: SimFolder; participant: string; filename: string; size: number; at: Date }
  | { kind: 'absent'; folder: SimFolder; participant: string | null; filename: string }
  | { kind: 'none' };

const takesSubmissions = (f: SimFolder) => f.direction !== 'download';
const hasDownloads = (f: SimFolder) => f.direction === 'download' || f.direction === 'both';

export async function resolve(db: Knex, who: SessionUser, path: string): Promise<Node> {
  const parts = partsOf(path);
  if (parts.length === 0) return { kind: 'root' };
  const folder = (await visibleFolders(db, 'ecp2', who, 'sftp')).find((f) => f.code === parts[0]);
  if (!folder || parts.length > 3) return { kind: 'none' };
  if (parts.length === 1) return { kind: 'folder', folder };
  const [, second, third] = parts;
  const isFirm = takesSubmissions(folder) && who.memberOf.includes(second);
  if (parts.length === 3) return isFirm ? submission(db, folder, second, third) : { kind: 'none' };
  if (isFirm) return { kind: 'firm', folder, participant: second };
  if (hasDownloads(folder)) {
    const file = (await listFiles(db, 'ecp2', folder.code, who)).find((f) => f.filename === second);
    if (file)
      return { kind: 'download', folder, filename: second, size: file.size, at: new Date(file.placedAt) };
  }
  // A user of one firm may put a file straight into the folder; a user of several names the firm (FAQ B.14).
  if (takesSubmissions(folder))
    return who.memberOf.length === 1
      ? submission(db, folder, who.memberOf[0], second)
      : { kind: 'absent', folder, participant: null, filename: second };
  return { kind: 'none' };
}

async function submission(db: Knex, folder: SimFolder, participant: string, filename: string): Promise<Node> {
  const row = await db(`${schemaOf('ecp2')}.submissions`)
    .where({ folder_code: folder.code, participant, filename })
    .whereNot({ status: 'handed_over' })
    .first('size', 'received_at');
  return row
    ? { kind: 'submitted', folder, participant, filename, size: row.size, at: row.received_at }
    : { kind: 'absent', folder, participant, filename };
}

/** What a directory holds: names with a size and a time, directories apart. */
export interface Entry {
  name: string;
  dir: boolean;
  size: number;
  at: Date;
}

export async function list(db: Knex, who: SessionUser, node: Node): Promise<Entry[] | null> {
  const now = new Date();
  if (node.kind === 'root')
    return (await visibleFolders(db, 'ecp2', who, 'sftp')).map((f) => ({
      name: f.code,
      dir: true,
      size: 0,
      at: now,
    }));
  if (node.kind === 'folder') {
    const firms = takesSubmissions(node.folder)
      ? who.memberOf.map((p) => ({ name: p, dir: true, size: 0, at: now }))
      : [];
    const files = hasDownloads(node.folder)
      ? (await listFiles(db, 'ecp2', node.folder.code, who)).map((f) => ({
          name: f.filename,
          dir: false,
          size: f.size,
          at: new Date(f.placedAt),
        }))
      : [];
    return [...firms, ...files];
  }
  if (node.kind === 'firm') {
    const rows = await db(`${schemaOf('ecp2')}.submissions`)
      .where({ folder_code: node.folder.code, participant: node.participant })
      .whereNot({ status: 'handed_over' })
      .orderBy('filename')
      .limit(1000)
      .select('filename', 'size', 'received_at');
    return rows.map((r) => ({
      name: r.filename as string,
      dir: false,
      size: r.size as number,
      at: r.received_at as Date,
    }));
  }
  return null;
}

export async function downloadContent(
  db: Knex,
  who: SessionUser,
  node: Extract<Node, { kind: 'download' }>,
): Promise<Buffer | undefined> {
  return (await readFile(db, 'ecp2', node.folder.code, node.filename, who))?.content;
}
