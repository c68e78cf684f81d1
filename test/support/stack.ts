import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import type { AppDeps } from '../../app/context';
import { loadConfig } from '../../config/config';
import { createCommandSigner } from '../../security/command-signing';
import { operatorCli } from './cli';
import { controlApi } from './control-api';
import { addSyntheticFolders } from '../../bench/scenario';
import { seedCatalog } from '../../db/seed';
import { createHttpGateway } from '../../platform/http-gateway';
import { startSimulator } from '../../simulator/server';
import { createAppStores } from '../../stores/app-stores';
import { startSmtpSink } from '../../smtp-sink/server';
import { createSmtpMailer } from '../../activities/mailer';
import type { MoveOptions } from '../../workflows/move-folder';
import { createWorker } from '../../worker/worker';
import { freshDatabase } from './db';
import { temporalForFile, workflowBundle } from './temporal';

/** Move options for tests: a short drain and few attempts, so that injected failures end quickly. */
export const FAST_MOVE: MoveOptions = { freezeWindowMaxMs: 60_000, drainTimeoutMs: 5_000, maxAttempts: 2 };

/**
 * Everything a cutover test needs, real and private to the test file: a migrated and seeded database, the
 * platform simulator over HTTP, a Temporal client and task queue, and a worker factory.
 */
export async function cutoverStack(
  opts: { processingDelayMs?: number; rehearsal?: { noticeEmail?: string } } = {},
) {
  const { db, url } = await freshDatabase();
  await seedCatalog(db);
  const simToken = randomBytes(24).toString('hex');
  // The platforms' rehearsal environment (issue 28), when asked for: the simulator serves it beside the live one, over a database of its own.
  const rehearsalDb = opts.rehearsal ? (await freshDatabase({ migrate: false })).db : undefined;
  const sim = await startSimulator({
    db,
    processingDelayMs: opts.processingDelayMs ?? 200,
    adminToken: simToken,
    ...(rehearsalDb ? { rehearsal: { db: rehearsalDb } } : {}),
  });
  const gateway = createHttpGateway(sim.url, simToken);
  const rehearsalGateway = sim.rehearsal ? createHttpGateway(sim.rehearsal.url, simToken) : undefined;
  const sink = await startSmtpSink();
  const mailer = createSmtpMailer(`smtp://127.0.0.1:${sink.smtpPort}`);
  afterAll(async () => {
    mailer.close();
    await sink.close();
  });
  const commandKey = randomBytes(32);
  const deps = {
    db,
    gateway,
    mailer,
    mailFrom: 'ecp-support@hkex.example',
    commandKey,
    ...(rehearsalGateway ? { rehearsalGateway, rehearsalNoticeEmail: opts.rehearsal?.noticeEmail } : {}),
  };
  const temporal = await temporalForFile();
  const config = loadConfig({
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: temporal.taskQueue,
    SIMULATOR_URL: sim.url,
    DRAIN_TIMEOUT: '5s',
    MOVE_MAX_ATTEMPTS: '2',
    LOAD_DIRECTORY_INTO_PLATFORM: 'true',
    ...(sim.rehearsal ? { REHEARSAL_PLATFORM_URL: sim.rehearsal.url } : {}),
  });
  /** The application layer as the control API runs it, with this file's signing key. */
  const app: AppDeps = {
    stores: createAppStores(db, gateway),
    temporal: temporal.client,
    config,
    signer: createCommandSigner(commandKey),
    gateway,
  };
  const api = await controlApi(app, db);
  /** What the CLI needs: the control API (and, for host-local commands and workers, the rest of this file's stack). */
  const env = {
    ECP_CUTOVER_API_URL: api.url,
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: temporal.taskQueue,
    SIMULATOR_URL: sim.url,
    DRAIN_TIMEOUT: '5s',
    MOVE_MAX_ATTEMPTS: '2',
    COMMAND_SIGNING_KEY: commandKey.toString('hex'),
    SIMULATOR_ADMIN_TOKEN: simToken,
  };
  const bundle = await workflowBundle();
  afterAll(() => sim.close());
  const worker = (versioning?: { deploymentName: string; buildId: string }) =>
    createWorker({
      connection: temporal.nativeConnection,
      namespace: 'default',
      taskQueue: temporal.taskQueue,
      deps,
      workflowBundle: bundle,
      versioning,
    });
  /** A worker polling in the background until the file ends. */
  const runWorker = async () => {
    const w = await worker();
    const running = w.run();
    afterAll(async () => {
      w.shutdown();
      await running;
    });
    return w;
  };
  /** The CLI signed in as the operator its `--as` names (alice when it names none). */
  const cli = operatorCli({ ...env, ECP_CUTOVER_TOKEN: api.tokens.alice }, api.tokens);
  /** Fetch from the simulator's admin API with its credential. */
  const simAdmin = (path: string, init: RequestInit = {}) =>
    fetch(sim.url + path, {
      ...init,
      headers: { authorization: `Bearer ${simToken}`, 'content-type': 'application/json', ...init.headers },
    });
  /**
   * Users as a directory import leaves them on the embedded stack: in the imported directory and in the
   * simulator's Client Connect alike (LOAD_DIRECTORY_INTO_PLATFORM). Their participants must exist.
   */
  const addUsers = async (
    users: { participant_code: string; email: string; role: 'admin' | 'operator'; functions: string[] }[],
  ) => {
    await db('users').insert(users);
    const codes = [...new Set(users.map((u) => u.participant_code))];
    await gateway.loadClientConnect(
      codes.map((code) => ({
        code,
        users: users
          .filter((u) => u.participant_code === code)
          .map((u) => ({
            email: u.email,
            role: u.role,
            functions: u.functions,
            sftpKeyRegistered: false,
            ipRegistered: false,
          })),
      })),
    );
  };
  /** Fetch from the rehearsal environment's admin API (a stack made with `rehearsal`). */
  const rehearsalAdmin = (path: string, init: RequestInit = {}) =>
    fetch(sim.rehearsal!.url + path, {
      ...init,
      headers: { authorization: `Bearer ${simToken}`, 'content-type': 'application/json', ...init.headers },
    });
  return {
    db,
    url,
    sim,
    simToken,
    rehearsalDb,
    rehearsalGateway,
    rehearsalAdmin,
    simAdmin,
    gateway,
    sink,
    deps,
    app,
    env,
    config,
    api,
    cli,
    ...temporal,
    worker,
    runWorker,
    addUsers,
  };
}

/** Each folder's placement and both platforms' intake/visibility, for "nothing else changed" checks. */
export async function snapshot(db: import('../../db/connection').Db, except: string[] = []) {
  const rows = await db('folders as f')
    .leftJoin('sim_legacy.folders as l', 'l.code', 'f.code')
    .leftJoin('sim_ecp2.folders as e', 'e.code', 'f.code')
    .whereNotIn('f.code', except)
    .orderBy('f.code')
    .select(
      'f.code',
      'f.placement',
      'f.live_since',
      'l.intake as legacy_intake',
      'l.visible as legacy_visible',
      'e.intake as ecp2_intake',
      'e.visible as ecp2_visible',
    );
  return rows;
}

/** Synthetic legacy folders (T<prefix>001…) for SEHK participants, on the platforms too. */
export const addLegacyFolders = (db: import('../../db/connection').Db, prefix: string, n: number) =>
  addSyntheticFolders(db, prefix, n, () => ['SEHK_EP']);
