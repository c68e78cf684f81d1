import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import type { Config } from '../config/config';
import { ensureDatabase, createDb, migrateLatest } from '../db/connection';
import { InputError } from '../domain/errors';
import { initPostgres, postgresCommand } from './postgres';
import { isAlive, isPortOpen, spawnDetached, stopPid, tail, waitFor, type SpawnSpec } from './process';
import {
  findBinary,
  PROJECT_ROOT,
  SEARCH_ATTRIBUTES,
  TEMPORAL_SERVER_VERSION,
  temporalDevArgs,
} from './tools';
import { portsFrom, prepareTemporalServer, registerNamespace, serverBinaries } from './temporal-server';
import { DEFAULT_PROFILE, describeProfile, workerMetricsPort, workerNames, type Profile } from './profile';
import { randomBytes } from 'node:crypto';
import { DB_ROLES, ensureDbRoles, urlAs, type DbRole } from '../db/grants';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../worker/node-flags';
import { ensureSecretFile } from '../security/command-signing';
import { temporalTls } from '../config/temporal';

/**
 * The embedded stack behind `ecp-cutover dev up|down|status`: each service is a background process whose
 * pid is kept in <home>/run/<name>.pid, its output in <home>/logs/<name>.log, its data under <home>.
 * `up` is idempotent (a running service is left alone); `down` stops exactly the pids `up` recorded.
 * Which services run is the profile's (dev/profile.ts), kept in <home>/run/profile.json.
 */
const profileFile = (config: Config) => path.join(config.home, 'run', 'profile.json');
export function savedProfile(config: Config): Profile {
  try {
    return {
      ...DEFAULT_PROFILE,
      ...(JSON.parse(fs.readFileSync(profileFile(config), 'utf8')) as Partial<Profile>),
    };
  } catch {
    return DEFAULT_PROFILE;
  }
}

export interface Service {
  name: string;
  port: number;
  /** The variable that moves the port, for the "port taken" message. */
  portVar: string;
  /** Further ports the service listens on, each with the variable that moves it. */
  morePorts?: { port: number; portVar: string }[];
  url: string;
  spec(): Promise<SpawnSpec>;
  ready(pid: number): Promise<boolean>;
  stopSignal?: NodeJS.Signals;
  /** Set-up once it is ready (idempotent), saying what it did. */
  after?(report: (line: string) => void): Promise<void>;
}

const CLI = path.join(PROJECT_ROOT, 'bin', 'ecp-cutover.mjs');
const cli = (config: Config, args: string[], env: Record<string, string> = {}): SpawnSpec => ({
  command: process.execPath,
  args: [...(args[0] === 'worker' ? WORKER_NODE_FLAGS : []), CLI, ...args],
  cwd: PROJECT_ROOT,
  // A directory import also loads the simulator's Client Connect: on this stack the platform is ours.
  env: {
    ...process.env,
    ...(args[0] === 'worker' ? WORKER_ENV : {}),
    ECP_CUTOVER_HOME: config.home,
    LOAD_DIRECTORY_INTO_PLATFORM: 'true',
    ...env,
  },
});

/**
 * The embedded stack's database roles (db/grants.ts): each process connects as its own, with a password
 * kept under <home>/secrets (mode 0600). Production sets API_DATABASE_URL, WORKER_DATABASE_URL and
 * PORTAL_DATABASE_URL instead.
 */
function rolePasswords(config: Config): Record<DbRole | 'temporal', string> {
  const dir = path.join(config.home, 'secrets');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const read = (role: DbRole | 'temporal') => {
    const file = path.join(dir, `db-${role}.password`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
    return fs.readFileSync(file, 'utf8').trim();
  };
  return { api: read('api'), worker: read('worker'), portal: read('portal'), temporal: read('temporal') };
}
export function roleUrls(config: Config): Record<DbRole, string> {
  const p = rolePasswords(config);
  return {
    api: config.API_DATABASE_URL ?? urlAs(config.DATABASE_URL, DB_ROLES.api, p.api),
    worker: config.WORKER_DATABASE_URL ?? urlAs(config.DATABASE_URL, DB_ROLES.worker, p.worker),
    portal: config.PORTAL_DATABASE_URL ?? urlAs(config.DATABASE_URL, DB_ROLES.portal, p.portal),
  };
}
/** The server at `url` answers a query (on its maintenance database: the project's may not exist yet). */
async function acceptsConnections(url: string): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const httpOk = (url: string) => async () => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
};

