import type { Knex } from 'knex';
import { checkIntakeOpen, type Intake, type PlatformName } from '../domain/intake-rules';
import { HttpError } from './http/errors';
import { pendingCount, readFolder, schemaOf } from './platform-store';

/**
 * What the cutover does to a folder on a platform, through the admin API. Every action is idempotent: the same
 * call twice leaves the same state and gives the same answer.
 */
export const ACTIONS: Record<string, { intake?: Intake; from?: Intake[]; visible?: boolean }> = {
  freeze: { intake: 'frozen', from: ['open', 'frozen'] },
  unfreeze: { intake: 'open', from: ['frozen', 'open'] },
  enable: { intake: 'open', visible: true },
  disable: { intake: 'closed', visible: false },
};

export async function folderState(db: Knex, p: PlatformName, code: string) {
  const f = await readFolder(db, p, code);
  if (!f) return { platform: p, code, exists: false, intake: 'closed', visible: false, pending: 0 };
  return {
    platform: p,
    code,
    exists: true,
    intake: f.intake,
    visible: f.visible,
    pending: await pendingCount(db, p, code),
  };
}

export async function probe(db: Knex, p: PlatformName, code: string) {
  const f = await readFolder(db, p, code);
  const refusal = checkIntakeOpen(p, code, f?.intake, f?.retired);
  return { platform: p, code, accepts: refusal === null, refusal };
}

export async function act(db: Knex, p: PlatformName, code: string, action: keyof typeof ACTIONS) {
  const spec = ACTIONS[action];
  await db.transaction(async (trx) => {
    const f = await readFolder(trx, p, code, 'update');
    if (!f) throw new HttpError(404, 'unknown_folder', `folder ${code} does not exist on ${p}`);
    if (spec.from && !spec.from.includes(f.intake))
      throw new HttpError(
        409,
        'bad_state',
        `cannot ${action} folder ${code} on ${p}: its intake is ${f.intake}`,
      );
    if (f.retired && spec.intake === 'open')
      throw new HttpError(409, 'retired', `folder ${code} is retired on ${p}: it does not open again`);
    const patch: Record<string, unknown> = {};
    if (spec.intake && spec.intake !== f.intake) patch.intake = spec.intake;
    if (spec.visible !== undefined && spec.visible !== f.visible) patch.visible = spec.visible;
    if (Object.keys(patch).length)
      await trx(`${schemaOf(p)}.folders`)
        .where({ code })
        .update({ ...patch, changed_at: trx.fn.now() });
  });
  return folderState(db, p, code);
}

/** A retired folder is closed and hidden on legacy for good. */
export async function retire(db: Knex, code: string) {
  const n = await db('sim_legacy.folders')
    .where({ code })
    .update({ intake: 'closed', visible: false, retired: true, changed_at: db.fn.now() });
  if (n === 0) throw new HttpError(404, 'unknown_folder', `folder ${code} does not exist on legacy`);
  return folderState(db, 'legacy', code);
}

/** Legacy switched off: intake off for every folder, every folder hidden, the platform read-only. */
export async function decommissionLegacy(db: Knex) {
  await db.transaction(async (trx) => {
    await trx('sim_legacy.folders')
      .whereNot({ intake: 'closed' })
      .orWhere({ visible: true })
      .update({ intake: 'closed', visible: false, changed_at: trx.fn.now() });
    await trx('sim_legacy.platform')
      .where({ read_only: false })
      .update({ read_only: true, changed_at: trx.fn.now() });
  });
  const open = await db('sim_legacy.folders')
    .where({ visible: true })
    .orWhereNot({ intake: 'closed' })
    .count({ n: '*' })
    .first();
  return { readOnly: true, openFolders: Number(open?.n ?? 0) };
}

export async function lastLegacyAcceptance(db: Knex) {
  const row = await db('sim_legacy.intake_log').where({ accepted: true }).max({ at: 'at' }).first();
  return { at: row?.at ?? null };
}
