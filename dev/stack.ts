import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Config } from '../config/config';
import { ensureDatabase, createDb, migrateLatest } from '../db/connection';
import { InputError } from '../domain/errors';
import { initPostgres, postgresCommand } from './postgres';
import { isAlive, isPortOpen, spawnDetached, stopPid, tail, waitFor, type SpawnSpec } from './process';
import { findBinary, PROJECT_ROOT, temporalDevArgs } from './tools';
import { randomBytes } from 'node:crypto';
import { WORKER_NODE_FLAGS } from '../worker/worker';
import { DB_ROLES, ensureDbRoles, urlAs, type DbRole } from '../db/grants';
import { ensureSecretFile } from '../security/command-signing';

/**
 * The embedded stack behind `ecp-cutover dev up|down|status`: each service is a background process whose
 * pid is kept in <home>/run/<name>.pid, its output in <home>/logs/<name>.log, its data under <home>.
 * `up` is idempotent (a running service is left alone); `down` stops exactly the pids `up` recorded.
 */
export interface Service {
  name: string;
  port: number;
  /** The variable that moves the port, for the "port taken" message. */
  portVar: string;
  url: string;
  spec(): Promise<SpawnSpec>;
  ready(): Promise<boolean>;
  stopSignal?: NodeJS.Signals;
  after?(): Promise<void>;
}

const CLI = path.join(PROJECT_ROOT, 'bin', 'ecp-cutover.mjs');
const cli = (config: Config, args: string[], env: Record<string, string> = {}): SpawnSpec => ({
  command: process.execPath,
  args: [...(args[0] === 'worker' ? WORKER_NODE_FLAGS : []), CLI, ...args],
  cwd: PROJECT_ROOT,
  // A directory import also loads the simulator's Client Connect: on this stack the platform is ours.
  env: { ...process.env, ECP_CUTOVER_HOME: config.home, LOAD_DIRECTORY_INTO_PLATFORM: 'true', ...env },
});

/**
 * The embedded stack's database roles (db/grants.ts): each process connects as its own, with a password
 * kept under <home>/secrets (mode 0600). Production sets API_DATABASE_URL, WORKER_DATABASE_URL and
 * PORTAL_DATABASE_URL instead.
 */
function rolePasswords(config: Config): Record<DbRole, string> {
  const dir = path.join(config.home, 'secrets');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const read = (role: DbRole) => {
    const file = path.join(dir, `db-${role}.password`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
    return fs.readFileSync(file, 'utf8').trim();
  };
  return { api: read('api'), worker: read('worker'), portal: read('portal') };
}
export function roleUrls(config: Config): Record<DbRole, string> {
  const p = rolePasswords(config);
  return {
    api: config.API_DATABASE_URL ?? urlAs(config.DATABASE_URL, DB_ROLES.api, p.api),
    worker: config.WORKER_DATABASE_URL ?? urlAs(config.DATABASE_URL, DB_ROLES.worker, p.worker),
    portal: config.PORTAL_DATABASE_URL ?? urlAs(config.DATABASE_URL, DB_ROLES.portal, p.portal),
  };
}
const httpOk = (url: string) => async () => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
};

export function services(config: Config): Service[] {
  const temporalPort = Number(config.TEMPORAL_ADDRESS.split(':').pop());
  const smtpPort = Number(new URL(config.SMTP_URL).port || 25);
  const simPort = Number(new URL(config.SIMULATOR_URL).port || 80);
  return [
    {
      name: 'postgres',
      port: config.POSTGRES_PORT,
      portVar: 'POSTGRES_PORT',
      url: config.DATABASE_URL,
      stopSignal: 'SIGINT', // fast shutdown: abort transactions, checkpoint, exit
      async spec() {
        const dataDir = path.join(config.home, 'pgdata');
        await initPostgres(dataDir);
        return postgresCommand(dataDir, config.POSTGRES_PORT);
      },
      ready: () => isPortOpen(config.POSTGRES_PORT),
      async after() {
        await ensureDatabase(config.DATABASE_URL);
        const db = createDb(config.DATABASE_URL, { max: 1 });
        try {
          await ensureDbRoles(db, rolePasswords(config));
          await migrateLatest(db); // and the roles' grants
        } finally {
          await db.destroy();
        }
      },
    },
    {
      name: 'temporal',
      port: temporalPort,
      portVar: 'TEMPORAL_ADDRESS',
      url: config.TEMPORAL_ADDRESS,
      async spec() {
        return {
          command: findBinary('temporal', 'TEMPORAL_BIN'),
          args: temporalDevArgs({ port: temporalPort, uiPort: config.TEMPORAL_UI_PORT, dbFile: path.join(config.home, 'temporal.sqlite'), namespace: config.TEMPORAL_NAMESPACE }),
        };
      },
      ready: () => temporalHealthy(config.TEMPORAL_ADDRESS),
    },
    {
      name: 'smtp',
      port: smtpPort,
      portVar: 'SMTP_URL',
      url: `smtp://127.0.0.1:${smtpPort} (messages: http://127.0.0.1:${config.SMTP_SINK_WEB_PORT}/api/messages)`,
      spec: async () => cli(config, ['smtp-sink']),
      ready: httpOk(`http://127.0.0.1:${config.SMTP_SINK_WEB_PORT}/api/messages`),
    },
    {
      name: 'simulator',
      port: simPort,
      portVar: 'SIMULATOR_URL',
      url: config.SIMULATOR_URL,
      // The simulator stands for the platforms, a system of its own: it keeps the owner's URL for its schemas.
      spec: async () => cli(config, ['simulator']),
      ready: httpOk(`${config.SIMULATOR_URL}/healthz`),
    },
    {
      name: 'worker',
      port: 0,
      portVar: '',
      url: `task queue ${config.TEMPORAL_TASK_QUEUE}`,
      spec: async () => cli(config, ['worker'], { WORKER_DATABASE_URL: roleUrls(config).worker }),
      // Ready when the server sees the worker polling its task queue.
      ready: () =>
        withTemporal(config.TEMPORAL_ADDRESS, async (c) => {
          const r = await c.workflowService.describeTaskQueue({
            namespace: config.TEMPORAL_NAMESPACE,
            taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
            taskQueueType: 1, // workflow task queue
          });
          return (r.pollers ?? []).length > 0;
        }),
    },
    {
      name: 'portal',
      port: config.PORTAL_PORT,
      portVar: 'PORTAL_PORT',
      url: `http://127.0.0.1:${config.PORTAL_PORT}`,
      spec: async () => cli(config, ['portal'], { PORTAL_DATABASE_URL: roleUrls(config).portal }),
      ready: httpOk(`http://127.0.0.1:${config.PORTAL_PORT}/healthz`),
    },
    {
      name: 'api',
      port: config.CONTROL_API_PORT,
      portVar: 'CONTROL_API_PORT',
      url: config.ECP_CUTOVER_API_URL,
      spec: async () => cli(config, ['api'], { API_DATABASE_URL: roleUrls(config).api }),
      ready: httpOk(`http://127.0.0.1:${config.CONTROL_API_PORT}/healthz`),
    },
  ];
}

