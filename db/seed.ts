import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCatalog, type FolderSpec } from '../domain/catalog';
import type { Db } from './connection';

export const DEFAULT_CATALOG = fileURLToPath(new URL('./catalog/folders.csv', import.meta.url));

/** Demo operators (DESIGN.md §4): alice plans, bob approves, carol answers participants. */
export const DEMO_OPERATORS: { name: string; roles: string[] }[] = [
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
 * Loads the folder catalog and the demo operators. Idempotent: descriptive columns are refreshed, but a
 * folder's placement (the migration status) is never overwritten, nor is a platform's open/frozen state.
 */
export async function seedCatalog(db: Db, catalogPath = DEFAULT_CATALOG): Promise<SeedResult> {
  const { folders, skipped } = parseCatalog(fs.readFileSync(catalogPath, 'utf8'));
  return db.transaction(async (trx) => {
    const before = Number((await trx('folders').count({ n: '*' }).first())?.n ?? 0);
    for (const f of folders) await upsertFolder(trx, f);
    for (const op of DEMO_OPERATORS) {
      await trx('operators').insert({ name: op.name }).onConflict('name').ignore();
      for (const role of op.roles) await trx('operator_roles').insert({ operator: op.name, role }).onConflict(['operator', 'role']).ignore();
    }
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
