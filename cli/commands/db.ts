import type { Command } from 'commander';
import fs from 'node:fs';
import { DEFAULT_CATALOG } from '../../db/catalog-path';
import { InputError } from '../../domain/errors';
import { loadConfig, type Config } from '../../config/config';

// Host-local administration: these commands hold the database owner's DATABASE_URL and open it themselves
// (no API endpoint migrates or seeds), so they are composition roots beside cli/commands/serve.ts.
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema and seed data');
  db.command('migrate')
    .description('create the database if needed and apply every pending migration')
    .action(async () => {
      const { ensureDatabase, migrateLatest, withDatabase } = await import('../../db/connection');
      const url = loadConfig().DATABASE_URL;
      await ensureDatabase(url);
      const applied = await withDatabase(url, migrateLatest);
      console.log(
        applied.length
          ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
          : 'schema is up to date',
      );
    });
  db.command('seed')
    .description(
      'load the folder catalog (idempotent; never resets a placement); --demo adds the demo operators',
    )
    .option('--catalog <file>', 'catalog CSV', DEFAULT_CATALOG)
    .option(
      '--demo',
      'also the demo operators alice (planner), bob (approver), carol (support), their tokens under the state directory',
    )
    .option(
      '--as-of <date>',
      'a rehearsal: the 2022 plan as it stood on that day (batches up to it completed, the rest to be announced); a fresh database only',
    )
    .action(async (opts: { catalog: string; demo?: boolean; asOf?: string }) => {
      if (!fs.existsSync(opts.catalog))
        throw new InputError(
          `catalog file ${opts.catalog} not found: pass --catalog with the path of a folders.csv`,
        );
      const config = loadConfig();
      const [{ withDatabase }, { assertAsOf, seedAsOf, seedCatalog, seedDemoOperators }] = await Promise.all([
        import('../../db/connection'),
        import('../../db/seed'),
      ]);
      await withDatabase(config.DATABASE_URL, async (pool) => {
        if (opts.asOf !== undefined) await assertAsOf(pool, opts.asOf);
        const result = await seedCatalog(pool, opts.catalog);
        console.log(
          `catalog: ${result.folders} folders (${result.inserted} new), not ECP folders skipped: ${result.skipped.join(', ') || 'none'}`,
        );
        if (opts.asOf !== undefined) {
          const past = await seedAsOf(pool, opts.asOf, opts.catalog);
          if (past.already) console.log(`as of ${opts.asOf}: seeded already, nothing changed`);
          for (const b of past.already ? [] : past.batches)
            console.log(
              `as of ${opts.asOf}: batch ${b.id} moved on ${b.date}: ${b.folders.join(', ')}${b.retired.length ? `; retired ${b.retired.join(', ')}` : ''}`,
            );
          if (!past.already)
            console.log(
              `as of ${opts.asOf}: ${past.batches.length} batch(es) completed, ${past.retired.length} folder(s) retired, ${past.toBeAnnounced} folder(s) to be announced`,
            );
          const platforms = await alignPlatforms(config, past);
          console.log(
            `as of ${opts.asOf}: the platforms (${config.SIMULATOR_URL}): ${platforms.moved} folder(s) on ECP 2.0 only, ${platforms.retired} retired on legacy`,
          );
        }
        if (!opts.demo) return;
        for (const op of await seedDemoOperators(pool, config.home))
          console.log(
            `demo operator ${op.name} (${op.roles.join(', ')}): token in ${op.tokenFile}${op.created ? '' : ' (kept)'}`,
          );
      });
    });
}

/**
 * A rehearsal's platforms brought in line with its history, through the platform port (the embedded stack's
 * simulator). Every call is idempotent: when the platforms cannot be reached, the same command again finishes it.
 */
async function alignPlatforms(
  config: Config,
  past: Parameters<typeof import('../../db/seed').alignPlatformsAsOf>[1],
) {
  const [{ alignPlatformsAsOf }, { createHttpGateway }, { simulatorAdminToken }] = await Promise.all([
    import('../../db/seed'),
    import('../../platform/http-gateway'),
    import('../../security/command-signing'),
  ]);
  try {
    return await alignPlatformsAsOf(
      createHttpGateway(config.SIMULATOR_URL, simulatorAdminToken(config)),
      past,
    );
  } catch (err) {
    throw new Error(
      `the database is seeded, but the platforms at ${config.SIMULATOR_URL} could not be brought in line (${(err as Error).message}): start them ('ecp-cutover dev up') and run the same 'db seed --as-of' again`,
      { cause: err },
    );
  }
}
