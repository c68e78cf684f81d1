import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { createDb, migrateLatest, type Db } from '../../db/connection';

/**
 * A fresh, migrated database for this test file, dropped after it. Call at the top level of a test file.
 */
export async function freshDatabase(opts: { migrate?: boolean } = {}): Promise<{ db: Db; url: string }> {
  const admin = new URL(inject('pgAdminUrl'));
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(admin.toString(), `create database "${name}"`);
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  const db = createDb(url.toString());
  if (opts.migrate !== false) await migrateLatest(db);
  afterAll(async () => {
    await db.destroy();
    await adminQuery(admin.toString(), `drop database if exists "${name}" with (force)`);
  });
  return { db, url: url.toString() };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
