import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { approveBatch, planBatch } from '../../app/batches';
import { batchWorkflowId, cutoverWorkflowId } from '../../domain/workflow-ids';
import type { batchMigration } from '../../workflows/batch-migration';
import { alice, bob } from '../support/batches';
import { cutoverStack } from '../support/stack';
import { enrolSubmitters, startSubmitters } from '../support/submitter';
import { until } from '../support/wait';

// The worker runs as its own process (`ecp-cutover worker`) so that it can be killed with SIGKILL.
// Legacy processes files slowly (8 s), so the drain step is long enough to be killed in.
const stack = await cutoverStack({ processingDelayMs: 8000 });
const { db, client, taskQueue, sim, app } = stack;
const BIN = fileURLToPath(new URL('../../bin/ecp-cutover.mjs', import.meta.url));
const env = { ...process.env, ...stack.env, DRAIN_TIMEOUT: '30s' };
const workers: ChildProcess[] = [];
const startWorker = () => {
  const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: 'ignore' });
  workers.push(child);
  return child;
};
afterAll(() => workers.forEach((w) => w.kill('SIGKILL')));

describe('a worker killed mid-cutover', () => {
  it('is restarted and the cutover finishes, with no step applied twice', async () => {
    // The worker first (it takes seconds to start), so that the files are still in flight when the cutover runs.
    const first = startWorker();
    await until('the worker to poll', async () => {
      const r = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: 1,
      });
      return (r.pollers ?? []).length > 0;
    });
    await enrolSubmitters(stack.gateway, { user: 'ops@firm.example', clients: 2, functions: ['EU_ECPCASH'] });
    const submitters = startSubmitters(sim.url, {
      folder: 'SD1',
      user: 'ops@firm.example',
      clients: 2,
      adminToken: stack.simToken,
    });
    await until(
      'a few files accepted on legacy',
      () => submitters.attempts.filter((a) => a.platform === 'legacy' && a.status === 201).length >= 4,
    );
    await submitters.stop(); // files now pending on legacy, processed in 4 s
    const pending = Number(
      (await db('sim_legacy.submissions').where({ status: 'pending' }).count({ n: '*' }).first())?.n,
    );
    expect(pending).toBeGreaterThan(0);

    await planBatch(
      { ...app, config: { ...app.config, drainTimeoutMs: 30_000, MOVE_MAX_ATTEMPTS: 8 } },
      alice,
      {
        id: 'K1',
        name: 'killed',
        at: DateTime.utc().plus({ seconds: 2 }).toISO()!,
        folders: ['SD1'],
        minNotice: '0s',
        allowNonBusinessDay: true,
      },
    );
    await approveBatch(app, bob, 'K1');
    await until(
      'the drain to start',
      async () => (await db('folder_runs').where({ folder_code: 'SD1' }).first())?.step === 'draining',
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    startWorker();

    const result = await client.workflow.getHandle<typeof batchMigration>(batchWorkflowId('K1')).result();
    expect(result.folders.SD1.status).toBe('live');
    const handle = client.workflow.getHandle(cutoverWorkflowId('K1', 'SD1'));
    const events = await db('events').where({ entity_type: 'folder', entity_id: 'SD1' }).orderBy('id');
    expect(events.map((e) => e.to_state)).toEqual([
      'cutting_over',
      'frozen',
      'draining',
      'drained',
      'target_enabled',
      'verified',
      'source_disabled',
      'live',
    ]);
    const history = await handle.fetchHistory();
    // The killed attempt really was retried: the drain first waits as a local activity inside a workflow task
    // (then a killed worker's task times out and runs again elsewhere), then as an activity (a second attempt).
    const retried = history.events?.some(
      (e) =>
        e.workflowTaskTimedOutEventAttributes ||
        (e.activityTaskStartedEventAttributes && Number(e.activityTaskStartedEventAttributes.attempt) > 1),
    );
    expect(retried).toBe(true);
    const run = await db('folder_runs').where({ folder_code: 'SD1' }).first();
    expect(run).toMatchObject({ status: 'succeeded', handed_over: 0 });
    // Files in flight when the drain began (some may have been processed just before), counted once.
    expect(run.drained).toBeGreaterThan(0);
    expect(run.drained).toBeLessThanOrEqual(pending);
    expect(
      await db('sim_legacy.submissions')
        .where({ folder_code: 'SD1', status: 'pending' })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 0 });
    expect(
      await db('sim_legacy.submissions').where({ folder_code: 'SD1' }).count({ n: '*' }).first(),
    ).toEqual({ n: pending });
  });
});
