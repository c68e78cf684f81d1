import type { Knex } from 'knex';
import * as m100 from './20260101000100_folders_operators_events';
import * as m200 from './20260101000200_batches_runs';
import * as m300 from './20260101000300_directory';
import * as m400 from './20260101000400_notices';
import * as m500 from './20260101000500_decommission';
import * as m600 from './20260101000600_simulator';
import * as m700 from './20260101000700_simulator_platform_state';
import * as m800 from './20260101000800_lifecycles';
import * as m900 from './20260101000900_control_plane';
import * as m1000 from './20260101001000_client_connect';
import * as m1100 from './20260101001100_drift';
import * as m1200 from './20260101001200_alerts';
import * as m1300 from './20260101001300_console_sessions';
import * as m1400 from './20260101001400_sealed_sessions';
import * as m1500 from './20260101001500_batch_outcome_notices';
import * as m1600 from './20260101001600_batch_readiness';
import * as m1700 from './20260101001700_rehearsals';

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

/**
 * Migrations are listed here, not discovered on disk, so the same code runs under tsx, vitest and a
 * bundled build. Append new ones at the end; never rename a deployed one.
 */
const MIGRATIONS: [string, Migration][] = [
  ['20260101000100_folders_operators_events', m100],
  ['20260101000200_batches_runs', m200],
  ['20260101000300_directory', m300],
  ['20260101000400_notices', m400],
  ['20260101000500_decommission', m500],
  ['20260101000600_simulator', m600],
  ['20260101000700_simulator_platform_state', m700],
  ['20260101000800_lifecycles', m800],
  ['20260101000900_control_plane', m900],
  ['20260101001000_client_connect', m1000],
  ['20260101001100_drift', m1100],
  ['20260101001200_alerts', m1200],
  ['20260101001300_console_sessions', m1300],
  ['20260101001400_sealed_sessions', m1400],
  ['20260101001500_batch_outcome_notices', m1500],
  ['20260101001600_batch_readiness', m1600],
  ['20260101001700_rehearsals', m1700],
];

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};
