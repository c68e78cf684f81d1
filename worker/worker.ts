import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Node flags for a worker process. V8's default heap limit here is about 4 GB, and a worker rendering
 * notices for 20,000 firms let garbage grow to 1.2 GB resident before collecting it; capped at 256 MiB the
 * same work peaked at about 330 MB at the same speed (BENCHMARKS.md). The workflow cache is sized
 * explicitly below, since its default follows the heap limit.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=256'];

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests bundle once per file); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createWorker(setup: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    activities: createActivities(setup.deps),
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    maxConcurrentActivityTaskExecutions: 50,
    maxCachedWorkflows: 200, // a batch's children run `concurrency` at a time; finished ones leave the cache
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
