import { Worker } from '@temporalio/worker';
import { afterAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index';
import { activityDeps } from '../../worker/activity-deps';
import { runBatch } from '../support/batches';
import { cutoverStack } from '../support/stack';
import { workflowBundle } from '../support/temporal';

/**
 * A move's final write commits, but its acknowledgement never reaches the worker (the connection drops after
 * the COMMIT, on every attempt): the step's retries run out and the saga turns to compensating. It must not
 * put the platforms back on legacy while the database says live (issue 18): it asks what is recorded first,
 * and a run already recorded as succeeded stops there — the platforms are where the record says.
 */
const s = await cutoverStack();
const deps = activityDeps(s.deps);
let lost = 0;
const worker = await Worker.create({
  connection: s.nativeConnection,
  namespace: 'default',
  taskQueue: s.taskQueue,
  workflowBundle: await workflowBundle(),
  activities: createActivities({
    ...deps,
    runs: {
      ...deps.runs,
      // The network between the worker and PostgreSQL, failing right after the final write's COMMIT.
      async finish(r, outcome, reason) {
        const done = await deps.runs.finish(r, outcome, reason);
        if (outcome === 'succeeded' && r.folderCode === 'SD2') {
          lost++;
          throw new Error(
            'Connection terminated unexpectedly (injected: the COMMIT went through, its acknowledgement did not)',
          );
        }
        return done;
      },
    },
  }),
});
const running = worker.run();
afterAll(async () => {
  worker.shutdown();
  await running;
});
const platform = async (code: string) => ({
  legacy: await s.db('sim_legacy.folders').where({ code }).first('intake', 'visible'),
  ecp2: await s.db('sim_ecp2.folders').where({ code }).first('intake', 'visible'),
});

describe("a lost acknowledgement of a move's final write", () => {
  it('leaves the platforms where the record says: live on ECP 2.0, not compensated back to legacy', async () => {
    const { result } = await runBatch(s.app, ['SD2'], {
      record: { folder: 'SD2', name: 'cutover-ack-lost-move-at-once' },
    });
    expect(lost).toBeGreaterThanOrEqual(2); // every attempt of the final step "failed"
    expect(await s.db('folders').where({ code: 'SD2' }).first('placement')).toEqual({ placement: 'live' });
    expect(await platform('SD2')).toEqual({
      legacy: { intake: 'closed', visible: false },
      ecp2: { intake: 'open', visible: true },
    });
    expect(result.folders.SD2).toMatchObject({ status: 'live' });
    const run = await s.db('folder_runs').where({ folder_code: 'SD2' }).first();
    // The retries repeated the steps before the final write; once it had committed they wrote nothing.
    expect(run).toMatchObject({ status: 'succeeded', failure: null, step: 'done' });
    expect(await s.db('batch_folders').where({ folder_code: 'SD2' }).first('status', 'step')).toEqual({
      status: 'live',
      step: 'done',
    });
    // What happened is on the record: the compensation found the move finished and stood down.
    expect(
      await s
        .db('events')
        .where({ entity_type: 'folder', entity_id: 'SD2', to_state: 'compensation_not_needed' })
        .first(),
    ).toMatchObject({ reason: expect.stringContaining('already recorded as succeeded') });
  });
});
