import { describe, expect, it } from 'vitest';
import { migrateDownAll, migrateLatest } from '../../db/connection';
import { seedCatalog } from '../../db/seed';
import {
  migrateSimulator,
  migrateSimulatorDown,
  SIMULATOR_MIGRATION_NAMES,
  SIMULATOR_MIGRATIONS_SCHEMA,
} from '../../simulator/migrations/index';
import * as platformsMigration from '../../simulator/migrations/20260201000100_platforms';
import {
  BATCH_FOLDER_STATUSES,
  PUBLIC_BATCH_STATUSES,
  STORED_BATCH_STATUSES,
} from '../../domain/batch-lifecycle';
import { STORED_DECOMMISSION_STATUSES } from '../../domain/decommission-lifecycle';
import { DRIFT_KINDS } from '../../domain/drift';
import { FOLDER_RUN_KINDS, RUN_STATUSES } from '../../domain/folder-runs';
import { NOTICE_KINDS, NOTICE_STATUSES } from '../../domain/notices';
import { ROLES } from '../../domain/operators';
import { PLACEMENTS } from '../../domain/placement';
import { ALERT_KINDS } from '../../domain/reconcile';
import { EVENT_ENTITY_TYPES } from '../../stores/events';
import { freshDatabase } from '../support/db';

const { db } = await freshDatabase({ migrate: false });

async function tables(): Promise<string[]> {
  const rows = await db('pg_tables')
    .whereIn('schemaname', ['public', 'sim_legacy', 'sim_ecp2', SIMULATOR_MIGRATIONS_SCHEMA])
    .whereNot('tablename', 'like', 'knex_%')
    .select(db.raw(`schemaname || '.' || tablename as name`));
  return rows.map((r: { name: string }) => r.name).sort();
}

describe('migrations', () => {
  it('go up, all the way down, and up again to the same schema', async () => {
    await migrateLatest(db);
    const first = await tables();
    expect(first).toEqual(
      expect.arrayContaining([
        'public.folders',
        'public.batches',
        'public.batch_folders',
        'public.events',
        'public.participants',
        'public.users',
        'public.notices',
        'public.notice_attempts',
        'public.decommission',
        'public.operators',
      ]),
    );
    // The platform simulator's tables are not the product's: they come only with a simulator.
    expect(first.filter((t) => t.startsWith('sim_'))).toEqual([]);
    await migrateDownAll(db);
    expect(await tables()).toEqual([]);
    await migrateLatest(db);
    expect(await tables()).toEqual(first);
  });

  it("the simulator's own set goes up, down and up again, beside the product's and apart from it", async () => {
    await migrateLatest(db);
    const product = await tables();
    expect(await migrateSimulator(db)).toEqual(SIMULATOR_MIGRATION_NAMES);
    const withSimulator = await tables();
    expect(withSimulator.filter((t) => !product.includes(t))).toEqual(
      expect.arrayContaining([
        'sim_legacy.submissions',
        'sim_ecp2.submissions',
        'sim_ecp2.user_functions',
        'sim_ecp2.cc_users',
        'sim_legacy.platform',
      ]),
    );
    expect(withSimulator.filter((t) => !t.startsWith('sim_'))).toEqual(product);
    // Each set keeps its own books: neither lists the other's migrations.
    expect(await db('knex_migrations').where('name', 'like', '%_platforms').first()).toBeUndefined();
    await migrateSimulatorDown(db);
    expect(await tables()).toEqual(product);
    await migrateSimulator(db);
    expect(await tables()).toEqual(withSimulator);
    await migrateSimulatorDown(db);
  });

  it('a database whose production migrations made the simulated platforms earlier keeps their rows: the set adopts them', async () => {
    // The tables as the production migrations 0600 and 0700 left them (1000 added the column `retired`), with a
    // row in them, and no simulator books.
    await platformsMigration.up(db);
    await db.raw('alter table sim_legacy.folders drop column retired');
    await db('sim_legacy.folders').insert({ code: 'OLD1', intake: 'open', visible: true });
    expect(await migrateSimulator(db)).toEqual(SIMULATOR_MIGRATION_NAMES);
    expect(await db('sim_legacy.folders').where({ code: 'OLD1' }).first('intake', 'retired')).toEqual({
      intake: 'open',
      retired: false,
    });
    expect(await db('sim_legacy.platform').count({ n: '*' }).first()).toEqual({ n: 1 });
    await migrateSimulatorDown(db);
  });
});

