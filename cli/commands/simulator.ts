import type { Command } from 'commander';
import fs from 'node:fs';
import { loadConfig } from '../../config/config';
import { DEFAULT_CATALOG } from '../../db/catalog-path';
import { InputError } from '../../domain/errors';
import { createLog } from '../../observability/log';
import { parsePort, untilSignal } from './serve';

/**
 * `ecp-cutover simulator`: the reference platform simulator (legacy ECP and ECP 2.0), a long-running process
 * of its own. Host-local: it needs the host's configuration (its database, its admin credential).
 */
export function registerSimulatorCommands(program: Command): void {
  program
    .command('simulator')
    .description('serve the reference platform simulator (legacy ECP and ECP 2.0)')
    .option('--port <n>', 'port (default: the port of SIMULATOR_URL)')
    .option('--processing-delay <ms>', 'how long legacy takes to process a file', '500')
    .option('--catalog <file>', 'the folder catalog the platforms start from', DEFAULT_CATALOG)
    .action(async (opts: { port?: string; processingDelay: string; catalog: string }) => {
      const config = loadConfig();
      if (!fs.existsSync(opts.catalog)) throw new InputError(`catalog file ${opts.catalog} not found: pass --catalog with the path of a folders.csv`);
      const [{ createDb }, { simulatorAdminToken }, { startSimulator }] = await Promise.all([
        import('../../db/connection'), import('../../security/command-signing'), import('../../simulator/server'),
      ]);
      const adminToken = simulatorAdminToken(config);
      const simLog = createLog(config, 'simulator');
      if (!adminToken) throw new InputError(`the simulator needs its admin credential: set SIMULATOR_ADMIN_TOKEN, or start the embedded stack with 'ecp-cutover dev up' (it writes ${config.simulatorTokenFile})`);
      // The simulator stands for the platforms, a system of its own: the owner's URL, for its own schemas.
      const pool = createDb(config.DATABASE_URL, { max: 20 });
      const sim = await startSimulator({
        db: pool,
        port: parsePort(opts.port, Number(new URL(config.SIMULATOR_URL).port)),
        processingDelayMs: Number(opts.processingDelay),
        host: config.LISTEN_HOST,
        adminToken,
        catalog: opts.catalog,
        log: (line) => simLog.error(line),
      });
      simLog.info({ url: sim.url }, `platform simulator on ${sim.url}`);
      await untilSignal();
      await sim.close();
      await pool.destroy();
    });
}
