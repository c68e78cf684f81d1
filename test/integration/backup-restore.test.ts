import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb, migrateLatest } from '../../db/connection';
import { runBatch } from '../support/batches';
import { dumpDatabase, freshDatabase } from '../support/db';
import { cutoverStack } from '../support/stack';

/**
 * The backup and restore of the project database that docs/operations.md documents, run as written: a stack
 * runs a batch, `pg_dump --format=custom` backs its database up, `pg_restore` restores it into a fresh empty
 * database, and the restored one holds the same folders, batches, events, notices and everything else, row for
 * row and sequence for sequence, at the latest migration. PostgreSQL 18's client tools come from
 * scripts/provision-pg-client.sh (or PG_BIN_DIR).
 */
const root = path.resolve(import.meta.dirname, '../..');
execFileSync('bash', [path.join(root, 'scripts/provision-pg-client.sh')], { stdio: 'ignore' });
const bin = process.env.PG_BIN_DIR ?? path.join(root, '.tools/postgresql/bin');

const stack = await cutoverStack();
await stack.runWorker();
const { db, url, app } = stack;
const target = await freshDatabase({ migrate: false });

describe('backup and restore of the project database (docs/operations.md)', () => {
  it('a database restored from pg_dump into a fresh one shows the same folders and events', async () => {
    const { id, result } = await runBatch(app, ['SD1', 'SMMRPT']);
    expect(result.status).toBe('completed');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-'));
    const file = path.join(dir, 'ecp_cutover.dump');
    try {
      execFileSync(path.join(bin, 'pg_dump'), ['--format=custom', '--file', file, url]);
      execFileSync(path.join(bin, 'pg_restore'), ['--exit-on-error', '--dbname', target.url, file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const restored = target.db;
    // The same rows in every table and the same sequences: the restore is the database, not an approximation.
    expect(await dumpDatabase(restored)).toBe(await dumpDatabase(db));
    // Spelled out: the batch's folders live, the batch completed, its audit trail whole.
    const placements = await restored('folders')
      .whereIn('code', ['SD1', 'SMMRPT'])
      .orderBy('code')
      .pluck('placement');
    expect(placements).toEqual(['live', 'live']);
    expect((await restored('batches').where({ id }).first()).status).toBe('completed');
    const events = (q: typeof db) => q('events').orderBy('id').select('*');
    expect(await events(restored)).toEqual(await events(db));
    const ofBatch = await restored('events').where({ entity_type: 'batch', entity_id: id }).pluck('to_state');
    expect(ofBatch).toContain('completed');
    expect(
      await restored('events').where({ entity_type: 'folder', entity_id: 'SD1', to_state: 'live' }).first(),
    ).toBeTruthy();
    // At the latest migration already: the restored database needs nothing more.
    const again = createDb(target.url);
    try {
      expect(await migrateLatest(again)).toEqual([]);
    } finally {
      await again.destroy();
    }
  });
});
