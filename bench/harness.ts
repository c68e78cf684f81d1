import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../config/config';
import { createDb, ensureDatabase, migrateLatest, type Db } from '../db/connection';
import { seedCatalog } from '../db/seed';
import { createAppStores } from '../stores/app-stores';
import { addOperator } from '../stores/operator-store';
import { initPostgres, postgresCommand, PG_PASSWORD, PG_USER } from '../dev/postgres';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../worker/node-flags';
import {
  freeLowPorts,
  freePort,
  isAlive,
  isPortOpen,
  spawnDetached,
  stopPid,
  tail,
  waitFor,
} from '../dev/process';
import { temporalHealthy } from '../dev/stack';
import { findBinary, PROJECT_ROOT, temporalDevArgs } from '../dev/tools';
import { prepareTemporalServer, registerNamespace, type ServerTuning } from '../dev/temporal-server';
import { randomBytes } from 'node:crypto';
import { startSimulator, type Simulator } from '../simulator/server';
import { startSmtpSink, type SmtpSink } from '../smtp-sink/server';
import type { AppDeps } from '../app/context';
import { createHttpGateway } from '../platform/http-gateway';
import {
  createCommandSigner,
  ensureSecretFile,
  loadCommandKey,
  simulatorAdminToken,
} from '../security/command-signing';

const CLI = path.join(PROJECT_ROOT, 'bin', 'ecp-cutover.mjs');

/**
 * A private embedded stack for the benchmarks and the fault drills, every piece real and each one
 * restartable on its own: PostgreSQL, Temporal and the worker are processes. Temporal is the dev server (on a
 * SQLite file, so a restart keeps its workflows) or, with `temporal: 'server'`, the real Temporal server with
 * its history and visibility on the same PostgreSQL, and a second worker that stays up throughout (the
 * production topology: one worker can die while the other carries on); the platform simulator and the SMTP sink run in this process, so
 * that a drill can stop the sink or inject platform faults. Everything lives under one temporary directory,
 * removed by close().
 */
