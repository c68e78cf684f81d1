import type { AddressInfo } from 'node:net';
import type { Db } from '../db/connection';
import { DEFAULT_CATALOG } from '../db/catalog-path';
import type { SimContext } from './context';
import { Faults } from './faults';
import { createApp } from './http/app';
import { migrateSimulator } from './migrations/index';
import { processPending } from './platform-store';
import { adminClientConnectRoutes } from './routes/admin-client-connect';
import { adminFolderRoutes } from './routes/admin-folders';
import { faultRoutes } from './routes/faults';
import { intakeRoutes } from './routes/intake';
import { loginRoutes } from './routes/login';
import { downloadRoutes } from './routes/downloads';
import { adminLoginRoutes } from './routes/admin-logins';
import { credentialKey } from './credentials';
import { seedPlatformFolders } from './seed';
import { startSftp } from './sftp/server';

export { MAX_FILE_BYTES } from './http/app';

/**
 * The reference platform simulator: legacy ECP and ECP 2.0 behind one HTTP server, each with its own schema.
 * Participants use the intake API; the cutover drives the admin API (every call idempotent), which, like fault
 * injection, needs the admin credential the gateway holds. The routes are in routes/, one module per audience:
 *   login.ts                 participants: log in (a bearer session), log out
 *   intake.ts                participants, signed in: their folders, submit a file, the activity enquiry
 *   downloads.ts             participants, signed in: a download folder's files; HKEX (admin) places them
 *   admin-logins.ts          users' credentials handed out, a locked login unlocked
 *   admin-folders.ts         the cutover: a folder's state, freeze|unfreeze|enable|disable|probe|handover|handback,
 *                            retire (legacy), legacy's last acceptance and its decommission
 *   admin-client-connect.ts  Client Connect: load, read a page or one participant, a user's functions
 *   faults.ts                GET|PUT|DELETE /_faults
 * and ECP 2.0's SFTP channel (sftp/), when asked for.
 * It stands for the platform participants submit to, and must not fall over: see http/app.ts.
 */
export interface SimulatorOptions {
  db: Db;
  port?: number;
  host?: string;
  /** How long legacy takes to process an accepted file (pending → processed). */
  processingDelayMs?: number;
  /** The credential the admin and fault APIs require (`Authorization: Bearer ...`). */
  adminToken: string;
  /** The folder catalog the platforms start from (default: the one shipped, db/catalog/folders.csv). */
  catalog?: string;
  /** ECP 2.0's SFTP channel, on a port of its own (0: any free one), with this host key (sftp/server.ts). */
  sftp?: { port?: number; hostKey: string };
  log?: (line: string) => void;
  /**
   * The platforms' rehearsal environment (issue 28), served beside the live one by the same process: the same
   * simulator over a database of its own (isolated state: its folders, submissions, faults), on a port of its own.
   */
  rehearsal?: { db: Db; port?: number };
}

export interface Simulator {
  url: string;
  /** Where ECP 2.0's SFTP listens, when it was asked for: sftp://127.0.0.1:PORT. */
  sftp?: { url: string; port: number };
  faults: Faults;
  /** The rehearsal environment, when it was asked for. */
  rehearsal?: Simulator;
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { db } = opts;
  if (!opts.adminToken || opts.adminToken.length < 16)
    throw new Error('the simulator needs an admin token of 16 characters or more (SIMULATOR_ADMIN_TOKEN)');
  // Its own schemas, its own migrations, its own folders: only where a simulator runs.
  await migrateSimulator(db);
  await seedPlatformFolders(db, opts.catalog ?? DEFAULT_CATALOG);
  const ctx: SimContext = { db, faults: new Faults(), credentialKey: credentialKey(opts.adminToken) };

  const app = createApp({ faults: ctx.faults, adminToken: opts.adminToken, log: opts.log });
  app.get('/healthz', async () => (await db.raw('select 1'), { ok: true }));
  for (const routes of [
    loginRoutes,
    intakeRoutes,
    downloadRoutes,
    adminFolderRoutes,
    adminClientConnectRoutes,
    adminLoginRoutes,
    faultRoutes,
  ])
    routes(app, ctx);

  const processingDelayMs = opts.processingDelayMs ?? 500;
  const processor = setInterval(
    () => {
      processPending(db, processingDelayMs).catch(() => undefined);
    },
    Math.max(50, Math.min(processingDelayMs, 250)),
  );

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const sftp = opts.sftp
    ? await startSftp(db, {
        port: opts.sftp.port,
        host: opts.host,
        hostKey: opts.sftp.hostKey,
        log: opts.log,
      })
    : null;
  const rehearsal = opts.rehearsal
    ? await startSimulator({
        ...opts,
        db: opts.rehearsal.db,
        port: opts.rehearsal.port ?? 0,
        sftp: undefined,
        rehearsal: undefined,
        log: opts.log && ((line) => opts.log!(`rehearsal ${line}`)),
      })
    : undefined;
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    ...(sftp ? { sftp: { url: `sftp://127.0.0.1:${sftp.port}`, port: sftp.port } } : {}),
    faults: ctx.faults,
    ...(rehearsal ? { rehearsal } : {}),
    async close() {
      await rehearsal?.close();
      clearInterval(processor);
      await sftp?.close();
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
