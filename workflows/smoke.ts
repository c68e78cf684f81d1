import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createStatusActivities } from '../activities/status';

const { recordSystemEvent } = proxyActivities<ReturnType<typeof createStatusActivities>>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 5 },
});

/**
 * A trivial end-to-end check that the stack is wired: the worker runs a workflow, its activity writes an
 * event row to PostgreSQL. Started by `ecp-cutover dev check` and the smoke test.
 */
export async function smokeWorkflow(note: string): Promise<{ eventId: number }> {
  const { workflowId, runId } = workflowInfo();
  const eventId = await recordSystemEvent({ reason: note, workflowId, runId });
  return { eventId };
}
