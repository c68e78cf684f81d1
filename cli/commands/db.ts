import type { Command } from 'commander';
import fs from 'node:fs';
import { ensureDatabase, migrateLatest } from '../../db/connection';
import { seedCatalog, seedDemoOperators, DEFAULT_CATALOG } from '../../db/seed';
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
    .description('load the folder catalog (idempotent; never resets a placement); --demo adds the demo operators')
    .option('--catalog <file>', 'catalog CSV', DEFAULT_CATALOG)
    .option('--demo', 'also the demo operators alice (planner), bob (approver), carol (support), their tokens under the state directory')
    .action(async (opts: { catalog: string; demo?: boolean }) => {
      if (!fs.existsSync(opts.catalog)) throw new InputError(`catalog file ${opts.catalog} not found: pass --catalog with the path of a folders.csv`);
      await withDb(async (knex, config) => {
        const result = await seedCatalog(knex, opts.catalog);
        console.log(`catalog: ${result.folders} folders (${result.inserted} new), not ECP folders skipped: ${result.skipped.join(', ') || 'none'}`);
        if (!opts.demo) return;
        for (const op of await seedDemoOperators(knex, config.home)) console.log(`demo operator ${op.name} (${op.roles.join(', ')}): token in ${op.tokenFile}${op.created ? '' : ' (kept)'}`);
      });
    });
}
