import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import ssh2, { type Attributes, type SFTPWrapper } from 'ssh2';
import { inputDateFromFilename, SFTP_FUNCTION } from '../../domain/intake-rules';
import { userAccess } from '../access';
import { MAX_FILE_BYTES } from '../http/app';
import { HttpError } from '../http/errors';
import { submitFile } from '../intake';
import type { SessionUser } from '../logins';
import { normalize } from './paths';
import { downloadContent, list, resolve, type Entry, type Node } from './tree';

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;
const FILENAME = /^[\w.-]{1,200}$/;
const MAX_HANDLES = 16;
const MAX_UPLOADS = 2; // files being written at once, each held in memory until it is closed

type Handle =
  | { kind: 'dir'; entries: Entry[]; sent: boolean }
  | { kind: 'read'; content: Buffer }
  | {
      kind: 'write';
      node: Extract<Node, { kind: 'absent' | 'submitted' }>;
      chunks: { offset: number; data: Buffer }[];
      size: number;
    };

/**
 * One SFTP session of a user on ECP 2.0: the tree of tree.ts, read-only but for uploads. An upload is submitted
 * when its handle is closed, through the same rules as the web (submitFile), with the Input Date read from the
 * filename (domain/input-date.ts); a refusal fails the close with the platform's code and message. The user's
 * functions and firms are read again for every request: a function taken away takes effect at once.
 */