async function withTemporal(address: string, fn: (c: Connection) => Promise<boolean>): Promise<boolean> {
  let c: Connection | undefined;
  try {
    c = await Connection.connect({ address, connectTimeout: '1s' });
    return await fn(c);
  } catch {
    return false;
  } finally {
    await c?.close();
  }
}

/** True once a Temporal server answers its health check at `address` (false while it starts or is down). */
export const temporalHealthy = (address: string) => withTemporal(address, async (c) => (await c.healthService.check({})) !== undefined);

const pidFile = (config: Config, name: string) => path.join(config.home, 'run', `${name}.pid`);
const logFile = (config: Config, name: string) => path.join(config.home, 'logs', `${name}.log`);

export function runningPid(config: Config, name: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFile(config, name), 'utf8').trim());
    return pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

export async function up(config: Config, report: (line: string) => void): Promise<void> {
  fs.mkdirSync(path.join(config.home, 'run'), { recursive: true });
  fs.mkdirSync(path.join(config.home, 'logs'), { recursive: true });
  // The key the workers verify workflow commands with (and the control API signs them with).
  if (!config.COMMAND_SIGNING_KEY) ensureSecretFile(config.commandKeyFile);
  // The simulator's admin credential, which the worker's and the API's gateway present.
  if (!config.SIMULATOR_ADMIN_TOKEN) ensureSecretFile(config.simulatorTokenFile);
  const all = services(config);
  // Check every port first, so a clash is reported before anything starts.
  for (const s of all) {
    if (s.port && runningPid(config, s.name) === null && (await isPortOpen(s.port))) {
      throw new InputError(`port ${s.port} for ${s.name} is taken by another program: stop it or set ${s.portVar} to a free port`);
    }
  }
  for (const s of all) {
    const existing = runningPid(config, s.name);
    if (existing !== null) {
      report(`${s.name.padEnd(10)} already running (pid ${existing})  ${s.url}`);
      continue;
    }
    const log = logFile(config, s.name);
    const pid = spawnDetached(await s.spec(), log);
    fs.writeFileSync(pidFile(config, s.name), String(pid));
    try {
      await waitFor(s.name, s.ready, 60_000, () => isAlive(pid));
      if (!isAlive(pid)) throw new Error(`${s.name} exited`);
      await s.after?.();
    } catch (err) {
      throw new Error(`${s.name} did not start (${(err as Error).message}); last lines of ${log}:\n${tail(log, 8)}`, { cause: err });
    }
    report(`${s.name.padEnd(10)} started (pid ${pid})  ${s.url}`);
  }
}

export async function down(config: Config, report: (line: string) => void): Promise<void> {
  for (const s of [...services(config)].reverse()) {
    const pid = runningPid(config, s.name);
    if (pid !== null) {
      await stopPid(pid, 15_000, s.stopSignal);
      report(`${s.name.padEnd(10)} stopped (pid ${pid})`);
    }
    fs.rmSync(pidFile(config, s.name), { force: true });
  }
}

export function status(config: Config) {
  return services(config).map((s) => ({ name: s.name, pid: runningPid(config, s.name), url: s.url, log: logFile(config, s.name) }));
}
