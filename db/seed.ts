import fs from 'node:fs';
import { parseCatalog, type FolderSpec } from '../domain/catalog';
import { DEFAULT_CATALOG } from './catalog-path';
import type { Db } from './connection';
import type { Role } from '../domain/operators';
import { addOperator, revokeOperator } from '../stores/operator-store';
import path from 'node:path';
import { DateTime } from 'luxon';
import { InputError } from '../domain/errors';
import { appendEvent } from '../stores/events';
import type { PlatformGateway } from '../platform/gateway';

export { DEFAULT_CATALOG };

/** Demo operators: alice plans, bob approves, carol answers participants. Demo only. */
export const DEMO_OPERATORS: { name: string; roles: Role[] }[] = [
  { name: 'alice', roles: ['planner'] },
  { name: 'bob', roles: ['approver'] },
  { name: 'carol', roles: ['support'] },
];

export interface SeedResult {
  folders: number;
  inserted: number;
  skipped: string[];
}

/**
 * Loads the folder catalog. Idempotent: descriptive columns are refreshed, but a folder's placement (the
 * migration status) is never overwritten. It creates no operator (seedDemoOperators does, for the demo only),
 * and touches no platform: the simulator loads the catalog onto its platforms itself (simulator/seed.ts).
 */
export async function seedCatalog(db: Db, catalogPath = DEFAULT_CATALOG): Promise<SeedResult> {
  const { folders, skipped } = parseCatalog(fs.readFileSync(catalogPath, 'utf8'));
  return db.transaction(async (trx) => {
    const before = Number((await trx('folders').count({ n: '*' }).first())?.n ?? 0);
    for (const f of folders) await upsertFolder(trx, f);
    const after = Number((await trx('folders').count({ n: '*' }).first())?.n ?? 0);
    return { folders: folders.length, inserted: after - before, skipped };
  });
}

async function upsertFolder(trx: Db, f: FolderSpec): Promise<void> {
  const descriptive = {
    name_en: f.nameEn,
    name_zh: f.nameZh,
    market: f.market,
    hkex_entity: f.hkexEntity,
    direction: f.direction,
    user_types: f.userTypes,
    cc_function: f.ccFunction,
    filename_pattern: f.filenamePattern,
    input_date_meaning: f.inputDateMeaning,
    sftp: f.sftp,
    provenance: f.provenance,
    proposed_batch: f.proposedBatch,
  };
  await trx('folders')
    .insert({ code: f.code, placement: f.placement, live_since: null, ...descriptive })
    .onConflict('code')
    .merge({ ...descriptive, updated_at: trx.fn.now() });
}

/** Who recorded the batches of a rehearsal (`db seed --as-of`): a name with no role, blocked, so it can never act. */
export const AS_OF_RECORDER = 'catalog-as-of';
/** The catalog gives the day of a batch; its hour is ours: before the market opens. */
const AS_OF_HOUR = 'T08:00';

export interface AsOfResult {
  batches: { id: string; date: string; folders: string[]; retired: string[] }[];
  retired: string[];
  toBeAnnounced: number;
}

/**
 * A rehearsal of a past day (`db seed --as-of 2022-06-06`): the catalog's plan as it stood then. Every batch of
 * the 2022 plan dated on or before that day is recorded as completed (its folders live since 08:00 HKT that day),
 * every retired folder dated by then is retired (with the batch of its day), and everything later is left on
 * legacy, "to be announced" (FAQ D.28). It starts no workflow and sends no notice; the platforms are brought in
 * line afterwards, through the gateway (alignPlatformsAsOf). Only on a database where no batch was ever planned: it writes history, and
 * must not rewrite any (the same rehearsal again is a no-op).
 */
const asOfMark = (asOf: string) => `(db seed --as-of ${asOf})`;

/**
 * The date is a date, and no batch was ever planned here (checked again inside the seed's transaction):
 * 'fresh'. A database this same rehearsal seeded already: 'done' (seeding it again changes nothing).
 */
export async function assertAsOf(db: Db, asOf: string): Promise<'fresh' | 'done'> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || !DateTime.fromISO(asOf).isValid)
    throw new InputError(`--as-of '${asOf}' must be a date YYYY-MM-DD, e.g. 2022-06-06`);
  const batches = await db('batches').orderBy('id').select('id', 'requested_by', 'reason');
  if (batches.length === 0) return 'fresh';
  if (batches.every((b) => b.requested_by === AS_OF_RECORDER && String(b.reason).endsWith(asOfMark(asOf))))
    return 'done';
  throw new InputError(
    `--as-of seeds a database where no batch was ever planned, and batch ${batches[0].id} exists: use a fresh database (DATABASE_URL)`,
  );
}

