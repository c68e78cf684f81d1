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

/** Every row of every table (public and the simulator's schemas) and every sequence, as text. */
export async function dumpDatabase(d: Db): Promise<string> {
  const tables = await d('information_schema.tables')
    .whereIn('table_schema', ['public', 'sim_legacy', 'sim_ecp2'])
    .where({ table_type: 'BASE TABLE' })
    .orderBy(['table_schema', 'table_name'])
    .select('table_schema', 'table_name');
  const parts: string[] = [];
  for (const t of tables) {
    // A token's last use is bookkeeping of the sign-in, not a change a command made.
    const row =
      t.table_name === 'operator_tokens'
        ? '(x.id, x.operator, x.secret_hash, x.created_at, x.revoked_at)::text'
        : 'x::text';
    const { rows } = await d.raw(
      `select ${row} as row from "${t.table_schema}"."${t.table_name}" x order by 1`,
    );
    parts.push(`## ${t.table_schema}.${t.table_name}`, ...rows.map((r: { row: string }) => r.row));
  }
  const seqs = await d('information_schema.sequences')
    .select('sequence_schema', 'sequence_name')
    .orderBy(['sequence_schema', 'sequence_name']);
  for (const s of seqs) {
    const { rows } = await d.raw(
      `select last_value, is_called from "${s.sequence_schema}"."${s.sequence_name}"`,
    );
    parts.push(
      `## sequence ${s.sequence_schema}.${s.sequence_name} ${rows[0].last_value} ${rows[0].is_called}`,
    );
  }
  return parts.join('\n');
}