export function services(config: Config, profile: Profile = DEFAULT_PROFILE): Service[] {
  const temporalPort = Number(config.TEMPORAL_ADDRESS.split(':').pop());
  const smtpPort = Number(new URL(config.SMTP_URL).port || 25);
  const simPort = Number(new URL(config.SIMULATOR_URL).port || 80);
  const postgres: Service = {
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
    // Accepting connections, not only listening: a restarted server refuses them for a moment ("the database
    // system is starting up"), and the set-up below would fail on that.
    ready: async () => (await isPortOpen(config.POSTGRES_PORT)) && acceptsConnections(config.DATABASE_URL),
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
  };
  const devTemporal: Service = {
    name: 'temporal',
    port: temporalPort,
    portVar: 'TEMPORAL_ADDRESS',
    url: `${config.TEMPORAL_ADDRESS} (dev server)`,
    async spec() {
      return {
        command: findBinary('temporal', 'TEMPORAL_BIN'),
        args: temporalDevArgs({
          port: temporalPort,
          uiPort: config.TEMPORAL_UI_PORT,
          dbFile: path.join(config.home, 'temporal.sqlite'),
          namespace: config.TEMPORAL_NAMESPACE,
        }),
      };
    },
    ready: () => temporalHealthy(config.TEMPORAL_ADDRESS),
  };
  // The real server: its history and visibility in two databases of the same PostgreSQL, as its own role.
  const serverTemporal: Service = {
    name: 'temporal',
    port: temporalPort,
    portVar: 'TEMPORAL_ADDRESS',
    url: `${config.TEMPORAL_ADDRESS} (Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL)`,
    spec: () =>
      prepareTemporalServer({
        dir: path.join(config.home, 'temporal-server'),
        adminUrl: config.DATABASE_URL,
        user: 'temporal',
        password: rolePasswords(config).temporal,
        ports: portsFrom(temporalPort),
      }),
    ready: () => temporalHealthy(config.TEMPORAL_ADDRESS),
    after: (report) => registerNamespace(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, report),
  };
  const worker = (name: string, i: number): Service => ({
    name,
    port: workerMetricsPort(config, i),
    portVar: 'WORKER_METRICS_PORT',
    url: `task queue ${config.TEMPORAL_TASK_QUEUE}, metrics http://127.0.0.1:${workerMetricsPort(config, i)}/metrics`,
    spec: async () =>
      cli(config, ['worker'], {
        WORKER_DATABASE_URL: roleUrls(config).worker,
        WORKER_METRICS_PORT: String(workerMetricsPort(config, i)),
        // A rehearsal's rendered notices go to a platform team's address in the SMTP sink (never a firm's), unless one is configured.
        ...(config.REHEARSAL_NOTICE_EMAIL || config.OPS_ALERT_EMAIL
          ? {}
          : { REHEARSAL_NOTICE_EMAIL: 'ecp-platform-team@hkex.example' }),
      }),
    // Ready when the server sees this worker (identity pid@host) polling its task queue.
    ready: (pid) =>
      withTemporal(
        config.TEMPORAL_ADDRESS,
        async (c) => {
          const r = await c.workflowService.describeTaskQueue({
            namespace: config.TEMPORAL_NAMESPACE,
            taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
            taskQueueType: 1, // workflow task queue
          });
          return (r.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
        },
        temporalTls(config),
      ),
    // Once a worker serves the task queue, the reconciler's Schedule (a pass every RECONCILE_INTERVAL).
    ...(name === 'worker' ? { after: () => ensureSchedule(config) } : {}),
  });
  const ext = new Set(profile.external);
  return [
    ...(ext.has('postgres') ? [] : [postgres]),
    ...(ext.has('temporal') ? [] : [profile.temporal === 'server' ? serverTemporal : devTemporal]),
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
      // ECP 2.0's SFTP channel too, its host key made once under <home>/secrets.
      // and the platforms' rehearsal environment beside the live one (issue 28), with its own database.
      morePorts: [
        { port: config.SIMULATOR_SFTP_PORT, portVar: 'SIMULATOR_SFTP_PORT' },
        {
          port: Number(new URL(config.REHEARSAL_PLATFORM_URL).port || 80),
          portVar: 'REHEARSAL_PLATFORM_URL',
        },
      ],
      url: `${config.SIMULATOR_URL} (SFTP: sftp://127.0.0.1:${config.SIMULATOR_SFTP_PORT}; rehearsal environment: ${config.REHEARSAL_PLATFORM_URL})`,
      // The simulator stands for the platforms, a system of its own: it keeps the owner's URL for its schemas.
      spec: async () => cli(config, ['simulator', '--rehearsal']),
      ready: async () =>
        (await httpOk(`${config.SIMULATOR_URL}/healthz`)()) &&
        (await isPortOpen(config.SIMULATOR_SFTP_PORT)) &&
        (await httpOk(`${config.REHEARSAL_PLATFORM_URL}/healthz`)()),
    },
    // The server profile runs the production topology: two workers on one task queue.
    ...workerNames(profile).map(worker),
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

/**
 * The external services of a profile, checked before anything starts: one line saying what is wrong and
 * what to do when one is not reachable, not migrated or not set up for this project.
 */
async function checkExternal(
  config: Config,
  profile: Profile,
  report: (line: string) => void,
): Promise<void> {
  if (profile.external.includes('postgres')) {
    const where = new URL(config.DATABASE_URL);
    where.password = '';
    const db = createDb(config.DATABASE_URL, { max: 1 });
    try {
      await db.raw('select 1').catch((err: Error) => {
        throw new InputError(
          `PostgreSQL at ${where.host} (DATABASE_URL) is not reachable: ${err.message}; start it or fix DATABASE_URL`,
        );
      });
      const [, pending] = (await db.migrate.list()) as [unknown[], unknown[]];
      if (pending.length)
        throw new InputError(
          `database ${where.pathname.slice(1)} at ${where.host} is not migrated (${pending.length} migrations pending): run 'ecp-cutover db migrate' with its DATABASE_URL`,
        );
    } finally {
      await db.destroy();
    }
    for (const [role, url] of Object.entries(roleUrls(config))) {
      const r = createDb(url, { max: 1 });
      try {
        await r.raw('select 1');
      } catch (err) {
        throw new InputError(
          `the ${role} role cannot connect to ${where.host}: ${(err as Error).message}; set ${role.toUpperCase()}_DATABASE_URL`,
          { cause: err },
        );
      } finally {
        await r.destroy();
      }
    }
    report(`postgres   external, reachable and migrated  ${where.host}${where.pathname}`);
  }
  if (profile.external.includes('temporal')) {
    if (!(await temporalHealthy(config.TEMPORAL_ADDRESS, temporalTls(config)))) {
      throw new InputError(
        `Temporal at ${config.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS) is not reachable: start it or fix TEMPORAL_ADDRESS`,
      );
    }
    const missing = await withTemporalValue(
      config.TEMPORAL_ADDRESS,
      async (c) => {
        const ns = config.TEMPORAL_NAMESPACE;
        const known = await c.workflowService.describeNamespace({ namespace: ns }).then(
          () => true,
          (err: { code?: number }) => {
            if (err.code === 5) return false; // NOT_FOUND; anything else (permission, unavailable) is said as it is
            throw err;
          },
        );
        if (!known)
          return `namespace ${ns} does not exist: create it (temporal operator namespace create --namespace ${ns})`;
        const have = await c.operatorService.listSearchAttributes({ namespace: ns });
        const absent = Object.keys(SEARCH_ATTRIBUTES).filter((k) => !(k in (have.customAttributes ?? {})));
        return absent.length
          ? `search attributes ${absent.join(', ')} are not registered in namespace ${ns}: ${absent.map((k) => `temporal operator search-attribute create --namespace ${ns} --name ${k} --type Keyword`).join('; ')}`
          : null;
      },
      temporalTls(config),
    ).catch((err: Error) => {
      throw new InputError(`Temporal at ${config.TEMPORAL_ADDRESS}: ${err.message}`, { cause: err });
    });
    if (missing) throw new InputError(`Temporal at ${config.TEMPORAL_ADDRESS}: ${missing}`);
    report(`temporal   external, serving namespace ${config.TEMPORAL_NAMESPACE}  ${config.TEMPORAL_ADDRESS}`);
  }
}

async function ensureSchedule(config: Config): Promise<void> {
  const [{ connectClient }, { ensureReconcileSchedule }] = await Promise.all([
    import('../config/temporal'),
    import('../app/reconcile'),
  ]);
  const client = await connectClient(config);
  try {
    await ensureReconcileSchedule(client, config);
  } finally {
    await client.connection.close();
  }
}

type Tls = ReturnType<typeof temporalTls>;
async function withTemporalValue<T>(
  address: string,
  fn: (c: Connection) => Promise<T>,
  tls?: Tls,
): Promise<T> {
  const c = await Connection.connect({ address, connectTimeout: '1s', tls });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}
const withTemporal = (address: string, fn: (c: Connection) => Promise<boolean>, tls?: Tls) =>
  withTemporalValue(address, fn, tls).catch(() => false);

/** True once a Temporal server answers its health check at `address` (false while it starts or is down). */
export const temporalHealthy = (address: string, tls?: Tls) =>
  withTemporal(address, async (c) => (await c.healthService.check({})) !== undefined, tls);

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

/**
 * Starts the stack. With no profile asked for (`requested` null: a plain `dev up`, the demo), the saved one;
 * a profile asked for is whole (a flag not given is its default), and a running stack must match it.
 */
export async function up(
  config: Config,
  report: (line: string) => void,
  requested: Partial<Profile> | null = null,
): Promise<Profile> {
  fs.mkdirSync(path.join(config.home, 'run'), { recursive: true });
  fs.mkdirSync(path.join(config.home, 'logs'), { recursive: true });
  const saved = savedProfile(config);
  const profile: Profile = requested ? { ...DEFAULT_PROFILE, ...requested } : saved;
  const server = profile.temporal === 'server' && !profile.external.includes('temporal');
  if (server && profile.external.includes('postgres')) {
    // The server would create its role and databases on someone else's PostgreSQL: not ours to do.
    throw new InputError(
      "--temporal server runs its own Temporal on the stack's own PostgreSQL: drop --external postgres, or run Temporal elsewhere and say --external postgres,temporal",
    );
  }
  const running = allServiceNames(config).filter((name) => runningPid(config, name) !== null);
  if (running.length && JSON.stringify(profile) !== JSON.stringify(saved)) {
    throw new InputError(
      `the stack runs with ${describeProfile(saved)} (${running.join(', ')}): run 'ecp-cutover dev down' first to start it with ${describeProfile(profile)}`,
    );
  }
  // What the server needs is checked before anything starts.
  const serverPorts = server ? portsFrom(Number(config.TEMPORAL_ADDRESS.split(':').pop())) : null;
  if (server) serverBinaries();
  await checkExternal(config, profile, report);
  fs.writeFileSync(profileFile(config), JSON.stringify(profile));
  // The key the workers verify workflow commands with (and the control API signs them with).
  if (!config.COMMAND_SIGNING_KEY) ensureSecretFile(config.commandKeyFile);
  // The simulator's admin credential, which the worker's and the API's gateway present.
  if (!config.SIMULATOR_ADMIN_TOKEN) ensureSecretFile(config.simulatorTokenFile);
  const all = services(config, profile);
  // Check every port first, so a clash is reported before anything starts.
  for (const s of all) {
    if (runningPid(config, s.name) !== null) continue;
    const ports =
      s.name === 'temporal' && serverPorts
        ? [...new Set(Object.values(serverPorts).flat())].map((port) => ({ port, portVar: s.portVar }))
        : [{ port: s.port, portVar: s.portVar }, ...(s.morePorts ?? [])];
    for (const { port, portVar } of ports.filter((p) => p.port)) {
      if (await isPortOpen(port))
        throw new InputError(
          `port ${port} for ${s.name} is taken by another program: stop it or set ${portVar} to a free port`,
        );
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
      await waitFor(
        s.name,
        () => s.ready(pid),
        120_000,
        () => isAlive(pid),
      );
      if (!isAlive(pid)) throw new Error(`${s.name} exited`);
      await s.after?.((line) => report(`${''.padEnd(11)}${line}`));
    } catch (err) {
      // Not half-started: the next `dev up` starts it (and runs its set-up) again.
      await stopPid(pid, 15_000, s.stopSignal);
      fs.rmSync(pidFile(config, s.name), { force: true });
      throw new Error(
        `${s.name} did not start (${(err as Error).message}); last lines of ${log}:\n${tail(log, 8)}`,
        { cause: err },
      );
    }
    report(`${s.name.padEnd(10)} started (pid ${pid})  ${s.url}`);
  }
  return profile;
}

/** Every service name any profile has: `down` stops whatever a pid file names, whichever profile started it. */
const allServiceNames = (config: Config) =>
  services(config, { temporal: 'server', external: [] }).map((s) => s.name);

export async function down(config: Config, report: (line: string) => void): Promise<void> {
  for (const s of services(config, { temporal: 'server', external: [] }).reverse()) {
    // every service any profile has
    const pid = runningPid(config, s.name);
    if (pid !== null) {
      await stopPid(pid, 15_000, s.stopSignal);
      report(`${s.name.padEnd(10)} stopped (pid ${pid})`);
    }
    fs.rmSync(pidFile(config, s.name), { force: true });
  }
}

export function status(config: Config) {
  const profile = savedProfile(config);
  return {
    profile,
    services: services(config, profile).map((s) => ({
      name: s.name,
      pid: runningPid(config, s.name),
      url: s.url,
      log: logFile(config, s.name),
    })),
  };
}