export async function seedAsOf(
  db: Db,
  asOf: string,
  catalogPath = DEFAULT_CATALOG,
): Promise<AsOfResult & { already: boolean }> {
  const { folders } = parseCatalog(fs.readFileSync(catalogPath, 'utf8'));
  const instant = (date: string) =>
    DateTime.fromISO(date + AS_OF_HOUR, { zone: 'Asia/Hong_Kong' })
      .toUTC()
      .toJSDate();
  const moved = folders.filter(
    (f) => f.placement === 'legacy' && f.proposedBatch && f.batchDate && f.batchDate <= asOf,
  );
  const retired = folders.filter((f) => f.placement === 'retired' && f.batchDate && f.batchDate <= asOf);
  const batches = [...new Set(moved.map((f) => f.proposedBatch!))].sort().map((id) => {
    const mine = moved.filter((f) => f.proposedBatch === id);
    return {
      id,
      date: mine[0].batchDate!,
      folders: mine.map((f) => f.code),
      retired: retired.filter((r) => r.batchDate === mine[0].batchDate).map((r) => r.code),
    };
  });
  return db.transaction(async (trx) => {
    if ((await assertAsOf(trx, asOf)) === 'done')
      return { batches, retired: retired.map((f) => f.code), toBeAnnounced: 0, already: true };
    const notLegacy = await trx('folders')
      .whereIn(
        'code',
        moved.map((f) => f.code),
      )
      .whereNot('placement', 'legacy')
      .first('code', 'placement');
    if (notLegacy)
      throw new InputError(
        `--as-of: folder ${notLegacy.code} is ${notLegacy.placement} already: use a fresh database (DATABASE_URL)`,
      );
    await trx('operators')
      .insert({ name: AS_OF_RECORDER, blocked_at: trx.fn.now() })
      .onConflict('name')
      .ignore();
    for (const b of batches) {
      const at = instant(b.date);
      await trx('batches').insert({
        id: b.id,
        name: `${b.id} of the 2022 plan (catalog)`,
        planned_at: at,
        status: 'completed',
        requested_by: AS_OF_RECORDER,
        started_at: at,
        finished_at: at,
        reason: `as published: moved on ${b.date} ${asOfMark(asOf)}`,
      });
      await trx('batch_folders').insert(
        b.folders.map((code) => ({ batch_id: b.id, folder_code: code, status: 'live', active: false })),
      );
      await trx('folders')
        .whereIn('code', b.folders)
        .update({ placement: 'live', live_since: at, updated_at: trx.fn.now() });
      if (b.retired.length)
        await trx('batch_retires').insert(
          b.retired.map((code) => ({ batch_id: b.id, folder_code: code, status: 'retired', active: false })),
        );
      await appendEvent(trx, {
        key: `as-of:${b.id}`,
        actor: AS_OF_RECORDER,
        entityType: 'batch',
        entityId: b.id,
        to: 'completed',
        reason: `db seed --as-of ${asOf}: ${b.folders.join(', ')} live since ${b.date}${b.retired.length ? `; retired ${b.retired.join(', ')}` : ''}`,
      });
    }
    for (const f of retired) {
      await trx('folders')
        .where({ code: f.code })
        .update({ retired_at: instant(f.batchDate!), updated_at: trx.fn.now() });
    }
    const toBeAnnounced = folders.filter((f) => f.placement === 'legacy').length - moved.length;
    return { batches, retired: retired.map((f) => f.code), toBeAnnounced, already: false };
  });
}

/**
 * The platforms as the rehearsal says they stood: each moved folder open on ECP 2.0 and closed and hidden on
 * legacy, each retired folder retired on legacy. Through the platform port, as a cutover would (every call is
 * idempotent, so a rehearsal seeded already is aligned again by running it again).
 */
export async function alignPlatformsAsOf(
  gateway: PlatformGateway,
  asOf: Pick<AsOfResult, 'batches' | 'retired'>,
): Promise<{ moved: number; retired: number }> {
  const moved = asOf.batches.flatMap((b) => b.folders);
  for (const code of moved) {
    await gateway.enable('ecp2', code);
    await gateway.disable('legacy', code);
  }
  for (const code of asOf.retired) await gateway.retireLegacy(code);
  return { moved: moved.length, retired: asOf.retired.length };
}

/** Where the demo operators' tokens are kept (mode 0600): <home>/tokens/<name>.token. */
export const demoTokenFile = (home: string, name: string) => path.join(home, 'tokens', `${name}.token`);

/**
 * The demo operators, each with a token written under the state directory (mode 0600), for `npm run demo`
 * and the console's sign-in. Idempotent: an operator whose token file is there and still good is left alone;
 * otherwise their old tokens are revoked and a new one is written.
 */
export async function seedDemoOperators(
  db: Db,
  home: string,
): Promise<{ name: string; roles: Role[]; tokenFile: string; created: boolean }[]> {
  fs.mkdirSync(path.join(home, 'tokens'), { recursive: true, mode: 0o700 });
  const out = [];
  for (const op of DEMO_OPERATORS) {
    const file = demoTokenFile(home, op.name);
    const id = fs.existsSync(file)
      ? /^ecp_([0-9a-f]{32})_/.exec(fs.readFileSync(file, 'utf8'))?.[1]
      : undefined;
    const good = id
      ? await db('operator_tokens').where({ id, operator: op.name }).whereNull('revoked_at').first('id')
      : undefined;
    if (good) {
      out.push({ ...op, tokenFile: file, created: false });
      continue;
    }
    if (await db('operators').where({ name: op.name }).first('name'))
      await revokeOperator(db, op.name, 'db seed --demo');
    const made = await addOperator(db, op.name, op.roles, 'db seed --demo');
    fs.writeFileSync(file, made.token + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    out.push({ ...op, tokenFile: file, created: true });
  }
  return out;
}