export interface Harness {
  dir: string;
  config: Config;
  db: Db;
  client: Client;
  /** The application layer's dependencies on this stack (with its own command-signing key). */
  app: AppDeps;
  sim: Simulator;
  sink(): SmtpSink | null;
  /** A database of its own on the same server (migrated, seeded), for a run that must not share state. */
  extraDatabase(name: string): Promise<{ db: Db; url: string }>;
  startWorker(): Promise<number>;
  killWorker(): Promise<void>;
  /** Starts the working peak over (a benchmark measures each of its rows). */
  resetWorkerPeak(): void;
  /** The largest V8 heap in use the worker logged since the last reset (garbage included, so an upper bound of the live heap). */
  workerHeapPeakMiB(): number;
  /** `p`, unless the worker dies unasked first: then an error with the end of its log. */
  untilWorkerDies<T>(p: Promise<T>): Promise<T>;
  /** How many times killWorker() has killed a worker. */
  kills(): number;
  /**
   * CPU time (user + system, ms) used so far by the workers, Temporal, PostgreSQL (the postmaster and its
   * backends) and this process (the simulator and the sink): what a folder costs, which other loads on the
   * machine change far less than they change wall time. Counters since each process started: take differences.
   */
  cpuMs(): { workers: number; temporal: number; postgres: number; harness: number };
  /** The worker's peak resident memory (VmHWM, MiB) while it worked, and while it started; across restarts. */
  workerPeakRssMiB(): { working: number; starting: number };
  /** Which Temporal runs, and how many workers (the second, with the server, is never killed). */
  temporal: 'dev' | 'server';
  restartTemporal(): Promise<void>;
  /**
   * Runs the stack with other settings from now on (a benchmark's lever): Temporal is restarted when its
   * settings change (on new, empty databases when the shard count does), the workers are always restarted.
   */
  retune(tuning: StackTuning): Promise<void>;
  restartPostgres(): Promise<void>;
  stopSink(): Promise<void>;
  startSink(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** How long legacy takes to process an accepted file. */
  processingDelayMs?: number;
  /** The SMTP sink keeps only envelopes and Message-IDs (see startSmtpSink): for large mail volumes. */
  headersOnlySink?: boolean;
  log?: (line: string) => void;
  /** Which Temporal: the CLI's dev server (default) or the real server on PostgreSQL, with a second worker. */
  temporal?: 'dev' | 'server';
  tuning?: StackTuning;
}

/** What a benchmark's lever changes: Temporal's settings (ServerTuning; the dev server takes only dynamicConfig) and the workers'. */
export interface StackTuning extends ServerTuning {
  /** Extra environment of the workers (WORKER_TUNING, WORKER_NODE_FLAGS, …). */
  workerEnv?: Record<string, string>;
  /** Another build's `bin/ecp-cutover.mjs` for the workers: the code before a change, against the code after. */
  workerCli?: string;
}

/**
 * utime + stime of a process, cutime + cstime (its children that ended and were waited for) and its parent's pid,
 * from /proc (Linux); null once it is gone.
 */
export function procTimes(pid: number): { ms: number; endedChildrenMs: number; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state ppid … utime(14) stime(15) cutime(16) cstime(17).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // USER_HZ is 100 on Linux
    return {
      ms: (Number(f[11]) + Number(f[12])) * 10,
      endedChildrenMs: (Number(f[13]) + Number(f[14])) * 10,
      ppid: Number(f[1]),
    };
  } catch {
    return null;
  }
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const log = opts.log ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-cutover-harness-'));
  fs.chmodSync(dir, 0o755);
  const kind = opts.temporal ?? 'dev';
  let tuning: StackTuning = opts.tuning ?? {};
  // The real server binds ten ports, some only after its own start-up: they come from below the kernel's
  // ephemeral range (freeLowPorts), where no outgoing connection can take one in the meantime.
  const low = kind === 'server' ? await freeLowPorts(10) : 0;
  const [pgPort, temporalPort, simPort, smtpPort] = [
    await freePort(),
    low || (await freePort()),
    await freePort(),
    await freePort(),
  ];
  const pids: Record<'postgres' | 'temporal' | 'worker' | 'steady', number | null> = {
    postgres: null,
    temporal: null,
    worker: null,
    steady: null,
  };
  let workerRuns = 0;
  let kills = 0;
  let peakRss = 0;
  let startupPeak = 0;

