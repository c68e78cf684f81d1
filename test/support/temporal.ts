import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { afterAll, inject } from 'vitest';
import { QUIET_LOGGER, WORKFLOWS_PATH } from '../../worker/worker';

// Workers in tests log only errors; a failing test shows what it needs.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed in this process
}

let bundle: Awaited<ReturnType<typeof bundleWorkflowCode>> | undefined;

/** The workflow bundle, built once per test file (bundling costs 1–2 s). */
export async function workflowBundle() {
  bundle ??= await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: QUIET_LOGGER });
  return bundle;
}

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

export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

/**
 * With RECORD_HISTORIES=1, saves a finished workflow's history as a replay fixture
 * (test/fixtures/histories/<name>.json); test/integration/replay.test.ts replays every fixture. A fixture that
 * exists is never overwritten: it guards the histories of workflows already running, and a change that breaks
 * it ships with `patched()` (workflows/patches.ts), not with a re-recording.
 */
export async function recordHistory(
  handle: { fetchHistory(): Promise<unknown> },
  name: string,
): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1' || fs.existsSync(`${HISTORIES_DIR}${name}.json`)) return;
  const history = await handle.fetchHistory();
  fs.writeFileSync(
    `${HISTORIES_DIR}${name}.json`,
    historyToJSON(history as Parameters<typeof historyToJSON>[0]),
  );
}
