import Long from 'long';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { abortBatch, approveBatch, planBatch, rejectBatch } from '../../app/batches';
import { batchWorkflowId } from '../../domain/workflow-ids';
import { approveBatchUpdate, batchProgressQuery, type batchMigration } from '../../workflows/batch-migration';
import { alice, bob } from '../support/batches';
import { cutoverStack } from '../support/stack';
import { recordHistory } from '../support/temporal';
import { until } from '../support/wait';

/**
 * A careless engineer with the Temporal Web UI open, and the races an operator's command can meet: the
 * workflows and the database hold the line.
 */
const stack = await cutoverStack();
const { db, app, client } = stack;
await stack.runWorker();
const handleOf = (id: string) => client.workflow.getHandle<typeof batchMigration>(batchWorkflowId(id));

describe('commands that race the batch, and the Temporal UI', () => {
  it('an abort that lands while the start is being written: the folders queued to start never start', async () => {
    const at = DateTime.utc().plus({ seconds: 4 });
    await planBatch(app, alice, {
      id: 'U1',
      name: 'race',
      at: at.toISO()!,
      folders: ['SD1', 'SD2'],
      concurrency: 2,
      minNotice: '0s',
      allowNonBusinessDay: true,
    });
    await approveBatch(app, bob, 'U1');
    await expect.poll(async () => (await db('batches').where({ id: 'U1' }).first()).status).toBe('announced');
    // Hold the batch's row, so that the workflow's "running" write waits with the starts queued behind it.
    const trx = await db.transaction();
    let aborted: Promise<{ status: string }>;
    try {
      await trx('batches').where({ id: 'U1' }).forUpdate().first();
      // The planned instant passes: the workflow is running, its "running" write waiting on our lock.
      const waitingOnLock = async () =>
        Number(
          (
            await db.raw(
              `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
            )
          ).rows[0].n,
        ) > 0;
      await until(
        'the batch to start in its workflow, its write waiting on our lock',
        async () =>
          (await handleOf('U1').query(batchProgressQuery)).status === 'running' && (await waitingOnLock()),
        { timeoutMs: 20_000 },
      );
      aborted = abortBatch(app, alice, 'U1', 'stop before it moves anything');
      // The abort is taken by the workflow while the write still waits: its own write queues behind.
      await until(
        'the abort to reach the workflow',
        async () => (await handleOf('U1').query(batchProgressQuery)).status === 'aborting',
      );
    } finally {
      await trx.commit();
    }
    expect((await aborted).status).toBe('aborted');
    const result = await handleOf('U1').result();
    await recordHistory(handleOf('U1'), 'batch-aborted-while-starting');
    expect(result).toMatchObject({
      status: 'aborted',
      folders: { SD1: { status: 'aborted' }, SD2: { status: 'aborted' } },
    });
    expect(await db('folder_runs').where({ batch_id: 'U1' })).toEqual([]);
    expect(await db('folders').whereIn('code', ['SD1', 'SD2']).pluck('placement')).toEqual([
      'legacy',
      'legacy',
    ]);
    expect(await db('sim_legacy.folders').whereIn('code', ['SD1', 'SD2']).pluck('intake')).toEqual([
      'open',
      'open',
    ]);
  });

  it('a cancellation from the Temporal UI stops the batch as an abort, said so in its reason; nothing is left half done', async () => {
    await planBatch(app, alice, { id: 'U2', name: 'cancelled', at: '2031-03-10 08:00', folders: ['SD3'] });
    await approveBatch(app, bob, 'U2');
    await handleOf('U2').cancel();
    const result = await handleOf('U2').result();
    await recordHistory(handleOf('U2'), 'batch-cancelled-through-temporal');
    expect(result).toMatchObject({
      status: 'aborted',
      reason: expect.stringMatching(
        /cancellation was requested through Temporal \(not a command of an operator\)/,
      ),
    });
    expect(await db('batches').where({ id: 'U2' }).first()).toMatchObject({ status: 'aborted' });
    expect((await db('folders').where({ code: 'SD3' }).first()).placement).toBe('legacy');
    expect(await db('batch_folders').where({ batch_id: 'U2', active: true })).toEqual([]);
  });

  it('a reset of a finished batch to an earlier point cannot bring it back: the new run may not write, and fails', async () => {
    await planBatch(app, alice, { id: 'U3', name: 'reset', at: '2031-03-10 08:00', folders: ['SMMRPT'] });
    await rejectBatch(app, bob, 'U3', 'not this quarter');
    await handleOf('U3').result();
    const before = JSON.stringify([
      await db('batches').where({ id: 'U3' }).first(),
      await db('events').where({ entity_id: 'U3' }).orderBy('id'),
    ]);
    const history = await handleOf('U3').fetchHistory();
    // Back to just after the plan was recorded (the second workflow task), as an engineer might in the UI.
    const completed = history
      .events!.filter((e) => e.workflowTaskCompletedEventAttributes)
      .map((e) => Number(e.eventId));
    const { runId } = await handleOf('U3').describe();
    const reset = (await client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: batchWorkflowId('U3'), runId },
      reason: 'test: a careless reset',
      workflowTaskFinishEventId: Long.fromNumber(completed[1]),
      requestId: `reset-${runId}`,
    })) as { runId: string };
    const again = client.workflow.getHandle<typeof batchMigration>(batchWorkflowId('U3'), reset.runId);
    expect((await again.query(batchProgressQuery)).status).toBe('awaiting_approval');
    // Even a correctly signed approval for the new run cannot move the batch the database says is rejected.
    const command = app.signer.sign({
      action: 'batch.approve',
      workflowId: batchWorkflowId('U3'),
      runId: reset.runId,
      operator: 'bob',
      roles: ['approver'],
      credentialId: 'test',
      source: 'api',
      args: {},
    });
    await expect(again.executeUpdate(approveBatchUpdate, { args: [command] })).rejects.toThrow();
    await expect(again.result()).rejects.toThrow();
    const failure = (await again.fetchHistory()).events!.find((e) => e.workflowExecutionFailedEventAttributes)
      ?.workflowExecutionFailedEventAttributes?.failure;
    expect(JSON.stringify(failure)).toMatch(
      /belongs to run .* of its workflow, not to .*was the workflow reset/,
    );
    expect(
      JSON.stringify([
        await db('batches').where({ id: 'U3' }).first(),
        await db('events').where({ entity_id: 'U3' }).orderBy('id'),
      ]),
    ).toBe(before);
    expect((await db('folders').where({ code: 'SMMRPT' }).first()).placement).toBe('legacy');
  });
});
