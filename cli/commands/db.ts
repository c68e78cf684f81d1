import type { Command } from 'commander';
import fs from 'node:fs';
import { ensureDatabase, migrateLatest } from '../../db/connection';
import { seedCatalog, DEFAULT_CATALOG } from '../../db/seed';
import { InputError } from '../../domain/errors';
import { withDb } from '../context';
import { loadConfig } from '../../config/config';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema and seed data');
  db.command('migrate')
    .description('create the database if needed and apply every pending migration')
    .action(async () => {
      await ensureDatabase(loadConfig().DATABASE_URL);
      const applied = await withDb((knex) => migrateLatest(knex));
      console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'schema is up to date');
    });
  db.command('seed')
    .description('load the folder catalog and the demo operators (idempotent; never resets a placement)')
    .option('--catalog <file>', 'catalog CSV', DEFAULT_CATALOG)
    .action(async (opts: { catalog: string }) => {
      if (!fs.existsSync(opts.catalog)) throw new InputError(`catalog file ${opts.catalog} not found: pass --catalog with the path of a folders.csv`);
      const result = await withDb((knex) => seedCatalog(knex, opts.catalog));
      console.log(`catalog: ${result.folders} folders (${result.inserted} new), not ECP folders skipped: ${result.skipped.join(', ') || 'none'}`);
      console.log('operators: alice (planner), bob (approver), carol (support)');
    });
}