describe('one list per name: the check constraints equal the lists the code uses', () => {
  it('statuses, kinds, placements and roles', async () => {
    await migrateLatest(db);
    const allowed = async (name: string) => {
      const { rows } = await db.raw(
        `select pg_get_constraintdef(oid) as def from pg_constraint where conname = ?`,
        [name],
      );
      expect(rows, name).toHaveLength(1);
      return [...(rows[0].def as string).matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
    };
    const cases: [string, readonly string[]][] = [
      ['batches_status_check', STORED_BATCH_STATUSES],
      ['batch_folders_status_check', BATCH_FOLDER_STATUSES],
      ['folders_placement_check', PLACEMENTS],
      ['folder_runs_status_check', RUN_STATUSES],
      ['folder_runs_kind_check', FOLDER_RUN_KINDS],
      ['notices_kind_check', NOTICE_KINDS],
      ['notices_status_check', NOTICE_STATUSES],
      ['decommission_status_check', STORED_DECOMMISSION_STATUSES],
      ['events_entity_type_check', EVENT_ENTITY_TYPES],
      ['operator_roles_role_check', ROLES],
      ['drifts_kind_check', DRIFT_KINDS],
      ['alerts_kind_check', ALERT_KINDS],
    ];
    for (const [name, list] of cases) expect(await allowed(name), name).toEqual([...list].sort());
    // The portal's view of batches shows exactly the public statuses.
    const { rows } = await db.raw(`select pg_get_viewdef('portal.batches'::regclass) as def`);
    expect([...(rows[0].def as string).matchAll(/'([^']+)'/g)].map((m) => m[1]).sort()).toEqual(
      [...PUBLIC_BATCH_STATUSES].sort(),
    );
  });
});

describe('constraints the database enforces', () => {
  it('I4: a folder cannot be in two unfinished batches', async () => {
    await seedCatalog(db);
    await db('operators').insert({ name: 'alice' });
    const batch = (id: string) => ({
      id,
      name: id,
      planned_at: '2030-01-07T00:00:00Z',
      requested_by: 'alice',
    });
    await db('batches').insert([batch('X1'), batch('X2')]);
    await db('batch_folders').insert({ batch_id: 'X1', folder_code: 'SD1' });
    await expect(db('batch_folders').insert({ batch_id: 'X2', folder_code: 'SD1' })).rejects.toThrow(
      /batch_folders_one_active_plan_idx/,
    );
    // Once the first plan is finished, the folder may be planned again.
    await db('batch_folders').where({ batch_id: 'X1' }).update({ active: false });
    await db('batch_folders').insert({ batch_id: 'X2', folder_code: 'SD1' });
  });

  it('I5 at rest: a batch cannot be approved by its requester', async () => {
    await expect(
      db('batches').insert({
        id: 'X3',
        name: 'x',
        planned_at: '2030-01-07T00:00:00Z',
        requested_by: 'alice',
        approved_by: 'alice',
      }),
    ).rejects.toThrow(/batches_four_eyes_check/);
  });

  it('a firm has at most 20 users (FAQ B.11)', async () => {
    await db('participants').insert({
      code: '01234',
      name_en: 'Firm',
      user_types: ['SEHK_EP'],
      emails: ['ops@firm.example'],
    });
    const user = (i: number) => ({
      participant_code: '01234',
      email: `u${i}@firm.example`,
      role: i === 0 ? 'admin' : 'operator',
    });
    await db('users').insert(Array.from({ length: 20 }, (_, i) => user(i)));
    await expect(db('users').insert(user(20))).rejects.toThrow(/more than 20 users/);
    expect(Number((await db('users').count({ n: '*' }).first())?.n)).toBe(20);
  });

  it('rejects unknown placements, bad participant codes and bad statuses', async () => {
    await expect(db('folders').where({ code: 'SD1' }).update({ placement: 'moved' })).rejects.toThrow(
      /folders_placement_check/,
    );
    await expect(
      db('participants').insert({ code: '1234', name_en: 'x', user_types: [], emails: [] }),
    ).rejects.toThrow(/participants_code_check/);
    await expect(db('batches').where({ id: 'X1' }).update({ status: 'done' })).rejects.toThrow(
      /batches_status_check/,
    );
  });

  it('the event log is append-only', async () => {
    const [{ id }] = await db('events')
      .insert({ actor: 't', entity_type: 'system', entity_id: 'x' })
      .returning('id');
    await expect(db('events').where({ id }).update({ actor: 'mallory' })).rejects.toThrow(/append-only/);
    await expect(db('events').where({ id }).del()).rejects.toThrow(/append-only/);
  });
});

describe('seed', () => {
  it('loads the catalog idempotently and never resets a placement', async () => {
    const again = await seedCatalog(db);
    expect(again.inserted).toBe(0);
    expect(again.folders).toBe(50);
    expect(again.skipped.sort()).toEqual(['OTPCOCL', 'RAPRPT', 'RPFDL']);
    await db('folders').where({ code: 'SD2' }).update({ placement: 'live' });
    await seedCatalog(db);
    expect((await db('folders').where({ code: 'SD2' }).first()).placement).toBe('live');
    expect(await db('folders').where({ code: 'OTPCOCL' }).first()).toBeUndefined();
  });
});