export function serveSftp(db: Knex, email: string, sftp: SFTPWrapper): void {
  const handles = new Map<number, Handle>();
  let next = 1;
  // The client is done (OpenSSH sends EOF after its last command): the channel closes, and OpenSSH exits.
  sftp.on('end', () => sftp.end());
  const who = async (): Promise<SessionUser | null> => {
    const access = await userAccess(db, email);
    return access.functions.includes(SFTP_FUNCTION) && access.memberOf.length ? { email, ...access } : null;
  };
  const handleOf = (buf: Buffer) => (buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined);
  const open = (reqId: number, h: Handle) => {
    if (handles.size >= MAX_HANDLES)
      return sftp.status(reqId, STATUS_CODE.FAILURE, `at most ${MAX_HANDLES} open handles`);
    const id = next++;
    handles.set(id, h);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    sftp.handle(reqId, buf);
  };
  // Every request answers, whatever happens: a failure of ours is a FAILURE status, never a dropped request.
  const on = <A extends unknown[]>(event: string, fn: (reqId: number, ...args: A) => Promise<void> | void) =>
    sftp.on(event, (reqId: number, ...args: A) => {
      Promise.resolve(fn(reqId, ...args)).catch(() =>
        sftp.status(reqId, STATUS_CODE.FAILURE, 'the platform failed; nothing was stored: try again later'),
      );
    });
  const nodeAt = async (
    reqId: number,
    raw: string,
  ): Promise<{ user: SessionUser; node: Node; path: string } | null> => {
    const user = await who();
    const path = normalize(raw);
    if (!user)
      return (
        sftp.status(
          reqId,
          STATUS_CODE.PERMISSION_DENIED,
          `${email} no longer holds ${SFTP_FUNCTION} (FAQ B.6)`,
        ),
        null
      );
    if (path === null) return (sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'no such file'), null);
    return { user, node: await resolve(db, user, path), path };
  };

  on('REALPATH', (reqId, raw: string) => {
    const path = normalize(raw) ?? '/';
    sftp.name(reqId, [{ filename: path, longname: path, attrs: dirAttrs(new Date()) }]);
  });
  const stat = async (reqId: number, raw: string) => {
    const at = await nodeAt(reqId, raw);
    if (!at) return;
    const attrs = attrsOf(at.node);
    if (attrs) sftp.attrs(reqId, attrs);
    else sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'no such file');
  };
  on('STAT', stat);
  on('LSTAT', stat);
  on('OPENDIR', async (reqId, raw: string) => {
    const at = await nodeAt(reqId, raw);
    if (!at) return;
    const entries = await list(db, at.user, at.node);
    if (!entries) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'no such directory');
    open(reqId, { kind: 'dir', entries, sent: false });
  });
  on('READDIR', (reqId, buf: Buffer) => {
    const h = handleOf(buf);
    if (h?.kind !== 'dir') return sftp.status(reqId, STATUS_CODE.FAILURE, 'not a directory handle');
    if (h.sent) return sftp.status(reqId, STATUS_CODE.EOF);
    h.sent = true;
    sftp.name(
      reqId,
      h.entries.map((e) => ({
        filename: e.name,
        longname: longname(e),
        attrs: e.dir ? dirAttrs(e.at) : fileAttrs(e.size, e.at, 0o644),
      })),
    );
  });
  on('OPEN', async (reqId, raw: string, flags: number) => {
    const at = await nodeAt(reqId, raw);
    if (!at) return;
    const { node } = at;
    if (flags & OPEN_MODE.WRITE) {
      if (node.kind !== 'absent' && node.kind !== 'submitted')
        return sftp.status(
          reqId,
          STATUS_CODE.PERMISSION_DENIED,
          "files are put in a submission folder (or its firm's directory) only",
        );
      if (node.participant === null)
        return sftp.status(
          reqId,
          STATUS_CODE.PERMISSION_DENIED,
          `you serve several firms (${at.user.memberOf.join(', ')}): put the file in /${node.folder.code}/<participant>/ (FAQ B.14)`,
        );
      if (!FILENAME.test(node.filename))
        return sftp.status(
          reqId,
          STATUS_CODE.FAILURE,
          'a filename is 1-200 letters, digits, ".", "_" or "-"',
        );
      if ([...handles.values()].filter((h) => h.kind === 'write').length >= MAX_UPLOADS)
        return sftp.status(reqId, STATUS_CODE.FAILURE, `at most ${MAX_UPLOADS} uploads at once`);
      return open(reqId, { kind: 'write', node, chunks: [], size: 0 });
    }
    if (node.kind === 'submitted')
      return sftp.status(
        reqId,
        STATUS_CODE.PERMISSION_DENIED,
        'submitted files are never downloaded (FAQ C.26): compare your SHA-256 with the one Activity Enquiry shows',
      );
    if (node.kind !== 'download') return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'no such file');
    const content = await downloadContent(db, at.user, node);
    if (!content) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'no such file');
    open(reqId, { kind: 'read', content });
  });
  on('READ', (reqId, buf: Buffer, offset: number, length: number) => {
    const h = handleOf(buf);
    if (h?.kind !== 'read') return sftp.status(reqId, STATUS_CODE.FAILURE, 'not a file opened for reading');
    if (offset >= h.content.length) return sftp.status(reqId, STATUS_CODE.EOF);
    sftp.data(
      reqId,
      h.content.subarray(offset, Math.min(h.content.length, offset + Math.min(length, 256 * 1024))),
    );
  });
  on('WRITE', (reqId, buf: Buffer, offset: number, data: Buffer) => {
    const h = handleOf(buf);
    if (h?.kind !== 'write') return sftp.status(reqId, STATUS_CODE.FAILURE, 'not a file opened for writing');
    if (offset + data.length > MAX_FILE_BYTES)
      return sftp.status(reqId, STATUS_CODE.FAILURE, `a file is at most ${MAX_FILE_BYTES} bytes`);
    h.chunks.push({ offset, data: Buffer.from(data) });
    h.size = Math.max(h.size, offset + data.length);
    sftp.status(reqId, STATUS_CODE.OK);
  });
  on('FSTAT', (reqId, buf: Buffer) => {
    const h = handleOf(buf);
    if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE, 'no such handle');
    sftp.attrs(
      reqId,
      h.kind === 'dir'
        ? dirAttrs(new Date())
        : fileAttrs(h.kind === 'read' ? h.content.length : h.size, new Date(), 0o644),
    );
  });
  on('CLOSE', async (reqId, buf: Buffer) => {
    const h = handleOf(buf);
    if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE, 'no such handle');
    handles.delete(buf.readUInt32BE(0));
    if (h.kind !== 'write') return sftp.status(reqId, STATUS_CODE.OK);
    const refusal = await submitUpload(db, email, h, await who());
    if (refusal)
      sftp.status(
        reqId,
        refusal.status === 403 ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE,
        `${refusal.code}: ${refusal.message}`,
      );
    else sftp.status(reqId, STATUS_CODE.OK);
  });
  // Attributes are the platform's: setting them is accepted and changes nothing (OpenSSH's `put -p` asks).
  on('SETSTAT', (reqId) => sftp.status(reqId, STATUS_CODE.OK));
  on('FSETSTAT', (reqId) => sftp.status(reqId, STATUS_CODE.OK));
  for (const event of ['REMOVE', 'RMDIR', 'MKDIR', 'RENAME', 'READLINK', 'SYMLINK']) {
    on(event, (reqId) =>
      sftp.status(
        reqId,
        STATUS_CODE.PERMISSION_DENIED,
        'the platform keeps its tree: files are put and fetched, nothing else',
      ),
    );
  }
  on('EXTENDED', (reqId) => sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED, 'no extensions'));
}

