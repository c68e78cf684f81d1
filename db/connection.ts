import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { applyGrants } from './grants';
import { migrationSource } from './migrations/index';

// Return int8 (bigserial ids, counts) as numbers: none of ours comes near 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Db = Knex;

export function createDb(url: string, pool: { min?: number; max?: number } = {}): Db {
  return knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    migrations: { migrationSource, tableName: 'knex_migrations' },
    // knex logs every failed connection attempt itself; the caller reports the error once, with a hint.
    log: {
      warn: (m: unknown) => {
        if (!String(m).startsWith('Acquire connection error')) console.warn(m);
      },
    },
  });
}

/** A pool for one host-local job (`db migrate`, `operator add`, the demo's seeding), closed afterwards whatever happens. */
export async function withDatabase<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(url, { max: 4 });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** Creates the database named in `url` if it does not exist (connecting to `postgres` to do it). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name '${name}' must be letters, digits and _`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/** Applies every pending migration, then the roles' grants (db/grants.ts), which new tables need too. */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  await applyGrants(db);
  return applied;
}

export async function migrateDownAll(db: Db): Promise<void> {
  await db.migrate.rollback(undefined, true);
}

/** The rows of one raw statement. */
export const rowsOf = async <T = Record<string, unknown>>(db: Db, sql: string): Promise<T[]> =>
  (await db.raw(sql)).rows as T[];
