import { proxyActivities } from '@temporalio/workflow';
import type { createStatusActivities } from '../activities/status';

const { databaseClock } = proxyActivities<ReturnType<typeof createStatusActivities>>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 5 },
});

/**
 * A trivial end-to-end check that the stack is wired: the worker runs a workflow whose activity reads
 * PostgreSQL's clock. It takes no input and writes nothing: being unsigned, it must not change anything.
 */
export async function smokeWorkflow(): Promise<{ databaseTime: string }> {
  return { databaseTime: await databaseClock() };
}