/** The upload as one submission; the refusal ({status, code, message}) if the platform's rules refuse it. */
async function submitUpload(
  db: Knex,
  email: string,
  h: Extract<Handle, { kind: 'write' }>,
  user: SessionUser | null,
) {
  if (!user)
    return {
      status: 403,
      code: '2000',
      message: `${email} no longer holds ${SFTP_FUNCTION} (FAQ B.6); nothing was stored`,
    };
  const { folder, participant, filename } = h.node;
  const today = DateTime.now().setZone('Asia/Hong_Kong').toISODate()!;
  const read = inputDateFromFilename(
    { pattern: folder.filenamePattern, meaning: folder.inputDateMeaning },
    filename,
    today,
  );
  if ('refusal' in read) {
    await db('sim_ecp2.intake_log').insert({
      folder_code: folder.code,
      participant,
      filename,
      accepted: false,
      code: read.refusal.code,
    });
    return read.refusal;
  }
  const content = Buffer.alloc(h.size);
  for (const c of h.chunks) c.data.copy(content, c.offset);
  try {
    await submitFile(
      db,
      'ecp2',
      user,
      { folder: folder.code, participant: participant!, filename, inputDate: read.inputDate, content },
      'sftp',
    );
    return null;
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
    throw err;
  }
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const dirAttrs = (at: Date): Attributes => ({
  mode: S_IFDIR | 0o755,
  uid: 0,
  gid: 0,
  size: 0,
  atime: seconds(at),
  mtime: seconds(at),
});
const fileAttrs = (size: number, at: Date, perm: number): Attributes => ({
  mode: S_IFREG | perm,
  uid: 0,
  gid: 0,
  size,
  atime: seconds(at),
  mtime: seconds(at),
});

function attrsOf(node: Node): Attributes | null {
  if (node.kind === 'root' || node.kind === 'folder' || node.kind === 'firm') return dirAttrs(new Date());
  // A submitted file is shown, and never readable (FAQ C.26): write-only.
  if (node.kind === 'submitted') return fileAttrs(node.size, node.at, 0o200);
  if (node.kind === 'download') return fileAttrs(node.size, node.at, 0o444);
  return null;
}

function longname(e: Entry): string {
  const when = DateTime.fromJSDate(e.at).setZone('Asia/Hong_Kong').toFormat('LLL dd HH:mm');
  return `${e.dir ? 'drwxr-xr-x' : '-rw-r--r--'} 1 ecp ecp ${String(e.size).padStart(9)} ${when} ${e.name}`;
}
