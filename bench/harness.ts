import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../config/config';
import { createDb, ensureDatabase, migrateLatest, type Db } from '../db/connection';
import { seedCatalog } from '../db/seed';
import { addOperator } from '../stores/operator-store';
import { initPostgres, postgresCommand, PG_PASSWORD, PG_USER } from '../dev/postgres';
import { freePort, isAlive, isPortOpen, spawnDetached, stopPid, tail, waitFor } from '../dev/process';
import { temporalHealthy } from '../dev/stack';
import { findBinary, PROJECT_ROOT, temporalDevArgs } from '../dev/tools';
import { startSimulator, type Simulator } from '../simulator/server';
import { startSmtpSink, type SmtpSink } from '../smtp-sink/server';
import { WORKER_NODE_FLAGS } from '../worker/worker';
import type { AppDeps } from '../app/context';
import { createHttpGateway } from '../platform/http-gateway';
import { createCommandSigner, ensureSecretFile, loadCommandKey, simulatorAdminToken } from '../security/command-signing';

const CLI = path.join(PROJECT_ROOT, 'bin', 'ecp-cutover.mjs');

/**
 * A private embedded stack for the benchmarks and the fault drills, every piece real and each one
 * restartable on its own: PostgreSQL, the Temporal dev server (on a SQLite file, so a restart keeps its
 * workflows) and the worker are processes; the platform simulator and the SMTP sink run in this process, so
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
  /** How many times killWorker() has killed a worker. */
  kills(): number;
  /** The worker's peak resident memory (VmHWM, MiB) while it worked, and while it started; across restarts. */
  workerPeakRssMiB(): { working: number; starting: number };
  restartTemporal(): Promise<void>;
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
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const log = opts.log ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-cutover-harness-'));
  fs.chmodSync(dir, 0o755);
  const [pgPort, temporalPort, simPort, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const pids: Record<'postgres' | 'temporal' | 'worker', number | null> = { postgres: null, temporal: null, worker: null };
  let workerRuns = 0;
  let kills = 0;
  let peakRss = 0;
  let startupPeak = 0;

  const pgData = path.join(dir, 'pgdata');
  await initPostgres(pgData);
  const startPostgres = async () => {
    const pid = spawnDetached(postgresCommand(pgData, pgPort), path.join(dir, 'postgres.log'));
    pids.postgres = pid;
    await waitFor(`postgres (${tail(path.join(dir, 'postgres.log'))})`, () => isPortOpen(pgPort), 60_000, () => isAlive(pid));
  };
  const startTemporal = async () => {
    const args = temporalDevArgs({ port: temporalPort, dbFile: path.join(dir, 'temporal.sqlite') });
    const pid = spawnDetached({ command: findBinary('temporal', 'TEMPORAL_BIN'), args }, path.join(dir, 'temporal.log'));
    pids.temporal = pid;
    await waitFor('temporal dev server', () => temporalHealthy(`127.0.0.1:${temporalPort}`), 60_000, () => isAlive(pid));
  };
  await startPostgres();
  await startTemporal();

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
    for (const [name, roles] of [['alice', ['planner']], ['bob', ['approver']]] as const) {
      if (!(await db('operator_roles').where({ operator: name }).first())) await addOperator(db, name, [...roles], 'harness');
    }
    return { db, url };
  };
  const { db } = await extraDatabase('ecp_cutover');
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: 'default' });
  ensureSecretFile(config.simulatorTokenFile);
  const simToken = simulatorAdminToken(config)!;
  const sim = await startSimulator({ db, port: simPort, processingDelayMs: opts.processingDelayMs ?? 200, adminToken: simToken });
  ensureSecretFile(config.commandKeyFile);
  const app: AppDeps = { db, temporal: client, config, signer: createCommandSigner(loadCommandKey(config)), gateway: createHttpGateway(config.SIMULATOR_URL, simToken) };
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
  const sampler = setInterval(samplePeak, 500);

  const startWorker = async () => {
    workerRuns++;
    const logFile = path.join(dir, `worker-${workerRuns}.log`);
    const env = {
      ...process.env, DATABASE_URL: config.DATABASE_URL, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      SIMULATOR_URL: config.SIMULATOR_URL, SMTP_URL: config.SMTP_URL, LOG_LEVEL: 'warn', COMMAND_SIGNING_KEY_FILE: config.commandKeyFile, SIMULATOR_ADMIN_TOKEN: simToken,
    };
    starting = true;
    const pid = spawnDetached({ command: process.execPath, args: [...WORKER_NODE_FLAGS, CLI, 'worker'], cwd: PROJECT_ROOT, env }, logFile);
    pids.worker = pid;
    await waitFor(`worker (log: ${logFile})`, async () => fs.readFileSync(logFile, 'utf8').includes('worker polling'), 120_000, () => isAlive(pid));
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
    await stopPid(pids.worker, 0, 'SIGKILL');
    kills++;
    log(`worker killed with SIGKILL (pid ${pids.worker})`);
    pids.worker = null;
  };

  return {
    dir, config, db, client, app, sim, extraDatabase, startWorker, killWorker,
    sink: () => sink,
    kills: () => kills,
    workerPeakRssMiB: () => (samplePeak(), { working: Math.round(peakRss), starting: Math.round(startupPeak) }),
    async restartTemporal() {
      await stopPid(pids.temporal!, 15_000);
      log('temporal dev server stopped');
      await startTemporal();
      log('temporal dev server started again on the same SQLite file');
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
      await killWorker();
      await sink?.close();
      await sim.close();
      await connection.close();
      await db.destroy();
      await stopPid(pids.temporal!, 15_000);
      await stopPid(pids.postgres!, 15_000, 'SIGINT');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
