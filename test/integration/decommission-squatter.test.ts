import { WorkflowIdReusePolicy } from '@temporalio/client';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { scheduleDecommission } from '../../app/decommission';
import { DECOMMISSION_WORKFLOW_ID } from '../../domain/workflow-ids';
import type { decommissionLegacy } from '../../workflows/decommission-legacy';
import { alice } from '../support/batches';
import { runCli } from '../support/cli';
import { timeSkippingStack } from '../support/time-skipping';

/**
 * The decommission's fixed workflow id squatted (issue 23): a run the control API did not start never blocks
 * the real schedule. One decommission per namespace: a Temporal server of its own (time-skipping).
 */
const { temporal, db, app, api } = await timeSkippingStack();
const env = { ECP_CUTOVER_API_URL: api.url, ECP_CUTOVER_TOKEN: api.tokens.alice };
const handle = () => temporal.client.workflow.getHandle<typeof decommissionLegacy>(DECOMMISSION_WORKFLOW_ID);

describe('the decommission workflow started by hand', () => {
  it('a decommission workflow started by hand blocks no schedule: garbage ends at once, a squatting run is terminated and recorded', async () => {
    const taskQueue = app.config.TEMPORAL_TASK_QUEUE;
    const garbage = await temporal.client.workflow.start('decommissionLegacy', {
      taskQueue,
      workflowId: DECOMMISSION_WORKFLOW_ID,
      args: [],
    });
    await expect(garbage.result()).rejects.toThrow();
    expect((await garbage.describe()).status.name).toBe('FAILED');
    // A type no worker serves: its first task fails for ever and it holds the id.
    const squatter = await temporal.client.workflow.start('noSuchWorkflowType', {
      taskQueue,
      workflowId: DECOMMISSION_WORKFLOW_ID,
      args: [],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    expect((await runCli(['decommission', 'status'], env)).stdout).toMatch(/no decommission is scheduled/);
    const now = DateTime.fromMillis(await temporal.currentTimeMs(), { zone: 'utc' });
    await scheduleDecommission(app, alice, now.plus({ days: 60 }).toISO()!);
    expect(
      (
        await temporal.client.workflow
          .getHandle(DECOMMISSION_WORKFLOW_ID, squatter.firstExecutionRunId)
          .describe()
      ).status.name,
    ).toBe('TERMINATED');
    expect(
      await db('events')
        .where({ entity_id: DECOMMISSION_WORKFLOW_ID, to_state: 'unverified_run_terminated' })
        .first(),
    ).toMatchObject({ actor: 'alice', run_id: squatter.firstExecutionRunId });
    expect((await db('decommission').first()).status).toBe('awaiting_approval');
    expect((await handle().describe()).memo?.command).toEqual(expect.any(String));
  });
});