  const pgData = path.join(dir, 'pgdata');
  await initPostgres(pgData);
  const startPostgres = async () => {
    const pid = spawnDetached(postgresCommand(pgData, pgPort), path.join(dir, 'postgres.log'));
    pids.postgres = pid;
    await waitFor(
      `postgres (${tail(path.join(dir, 'postgres.log'))})`,
      () => isPortOpen(pgPort),
      60_000,
      () => isAlive(pid),
    );
  };
  const serverPassword = randomBytes(12).toString('hex');
  const adminUrl = `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${pgPort}/postgres`;
  const serverPorts =
    kind === 'server'
      ? {
          frontend: low,
          history: low + 1,
          matching: low + 2,
          worker: low + 3,
          http: low + 4,
          metrics: low + 5,
          membership: [low + 6, low + 7, low + 8, low + 9] as [number, number, number, number],
        }
      : null;
  const temporalName = kind === 'server' ? 'temporal server' : 'temporal dev server';
  const startTemporal = async () => {
    const temporalLog = path.join(dir, 'temporal.log');
    const spec = serverPorts
      ? await prepareTemporalServer({
          dir: path.join(dir, 'temporal-server'),
          adminUrl,
          user: 'temporal',
          password: serverPassword,
          ports: serverPorts,
          tuning,
        })
      : {
          command: findBinary('temporal', 'TEMPORAL_BIN'),
          args: temporalDevArgs({
            port: temporalPort,
            dbFile: path.join(dir, 'temporal.sqlite'),
            dynamicConfig: tuning.dynamicConfig,
          }),
        };
    const pid = spawnDetached(spec, temporalLog);
    pids.temporal = pid;
    await waitFor(
      temporalName,
      () => temporalHealthy(`127.0.0.1:${temporalPort}`),
      120_000,
      () => isAlive(pid),
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last lines of ${temporalLog}: ${tail(temporalLog)}`, { cause: err });
    });
    if (serverPorts) await registerNamespace(`127.0.0.1:${temporalPort}`, 'default', log);
  };
  await startPostgres();
  await startTemporal().catch(async (err: unknown) => {
    // Not half-started: what did start is stopped, and its directory removed.
    if (pids.temporal !== null) await stopPid(pids.temporal, 15_000);
    await stopPid(pids.postgres!, 15_000, 'SIGINT');
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  });

  const config = loadConfig({
    ...process.env,
    ECP_CUTOVER_HOME: dir,
    DATABASE_URL: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${pgPort}/ecp_cutover`,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: 'ecp-cutover-harness',
    SIMULATOR_URL: `http://127.0.0.1:${simPort}`,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    LOG_LEVEL: 'warn',
  });
  const extraDatabase = async (name: string) => {
    const url = config.DATABASE_URL.replace(/\/ecp_cutover$/, `/${name}`);
    await ensureDatabase(url);
    const db = createDb(url, { max: 10 });
    await migrateLatest(db);
    await seedCatalog(db);
    // The operators the benchmarks and drills act as (host-local: they hold the database and the key anyway).
    for (const [name, roles] of [
      ['alice', ['planner']],
      ['bob', ['approver']],
    ] as const) {
      if (!(await db('operator_roles').where({ operator: name }).first()))
        await addOperator(db, name, [...roles], 'harness');
    }
    return { db, url };
  };
  const { db } = await extraDatabase('ecp_cutover');
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: 'default' });
  ensureSecretFile(config.simulatorTokenFile);
  const simToken = simulatorAdminToken(config)!;
  const sim = await startSimulator({
    db,
    port: simPort,
    processingDelayMs: opts.processingDelayMs ?? 200,
    adminToken: simToken,
  });
  ensureSecretFile(config.commandKeyFile);
  const gateway = createHttpGateway(config.SIMULATOR_URL, simToken);
  const app: AppDeps = {
    stores: createAppStores(db, gateway),
    temporal: client,
    config,
    signer: createCommandSigner(loadCommandKey(config)),
    gateway,
  };
  let sink: SmtpSink | null = null;
  const storeFile = path.join(dir, 'mail.jsonl');
  const startSink = async () => {
    sink = await startSmtpSink({ smtpPort, storeFile, headersOnly: opts.headersOnlySink });
  };
  await startSink();

  // The worker's peak resident memory: while it starts (bundling the workflow code), and then while it works.
  let starting = false;
  const samplePeak = () => {
    if (pids.worker === null) return;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pids.worker}/status`, 'utf8'));
      const mib = m ? Number(m[1]) / 1024 : 0;
      if (starting) startupPeak = Math.max(startupPeak, mib);
      else peakRss = Math.max(peakRss, mib);
    } catch {
      // the worker is gone: its last sample stands
    }
  };
  // A worker that dies unasked (out of memory, a crash) fails whatever waits on `untilWorkerDies`, with the end
  // of its log: a benchmark or a drill stops and says why, rather than waiting for a batch no worker serves.
  let workerLog = '';
  let steadyLog = path.join(dir, 'worker-steady.log');
  let logFrom = 0;
  let stopping = false;
  let workerDied: (err: Error) => void = () => undefined;
  const died = new Promise<never>((_, reject) => (workerDied = reject));
  died.catch(() => undefined);
  const sampler = setInterval(() => {
    samplePeak();
    if (pids.worker !== null && !stopping && !isAlive(pids.worker)) {
      workerDied(
        new Error(`the worker (pid ${pids.worker}) died: ${tail(workerLog, 8)} (log: ${workerLog})`),
      );
      pids.worker = null;
    }
    if (pids.steady !== null && !stopping && !isAlive(pids.steady)) {
      workerDied(
        new Error(`the second worker (pid ${pids.steady}) died: ${tail(steadyLog, 8)} (log: ${steadyLog})`),
      );
      pids.steady = null;
    }
  }, 500);

  const spawnWorker = async (logFile: string) => {
    const env = {
      // The worker logs its memory every second: the live heap is read from there (workerHeapPeakMiB).
      WORKER_MEMORY_LOG: '1s',
      ...process.env,
      ...WORKER_ENV,
      DATABASE_URL: config.DATABASE_URL,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      // info: the harness reads the worker's "worker polling" and memory lines from its log.
      SIMULATOR_URL: config.SIMULATOR_URL,
      SMTP_URL: config.SMTP_URL,
      LOG_LEVEL: 'info',
      COMMAND_SIGNING_KEY_FILE: config.commandKeyFile,
      SIMULATOR_ADMIN_TOKEN: simToken,
    };
    const flags =
      tuning.workerEnv?.WORKER_NODE_FLAGS !== undefined
        ? tuning.workerEnv.WORKER_NODE_FLAGS.split(' ').filter(Boolean)
        : WORKER_NODE_FLAGS;
    const pid = spawnDetached(
      {
        command: process.execPath,
        args: [...flags, tuning.workerCli ?? CLI, 'worker'],
        cwd: PROJECT_ROOT,
        env: { ...env, ...tuning.workerEnv },
      },
      logFile,
    );
    return {
      pid,
      ready: () =>
        waitFor(
          `worker (log: ${logFile})`,
          async () => fs.readFileSync(logFile, 'utf8').includes('worker polling'),
          120_000,
          () => isAlive(pid),
        ),
    };
  };
  const startWorker = async () => {
    workerRuns++;
    const logFile = path.join(dir, `worker-${workerRuns}.log`);
    workerLog = logFile;
    starting = true;
    const { pid, ready } = await spawnWorker(logFile);
    pids.worker = pid;
    await ready();
    samplePeak();
    // Linux: writing 5 to clear_refs resets VmHWM, so that from here on the peak counts the work, not the start.
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    starting = false;
    log(`worker started (pid ${pid}, ${Math.round(startupPeak)} MiB peak while starting)`);
    return pid;
  };
  const killWorker = async () => {
    if (pids.worker === null) return;
    samplePeak();
    stopping = true;
    await stopPid(pids.worker, 0, 'SIGKILL');
    kills++;
    log(`worker killed with SIGKILL (pid ${pids.worker})`);
    pids.worker = null;
    stopping = false;
  };

  if (kind === 'server') {
    const { pid, ready } = await spawnWorker(steadyLog);
    pids.steady = pid;
    await ready();
    log(`second worker started (pid ${pid}); it stays up throughout`);
  }

  return {
    dir,
    config,
    db,
    client,
    app,
    sim,
    extraDatabase,
    startWorker,
    killWorker,
    temporal: kind,
    sink: () => sink,
    kills: () => kills,
    cpuMs() {
      const of = (pid: number | null) => (pid === null ? 0 : (procTimes(pid)?.ms ?? 0));
      // The postmaster, the backends that ended (it waits for each: a run's connections closed before the
      // second reading still count) and the live ones.
      let postgres =
        of(pids.postgres) + (pids.postgres === null ? 0 : (procTimes(pids.postgres)?.endedChildrenMs ?? 0));
      for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const t = procTimes(Number(entry));
        if (t && t.ppid === pids.postgres) postgres += t.ms;
      }
      const self = process.cpuUsage();
      return {
        workers: of(pids.worker) + of(pids.steady),
        temporal: of(pids.temporal),
        postgres,
        harness: Math.round((self.user + self.system) / 1000),
      };
    },
    workerPeakRssMiB: () => (
      samplePeak(),
      { working: Math.round(peakRss), starting: Math.round(startupPeak) }
    ),
    untilWorkerDies: <T>(p: Promise<T>): Promise<T> => Promise.race([p, died]),
    resetWorkerPeak() {
      if (pids.worker === null) return;
      fs.writeFileSync(`/proc/${pids.worker}/clear_refs`, '5');
      peakRss = 0;
      logFrom = fs.statSync(workerLog).size;
    },
    workerHeapPeakMiB() {
      const text = fs.readFileSync(workerLog, 'utf8').slice(logFrom);
      return Math.max(
        0,
        ...[...text.matchAll(/memory: rss \d+ MiB, heap (\d+)\//g)].map((m) => Number(m[1])),
      );
    },
    async restartTemporal() {
      await stopPid(pids.temporal!, 15_000);
      log(`${temporalName} stopped`);
      await startTemporal();
      log(
        `${temporalName} started again on the same ${kind === 'server' ? 'PostgreSQL databases' : 'SQLite file'}`,
      );
    },
    async retune(next) {
      const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
      const temporalChanges =
        !same(tuning.dynamicConfig, next.dynamicConfig) ||
        !same(tuning.historyShards, next.historyShards) ||
        !same(tuning.maxConns, next.maxConns);
      const newShards = !same(tuning.historyShards, next.historyShards);
      tuning = next;
      const running = pids.worker !== null;
      await killWorker();
      if (running) kills--; // not a fault: a restart with other settings
      stopping = true;
      if (pids.steady !== null) await stopPid(pids.steady, 0, 'SIGKILL');
      pids.steady = null;
      if (temporalChanges) {
        await stopPid(pids.temporal!, 15_000);
        if (newShards && kind === 'server') {
          // The shard count is the cluster's for life: a new count needs new databases (the old runs are over).
          const admin = createDb(adminUrl, { max: 1 });
          try {
            for (const name of ['temporal', 'temporal_visibility'])
              await admin.raw('drop database if exists ?? with (force)', [name]);
          } finally {
            await admin.destroy();
          }
        }
        if (kind === 'dev' && newShards)
          throw new Error('the dev server has one history shard; historyShards is for --temporal server');
        await startTemporal();
        log(
          `${temporalName} restarted with ${JSON.stringify({ dynamicConfig: next.dynamicConfig, historyShards: next.historyShards, maxConns: next.maxConns })}`,
        );
      }
      stopping = false;
      if (kind === 'server') {
        steadyLog = path.join(dir, `worker-steady-${workerRuns + 1}.log`);
        const { pid, ready } = await spawnWorker(steadyLog);
        pids.steady = pid;
        await ready();
      }
      await startWorker();
    },
    async restartPostgres() {
      await stopPid(pids.postgres!, 15_000, 'SIGINT');
      log('postgres stopped');
      await startPostgres();
      log('postgres started again');
    },
    async stopSink() {
      await sink?.close();
      sink = null;
      log('SMTP sink stopped');
    },
    async startSink() {
      await startSink();
      log('SMTP sink started again');
    },
    async close() {
      clearInterval(sampler);
      stopping = true;
      await killWorker();
      if (pids.steady !== null) await stopPid(pids.steady, 0, 'SIGKILL');
      await sink?.close();
      await sim.close();
      await connection.close();
      await db.destroy();
      await stopPid(pids.temporal!, 15_000);
      await stopPid(pids.postgres!, 15_000, 'SIGINT');
      // BENCH_KEEP_LOGS=1 keeps the logs (the worker's memory log: WORKER_MEMORY_LOG=1s).
      if (process.env.BENCH_KEEP_LOGS === '1') log(`logs kept in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
