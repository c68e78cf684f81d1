import type { Knex } from 'knex';
import {
  checkDirection,
  checkFolderShown,
  checkInputDate,
  checkIntakeOpen,
  checkMembership,
  retiredRefusal,
  webFunctions,
  type PlatformName,
} from '../domain/intake-rules';
import { HttpError, refuse } from './http/errors';
import type { SessionUser } from './logins';
import { readFolder, schemaOf, sha256 } from './platform-store';

/** One file as a participant hands it in, over the web or SFTP. */
export interface Submission {
  folder: string;
  participant: string;
  filename: string;
  inputDate: string;
  content: Buffer;
}

/**
 * Takes a file from a signed-in user or refuses it, the same way on every channel. Retired first (it never sends
 * anyone to the other platform), then a download folder (nothing is submitted to it, wherever it is), then where
 * the folder is open, then whether the user sees the folder and serves the firm, then — on ECP 2.0 — the Input
 * Date (legacy never checked it). A refusal is logged and stores nothing. On the web, EU_ECPSFTP shows no folder
 * (FAQ B.6); over SFTP the folder's own function is what counts.
 */
export async function submitFile(
  db: Knex,
  p: PlatformName,
  who: SessionUser,
  s: Submission,
  channel: 'web' | 'sftp' = 'web',
): Promise<{ sha256: string; overwritten: boolean }> {
  const { folder: code, participant, filename } = s;
  try {
    return await db.transaction(async (trx) => {
      // FOR SHARE: a freeze (which takes the row FOR UPDATE) waits for in-flight submissions, and none
      // starts after it; so every acknowledged file is stored before the freeze returns (I1, I3).
      const folder = await readFolder(trx, p, code, 'share');
      const retired =
        folder?.retired ?? (p === 'ecp2' ? Boolean((await readFolder(trx, 'legacy', code))?.retired) : false);
      if (retired) throw refuse(retiredRefusal(code));
      const download = folder && checkDirection(code, folder.direction);
      if (download) throw refuse(download);
      if (p === 'legacy' && (await trx('sim_legacy.platform').first('read_only'))?.read_only) {
        throw new HttpError(
          409,
          '3001',
          `legacy ECP is decommissioned and read-only; nothing was stored: submit ${code} on ECP 2.0 (FAQ E.30)`,
        );
      }
      const closed = checkIntakeOpen(p, code, folder?.intake);
      if (closed || !folder) throw refuse(closed ?? checkIntakeOpen(p, code, undefined)!);
      const functions = channel === 'web' ? webFunctions(who.functions) : who.functions;
      const denied =
        checkFolderShown(p, folder, who.email, functions) ??
        checkMembership(participant, who.email, who.memberOf);
      if (denied) throw refuse(denied);
      if (p === 'ecp2') {
        const badDate = checkInputDate(
          { pattern: folder.filenamePattern, meaning: folder.inputDateMeaning },
          filename,
          s.inputDate,
        );
        if (badDate) throw refuse(badDate);
      }
      return store(trx, p, who.email, s);
    });
  } catch (err) {
    if (err instanceof HttpError)
      await db(`${schemaOf(p)}.intake_log`).insert({
        folder_code: code,
        participant,
        filename,
        accepted: false,
        code: err.code,
        sha256: null,
      });
    throw err;
  }
}

async function store(trx: Knex.Transaction, p: PlatformName, user: string, s: Submission) {
  const digest = sha256(s.content);
  const [row] = await trx(`${schemaOf(p)}.submissions`)
    .insert({
      folder_code: s.folder,
      participant: s.participant,
      user_email: user,
      filename: s.filename,
      input_date: s.inputDate,
      sha256: digest,
      size: s.content.length,
      content: s.content,
      status: p === 'legacy' ? 'pending' : 'processed',
      processed_at: p === 'legacy' ? null : trx.fn.now(),
    })
    .onConflict(['folder_code', 'participant', 'filename'])
    // FAQ C.25 (ECP 2.0): the same filename again overwrites; legacy does the same here, the simulator's assumption.
    .merge([
      'user_email',
      'input_date',
      'sha256',
      'size',
      'content',
      'status',
      'received_at',
      'processed_at',
      'handed_over_from',
    ])
    .returning(trx.raw('(xmax <> 0) as overwritten'));
  await trx(`${schemaOf(p)}.intake_log`).insert({
    folder_code: s.folder,
    participant: s.participant,
    filename: s.filename,
    accepted: true,
    sha256: digest,
  });
  return { sha256: digest, overwritten: Boolean(row.overwritten) };
}

/** FAQ C.26: a firm's files in a folder with their checksums, never their content. */
export async function activity(db: Knex, p: PlatformName, code: string, participant: string) {
  const rows = await db(`${schemaOf(p)}.submissions`)
    .where({ folder_code: code, participant })
    .whereNot({ status: 'handed_over' })
    .orderBy('received_at', 'desc')
    .limit(1000)
    .select('filename', 'input_date', 'sha256', 'size', 'status', 'received_at', 'handed_over_from');
  return rows.map((r) => ({
    filename: r.filename,
    inputDate: r.input_date instanceof Date ? r.input_date.toISOString().slice(0, 10) : r.input_date,
    sha256: r.sha256,
    size: r.size,
    status: r.status,
    receivedAt: r.received_at,
    handedOverFrom: r.handed_over_from,
  }));
}
