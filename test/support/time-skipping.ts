import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { AppDeps } from '../../app/context';
import { createCommandSigner } from '../../security/command-signing';
import { controlApi } from './control-api';
import { Worker } from '@temporalio/worker';
import { afterAll } from 'vitest';
import { createAppStores } from '../../stores/app-stores';
import { workerActivities } from '../../worker/activity-deps';
import { createSmtpMailer } from '../../activities/mailer';
import { loadConfig } from '../../config/config';
import { seedCatalog } from '../../db/seed';
import { findBinary } from '../../dev/tools';
import { createHttpGateway } from '../../platform/http-gateway';
import { startSimulator } from '../../simulator/server';
import { startSmtpSink } from '../../smtp-sink/server';
import { freshDatabase } from './db';
import { uniqueId, workflowBundle } from './temporal';

/**
 * Temporal's time-skipping test server with a worker whose activities are real (PostgreSQL, the simulator
 * over HTTP, SMTP): timers of days fire at once in real time, at their instant in workflow time.
 */
export async function timeSkippingStack(env: Record<string, string> = {}) {
  const temporal = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: {
        type: 'existing-path',
        path: findBinary('temporal-test-server', 'TEMPORAL_TEST_SERVER_BIN'),
      },
    },
  });
  // The test server knows no custom search attributes until told.
  const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
  await temporal.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: { BatchId: KEYWORD, FolderCode: KEYWORD },
  });
  const { db, url } = await freshDatabase();
  await seedCatalog(db);
  const simToken = randomBytes(24).toString('hex');
  const sim = await startSimulator({ db, processingDelayMs: 50, adminToken: simToken });
  const sink = await startSmtpSink();
  const mailer = createSmtpMailer(`smtp://127.0.0.1:${sink.smtpPort}`);
  const taskQueue = uniqueId('skip');
  const commandKey = randomBytes(32);
  const gateway = createHttpGateway(sim.url, simToken);
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: workerActivities({ db, gateway, mailer, mailFrom: 'ecp-support@hkex.example', commandKey }),
  });
  const running = worker.run();
  afterAll(async () => {
    worker.shutdown();
    await running;
    await sim.close();
    mailer.close();
    await sink.close();
    await temporal.teardown();
  });
  const config = loadConfig({
    TEMPORAL_TASK_QUEUE: taskQueue,
    DRAIN_TIMEOUT: '2s',
    SIMULATOR_URL: sim.url,
    LOAD_DIRECTORY_INTO_PLATFORM: 'true',
    ...env,
  });
  const app: AppDeps = {
    stores: createAppStores(db, gateway),
    temporal: temporal.client,
    config,
    signer: createCommandSigner(commandKey),
    gateway,
  };
  const api = await controlApi(app, db);
  return { temporal, db, url, sim, simToken, gateway, sink, taskQueue, config, app, api };
}
