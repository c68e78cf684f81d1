import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { afterAll, inject } from 'vitest';
import { WORKFLOWS_PATH } from '../../worker/worker';

// Workers in tests log only errors; a failing test shows what it needs.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed in this process
}

let bundle: Awaited<ReturnType<typeof bundleWorkflowCode>> | undefined;

/** The workflow bundle, built once per test file (bundling costs 1–2 s). */
export async function workflowBundle() {
  bundle ??= await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

/** A client and a worker connection to the run's Temporal dev server, and a task queue of this file's own. */
export async function temporalForFile() {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const nativeConnection = await NativeConnection.connect({ address });
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await nativeConnection.close();
    await connection.close();
  });
  return { client, nativeConnection, taskQueue, address };
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
