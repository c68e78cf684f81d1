import type { Knex } from 'knex';
import * as m100 from './20260201000100_platforms';
import * as m200 from './20260201000200_logins';
import * as m300 from './20260201000300_downloads';
import * as m400 from './20260201000400_sftp';

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

/**
 * The simulator's own migration set, apart from the production one (db/migrations): run only where a
 * simulator runs — `dev up`, the tests, the benchmark harness, docker-compose's simulator service — each time
 * the simulator starts. Its bookkeeping is knex's table in the schema `simulator`, so neither set sees the
 * other's migrations.
 */
const MIGRATIONS: [string, Migration][] = [
  ['20260201000100_platforms', m100],
  ['20260201000200_logins', m200],
  ['20260201000300_downloads', m300],
  ['20260201000400_sftp', m400],
];

export const SIMULATOR_MIGRATIONS_SCHEMA = 'simulator';
export const SIMULATOR_MIGRATION_NAMES = MIGRATIONS.map(([name]) => name);

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown simulator migration ${name}`);
    return found[1];
  },
};
const config = { migrationSource, tableName: 'knex_migrations', schemaName: SIMULATOR_MIGRATIONS_SCHEMA };

/** Applies the simulator's pending migrations; returns their names. */
export async function migrateSimulator(db: Knex): Promise<string[]> {
  await db.raw(`create schema if not exists ${SIMULATOR_MIGRATIONS_SCHEMA}`);
  const [, applied] = (await db.migrate.latest(config)) as [number, string[]];
  return applied;
}

/** Undoes every simulator migration (the round-trip test). */
export async function migrateSimulatorDown(db: Knex): Promise<void> {
  await db.migrate.rollback(config, true);
}
