import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createMoveActivities } from '../../activities/move';
import type { RunRef } from '../../domain/folder-runs';
import { createEventStore } from '../../stores/event-store';
import { createRunStore, type RunStore } from '../../stores/run-store';
import { cutoverStack } from '../support/stack';
import { batch } from '../support/store-rows';

// The whole move as one local activity (moveAtOnce) runs again from its start when its workflow task is retried
// (a worker lost mid-move). The retry must take the move up where the record says, not freeze a source that
// the lost attempt had already disabled (the platform refuses that) and then put back only the freeze, which
// would leave the folder open on both platforms.
const stack = await cutoverStack();
const { db, gateway } = stack;
const runs = createRunStore(db);
const events = createEventStore(db);
const parent = await batch(db, 'RESUME', ['SD1', 'SD2']);
const ref = (folderCode: string, batchId = 'RESUME'): RunRef => ({
  folderCode,
  kind: 'cutover',
  batchId,
  workflowId: `cutover-${batchId}-${folderCode}`,
  runId: 'r1',
  actor: 'system',
});
const input = (folderCode: string, batchId = 'RESUME', started = parent) => ({
  ref: ref(folderCode, batchId),
  source: 'legacy' as const,
  target: 'ecp2' as const,
  reason: null,
  parent: started,
  timeoutMs: 2_000,
  budgetMs: 30_000,
  freezeWindowMaxMs: 60_000,
});
/** The input of a move of `folderCode` in a running batch of its own. */
const inOwnBatch = async (batchId: string, folderCode: string) =>
  input(folderCode, batchId, await batch(db, batchId, [folderCode]));
const platforms = async (code: string) => ({
  legacy: await db('sim_legacy.folders').where({ code }).first('intake', 'visible'),
  ecp2: await db('sim_ecp2.folders').where({ code }).first('intake', 'visible'),
});
/** I1 after a move: open and visible on ECP 2.0 alone, and recorded live. */
const expectLiveOnEcp2Alone = async (code: string) => {
  expect(await platforms(code)).toEqual({
    legacy: { intake: 'closed', visible: false },
    ecp2: { intake: 'open', visible: true },
  });
  expect(await db('folders').where({ code }).first('placement')).toEqual({ placement: 'live' });
};
/** The worker lost right after `lostAfter` was written: the write committed, nothing after it ran. */
const losingAfter = (lostAfter: string): RunStore => ({
  ...runs,
  async step(r, step, patch) {
    await runs.step(r, step, patch);
    if (step === lostAfter) throw new Error(`worker lost after ${step} (injected)`);
  },
});

describe('a whole move at once, retried after its worker was lost', () => {
  it('begun again: begin says how far the earlier attempt took the run, the enable kept when a step repeats', async () => {
    expect(await runs.begin(ref('SD2'), null, parent)).toBeNull();
    expect(await runs.begin(ref('SD2'), null, parent)).toEqual({
      status: 'running',
      step: 'begin',
      targetEnabled: false,
    });
    await runs.step(ref('SD2'), 'frozen', { freezeStartedAt: new Date() });
    await runs.step(ref('SD2'), 'target_enabled', { freezeEndedAt: new Date() });
    await runs.step(ref('SD2'), 'drained', {}); // a retry repeating an earlier step
    expect(await runs.begin(ref('SD2'), null, parent)).toEqual({
      status: 'running',
      step: 'drained',
      targetEnabled: true,
    });
  });

  it('after the source was disabled: goes on from the enable, and the folder is live on ECP 2.0 alone', async () => {
    const lost = createMoveActivities({ runs: losingAfter('source_disabled'), events, gateway });
    await expect(new MockActivityEnvironment().run(lost.moveAtOnce, input('SD1'))).rejects.toThrow(
      /worker lost after source_disabled/,
    );
    expect(await platforms('SD1')).toEqual({
      legacy: { intake: 'closed', visible: false },
      ecp2: { intake: 'open', visible: true },
    });
    const retried = createMoveActivities({ runs, events, gateway });
    const done = await new MockActivityEnvironment().run(retried.moveAtOnce, input('SD1'));
    expect(done).toMatchObject({ pending: 0, freezeWindowMs: expect.any(Number) });
    await expectLiveOnEcp2Alone('SD1');
  });

  it('a failure of the retry says it resumed a run, so that the workflow puts back every step', async () => {
    const r = await inOwnBatch('RESUME2', 'SD3');
    const lost = createMoveActivities({ runs: losingAfter('drained'), events, gateway });
    await expect(new MockActivityEnvironment().run(lost.moveAtOnce, r)).rejects.toThrow(/worker lost/);
    stack.sim.faults.set([{ match: 'POST /ecp2/admin/folders/SD3/probe', outage: true }]);
    try {
      const retried = createMoveActivities({ runs, events, gateway });
      const failure = await new MockActivityEnvironment().run(retried.moveAtOnce, r).catch((e: unknown) => e);
      expect(failure).toMatchObject({ details: [{ stage: 'enable', resumed: true }] });
    } finally {
      stack.sim.faults.clear();
    }
  });

  it('a freeze repeated after the lost attempt disabled the source is done already: the move finishes', async () => {
    const r = await inOwnBatch('RESUME3', 'SMMRPT');
    const lost = createMoveActivities({ runs: losingAfter('source_disabled'), events, gateway });
    await expect(new MockActivityEnvironment().run(lost.moveAtOnce, r)).rejects.toThrow(/worker lost/);
    // The step-by-step path repeats the freeze (a retried task replaying an earlier failure of the move at once).
    const steps = createMoveActivities({ runs, events, gateway });
    const env = new MockActivityEnvironment();
    await env.run(steps.freezeAndDrain, { ...r, timeoutMs: 1_000, budgetMs: 10_000 });
    await env.run(steps.completeMove, r);
    await expectLiveOnEcp2Alone('SMMRPT');
  });

  it('retried after its lost attempt had begun putting the move back: touches no platform, and says so', async () => {
    const r = await inOwnBatch('RESUME4', 'DMMRPT');
    await runs.begin(r.ref, null, r.parent);
    await runs.recorded(r.ref, 'an outage'); // the saga turned to compensating
    await runs.step(r.ref, 'undo:frozen');
    const before = await platforms('DMMRPT');
    const moves = createMoveActivities({ runs, events, gateway });
    const failure = await new MockActivityEnvironment().run(moves.moveAtOnce, r).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      type: 'MoveBeingPutBack',
      nonRetryable: true,
      details: [{ stage: 'begin', resumed: true }],
    });
    expect(await platforms('DMMRPT')).toEqual(before);
    expect(before.legacy).toEqual({ intake: 'open', visible: true });
  });
});
