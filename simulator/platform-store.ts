import { createHash } from 'node:crypto';
import type { Db } from '../db/connection';
import type { Intake, PlatformName } from '../domain/intake-rules';

/** The simulator's access to its own schemas (sim_legacy, sim_ecp2). */
export const schemaOf = (p: PlatformName) => (p === 'legacy' ? 'sim_legacy' : 'sim_ecp2');

export interface SimFolder {
  code: string;
  name: string;
  ccFunction: string | null;
  filenamePattern: string;
  direction: string;
  inputDateMeaning: string;
  retired: boolean;
  intake: Intake;
  visible: boolean;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function readFolder(
  db: Db,
  p: PlatformName,
  code: string,
  lock?: 'share' | 'update',
): Promise<SimFolder | undefined> {
  const q = db(`${schemaOf(p)}.folders`)
    .where({ code })
    .first();
  if (lock === 'share') q.forShare();
  if (lock === 'update') q.forUpdate();
  const r = await q;
  return r ? toSimFolder(r) : undefined;
}

/** A row of {sim_legacy,sim_ecp2}.folders as the simulator's code sees it. */
export function toSimFolder(r: Record<string, unknown>): SimFolder {
  return {
    code: r.code as string,
    name: r.name as string,
    ccFunction: r.cc_function as string | null,
    filenamePattern: r.filename_pattern as string,
    direction: r.direction as string,
    inputDateMeaning: r.input_date_meaning as string,
    retired: r.retired as boolean,
    intake: r.intake as Intake,
    visible: r.visible as boolean,
  };
}

export async function pendingCount(db: Db, p: PlatformName, code: string): Promise<number> {
  const r = await db(`${schemaOf(p)}.submissions`)
    .where({ folder_code: code, status: 'pending' })
    .count({ n: '*' })
    .first();
  return Number(r?.n ?? 0);
}

/**
 * Moves every pending submission of a folder from one platform to the other in one transaction, checking
 * that the SHA-256 of the bytes that arrive equals the one acknowledged to the participant (FAQ C.26).
 */
export async function handOver(
  db: Db,
  from: PlatformName,
  to: PlatformName,
  code: string,
): Promise<{ handedOver: number; verified: number } | null> {
  return db.transaction(async (trx) => {
    // A folder the other platform does not have (born on one side, or retired): nothing can be handed to it.
    if (
      !(await trx(`${schemaOf(to)}.folders`)
        .where({ code })
        .first('code'))
    )
      return null;
    const pending = await trx(`${schemaOf(from)}.submissions`)
      .where({ folder_code: code, status: 'pending' })
      .forUpdate();
    let verified = 0;
    for (const s of pending) {
      const [copy] = await trx(`${schemaOf(to)}.submissions`)
        .insert({
          folder_code: code,
          participant: s.participant,
          user_email: s.user_email,
          filename: s.filename,
          input_date: s.input_date,
          sha256: s.sha256,
          size: s.size,
          content: s.content,
          status: 'processed',
          handed_over_from: from,
          received_at: s.received_at,
          processed_at: trx.fn.now(),
        })
        .onConflict(['folder_code', 'participant', 'filename'])
        .merge()
        .returning(['sha256', 'content']);
      if (sha256(copy.content) !== s.sha256 || copy.sha256 !== s.sha256) {
        throw new Error(`checksum mismatch handing over ${code}/${s.participant}/${s.filename}`);
      }
      verified++;
      await trx(`${schemaOf(from)}.submissions`)
        .where({ id: s.id })
        .update({ status: 'handed_over', processed_at: trx.fn.now() });
    }
    return { handedOver: pending.length, verified };
  });
}

/**
 * Undoes handOver for a cutover that was compensated: files handed over from `to` that still sit unchanged
 * on the other platform go back (the original rows become live again). A file the participant replaced
 * on the other platform in the meantime stays where it is: it was acknowledged there.
 */
export async function handBack(db: Db, to: PlatformName, code: string): Promise<{ returned: number }> {
  const from: PlatformName = to === 'legacy' ? 'ecp2' : 'legacy';
  return db.transaction(async (trx) => {
    const copies = await trx(`${schemaOf(from)}.submissions`)
      .where({ folder_code: code, handed_over_from: to })
      .forUpdate();
    let returned = 0;
    for (const c of copies) {
      const restored = await trx(`${schemaOf(to)}.submissions`)
        .where({
          folder_code: code,
          participant: c.participant,
          filename: c.filename,
          status: 'handed_over',
          sha256: c.sha256,
        })
        .update({ status: 'processed' });
      if (restored === 1) {
        await trx(`${schemaOf(from)}.submissions`)
          .where({ id: c.id })
          .del();
        returned++;
      }
    }
    return { returned };
  });
}

/** The legacy platform's processing step: pending files older than `delayMs` become processed. */
export async function processPending(db: Db, delayMs: number): Promise<number> {
  return db(`${schemaOf('legacy')}.submissions`)
    .where({ status: 'pending' })
    .andWhere('received_at', '<', db.raw(`now() - make_interval(secs => ?)`, [delayMs / 1000]))
    .update({ status: 'processed', processed_at: db.fn.now() });
}
