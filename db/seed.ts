import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCatalog, type FolderSpec } from '../domain/catalog';
import type { Db } from './connection';
import type { Role } from '../domain/operators';
import { addOperator, revokeOperator } from '../stores/operator-store';
import path from 'node:path';

export const DEFAULT_CATALOG = fileURLToPath(new URL('./catalog/folders.csv', import.meta.url));

/** Demo operators (DESIGN.md §4): alice plans, bob approves, carol answers participants. Demo only. */
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
 * migration status) is never overwritten, nor is a platform's open/frozen state. It creates no operator
 * (seedDemoOperators does, for the demo only).
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
  // The simulated platforms start as the real ones did: legacy folders open on legacy, closed on 2.0;
  // folders born on 2.0 have no legacy side.
  const onLegacy = f.placement !== 'new_on_2_0';
  if (onLegacy) {
    await trx('sim_legacy.folders')
      .insert({ code: f.code, cc_function: f.ccFunction, filename_pattern: f.filenamePattern, intake: 'open', visible: true })
      .onConflict('code').ignore();
  }
  if (f.placement !== 'retired') {
    const born = f.placement === 'new_on_2_0';
    await trx('sim_ecp2.folders')
      .insert({ code: f.code, cc_function: f.ccFunction, filename_pattern: f.filenamePattern, intake: born ? 'open' : 'closed', visible: born })
      .onConflict('code').ignore();
  }
}

/** Where the demo operators' tokens are kept (mode 0600): <home>/tokens/<name>.token. */
export const demoTokenFile = (home: string, name: string) => path.join(home, 'tokens', `${name}.token`);

/**
 * The demo operators, each with a token written under the state directory (mode 0600), for `npm run demo`
 * and the console's sign-in. Idempotent: an operator whose token file is there and still good is left alone;
 * otherwise their old tokens are revoked and a new one is written.
 */
export async function seedDemoOperators(db: Db, home: string): Promise<{ name: string; roles: Role[]; tokenFile: string; created: boolean }[]> {
  fs.mkdirSync(path.join(home, 'tokens'), { recursive: true, mode: 0o700 });
  const out = [];
  for (const op of DEMO_OPERATORS) {
    const file = demoTokenFile(home, op.name);
    const id = fs.existsSync(file) ? /^ecp_([0-9a-f]{32})_/.exec(fs.readFileSync(file, 'utf8'))?.[1] : undefined;
    const good = id ? await db('operator_tokens').where({ id, operator: op.name }).whereNull('revoked_at').first('id') : undefined;
    if (good) {
      out.push({ ...op, tokenFile: file, created: false });
      continue;
    }
    if (await db('operators').where({ name: op.name }).first('name')) await revokeOperator(db, op.name, 'db seed --demo');
    const made = await addOperator(db, op.name, op.roles, 'db seed --demo');
    fs.writeFileSync(file, made.token + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    out.push({ ...op, tokenFile: file, created: true });
  }
  return out;
}
