import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';
import { workerActivities, type WorkerDeps } from './activity-deps';
import { dataErrorInterceptor } from './data-errors';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: WorkerDeps;
  /** A prebuilt bundle (dist/workflows.js; tests bundle once per file); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Worker Versioning (docs/operations.md "Build, image and upgrades"): this worker is version `deploymentName:buildId`. Workflows default to
   * AUTO_UPGRADE: they move to the deployment's current version at their next task, which is safe because every
   * change to workflow code that would replay differently ships behind patched() and the replay tests over
   * recorded histories gate it (test/integration/replay.test.ts).
   */
  versioning?: { deploymentName: string; buildId: string };
}

/**
 * Worker options a measurement may set: WORKER_TUNING, a JSON object of these keys (as WORKER_NODE_FLAGS does for
 * Node's flags), so that the benchmark can try one option against another on the same stack (bench/run.ts --ab).
 * Unset, the worker runs with the defaults in createWorker, which are the measured choice (BENCHMARKS.md).
 */
const tuningSchema = z
  .object({
    maxConcurrentWorkflowTaskExecutions: z.number().int().min(2),
    maxConcurrentActivityTaskExecutions: z.number().int().min(1),
    maxConcurrentLocalActivityExecutions: z.number().int().min(1),
    maxConcurrentWorkflowTaskPolls: z.number().int().min(2),
    maxConcurrentActivityTaskPolls: z.number().int().min(1),
    nonStickyToStickyPollRatio: z.number().positive().max(1),
    maxCachedWorkflows: z.number().int().min(0),
    stickyQueueScheduleToStartTimeout: z.string().min(1),
    maxEagerActivityReservationsPerWorkflowTask: z.number().int().min(0),
  })
  .partial()
  .strict();
export type WorkerTuning = z.infer<typeof tuningSchema>;

export function workerTuning(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  if (!env.WORKER_TUNING) return {};
  let value: unknown;
  try {
    value = JSON.parse(env.WORKER_TUNING);
  } catch (err) {
    throw new Error(`WORKER_TUNING is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = tuningSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `WORKER_TUNING: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function createWorker(setup: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    activities: workerActivities(setup.deps),
    interceptors: { activity: [dataErrorInterceptor] },
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...(setup.versioning
      ? {
          workerDeploymentOptions: {
            useWorkerVersioning: true,
            version: setup.versioning,
            defaultVersioningBehavior: 'AUTO_UPGRADE' as const,
          },
        }
      : {}),
    maxConcurrentActivityTaskExecutions: 50,
    maxCachedWorkflows: 200, // a batch's children run `concurrency` at a time; finished ones leave the cache
    ...workerTuning(),
  });
}

const noop = () => undefined;
/** A logger that says nothing, for bundling (webpack's progress is noise). */
export const QUIET_LOGGER = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

/** Bundles the workflow code (webpack) into `outFile`. */
export async function writeWorkflowBundle(outFile: string): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: QUIET_LOGGER });
  fs.writeFileSync(outFile, code);
}

/**
 * The workflow bundle, built by a short-lived child process (`ecp-cutover bundle-workflows`): webpack's
 * memory would otherwise stay resident in the long-running worker (measured in the benchmark: the worker's
 * peak RSS went from about 570 MB to 410 MB; BENCHMARKS.md).
 */
export async function bundleInChildProcess(): Promise<{ codePath: string }> {
  const codePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-cutover-bundle-')), 'workflows.js');
  const cli = fileURLToPath(new URL('../bin/ecp-cutover.mjs', import.meta.url));
  await promisify(execFile)(process.execPath, [cli, 'bundle-workflows', '--out', codePath]);
  return { codePath };
}
