import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import { ConflictError, NotAllowedError } from '../../../domain/errors';
import type { RunRef } from '../../../domain/folder-runs';
import { createRunStore } from '../../../stores/run-store';
import { freshDatabase } from '../../support/db';
import { batch, eventsOf, placement } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
const runs = createRunStore(db);
const parent = await batch(db, 'M1', ['SD1', 'SD2']);
const ref = (folderCode: string, over: Partial<RunRef> = {}): RunRef => ({
  folderCode,
  kind: 'cutover',
  batchId: 'M1',
  workflowId: `cutover-M1-${folderCode}`,
  runId: 'r1',
  actor: 'system',
  ...over,
});
const run = (r: RunRef) => db('folder_runs').where({ workflow_id: r.workflowId, run_id: r.runId }).first();

describe("RunStore (knex): a folder's moves, each write once per (workflow, run, step)", () => {
  it('refuses a cutover its batch did not start, naming why, and writes nothing', async () => {
    await expect(runs.begin(ref('SD1', { batchId: null }), null, parent)).rejects.toThrow(
      /a folder moves only inside an approved batch/,
    );
    await expect(runs.begin(ref('SD1'), null, null)).rejects.toThrow(NotAllowedError);
    await expect(
      runs.begin(ref('SD1'), null, { workflowId: parent.workflowId, runId: 'another' }),
    ).rejects.toThrow(/started by another run of batch M1's workflow/);
    await expect(runs.begin(ref('SD3'), null, parent)).rejects.toThrow(/SD3 is not a folder of batch M1/);
    expect(await placement(db, 'SD1')).toBe('legacy');
    expect(await eventsOf(db, 'SD1')).toEqual([]);
  });

  it('begins, steps and finishes a cutover: placement, run, batch folder and events, each once', async () => {
    const r = ref('SD1');
    await runs.begin(r, null, parent);
    await runs.begin(r, null, parent); // a retry
    expect(await placement(db, 'SD1')).toBe('cutting_over');
    const frozenAt = new Date('2030-01-07T00:00:00.000Z');
    await runs.step(r, 'frozen', { freezeStartedAt: frozenAt });
    await runs.step(r, 'frozen', { freezeStartedAt: new Date('2030-01-07T00:00:09.000Z') }); // first write wins
    await runs.step(r, 'drained', { drained: 3, handedOver: 1 });
    await runs.step(r, 'drained', { drained: 1, handedOver: 0 }); // counts only grow
    await runs.step(r, 'target_enabled', { freezeEndedAt: new Date('2030-01-07T00:00:00.250Z') });
    expect(await run(r)).toMatchObject({
      freeze_started_at: frozenAt,
      drained: 3,
      handed_over: 1,
      freeze_window_ms: 250,
      step: 'target_enabled',
    });
    expect(await runs.finish(r, 'succeeded', null)).toEqual({ placement: 'live', freezeWindowMs: 250 });
    expect(await runs.finish(r, 'succeeded', null)).toEqual({ placement: 'live', freezeWindowMs: 250 });
    expect(await placement(db, 'SD1')).toBe('live');
    // A retry that repeats earlier steps after the final write committed writes nothing.
    await runs.step(r, 'target_enabled', { freezeEndedAt: new Date('2030-01-07T00:00:09.000Z') });
    expect(await run(r)).toMatchObject({ step: 'done', status: 'succeeded', freeze_window_ms: 250 });
    expect(
      await db('batch_folders').where({ batch_id: 'M1', folder_code: 'SD1' }).first('status', 'step'),
    ).toEqual({ status: 'live', step: 'done' });
    expect((await eventsOf(db, 'SD1')).map((e) => e.to_state)).toEqual([
      'cutting_over',
      'frozen',
      'drained',
      'target_enabled',
      'live',
    ]);
    // Asked after the success (its acknowledgement lost): not compensated, and the event says why.
    expect(await runs.recorded(r, 'enable timed out')).toEqual({
      status: 'succeeded',
      freezeWindowMs: 250,
      failure: null,
    });
    expect((await eventsOf(db, 'SD1')).at(-1)).toMatchObject({
      to_state: 'compensation_not_needed',
      reason: expect.stringContaining('enable timed out'),
    });
  });

  it('lets the compensation decide once the saga asked: a late success of an earlier attempt loses', async () => {
    const r = ref('SD2');
    // Asked before the run began (a move cancelled before its first step): nothing is recorded, nothing written.
    expect(await runs.recorded(r, 'cancelled by an operator')).toEqual({
      status: 'none',
      freezeWindowMs: null,
      failure: null,
    });
    expect(await db('folder_runs').where({ folder_code: 'SD2' })).toEqual([]);
    await runs.begin(r, null, parent);
    expect(await runs.recorded(r, 'verify failed')).toEqual({
      status: 'running',
      freezeWindowMs: null,
      failure: null,
    });
    expect(await runs.finish(r, 'succeeded', null)).toEqual({ placement: 'live', freezeWindowMs: null }); // too late: nothing written
    expect(await placement(db, 'SD2')).toBe('cutting_over');
    // A forward step of an attempt still running is refused too; the undo steps are written.
    await expect(runs.step(r, 'target_enabled')).rejects.toThrow(
      /step target_enabled refused, the move is being put back/,
    );
    await runs.step(r, 'undo:target_enabled');
    await expect(runs.step(r, 'source_disabled')).rejects.toThrow(/being put back/);
    await runs.finish(r, 'compensated', 'verify failed');
    expect(await placement(db, 'SD2')).toBe('legacy');
    expect(await db('folders').where({ code: 'SD2' }).first('last_failure')).toEqual({
      last_failure: 'verify failed',
    });
    // A workflow task retried after its compensation ran does not move the folder again: forward steps refused.
    await expect(runs.step(r, 'frozen')).rejects.toThrow(/step frozen refused, the move was put back/);
    await runs.step(r, 'undo:frozen');
    // Asked again (a move that starts over cancelled): the recorded outcome and its reason.
    expect(await runs.recorded(r, 'cancelled by an operator')).toEqual({
      status: 'compensated',
      freezeWindowMs: null,
      failure: 'verify failed',
    });
  });

  it('refuses a switch-back the run did not request, or of a folder not live', async () => {
    const back = ref('SD1', { kind: 'rollback', batchId: null, workflowId: 'rollback-SD1', runId: 'b1' });
    await expect(runs.begin(back, null)).rejects.toThrow(/did not record its request/);
    await db('events').insert({
      actor: 'alice',
      entity_type: 'folder',
      entity_id: 'SD1',
      to_state: 'rollback_requested',
      workflow_id: 'rollback-SD1',
      run_id: 'b1',
      idempotency_key: 'command:x',
    });
    await runs.begin(back, 'asked by alice');
    expect(await placement(db, 'SD1')).toBe('rolling_back');
    const legacy = ref('SD3', { kind: 'rollback', batchId: null, workflowId: 'rollback-SD3', runId: 'b3' });
    await db('events').insert({
      actor: 'alice',
      entity_type: 'folder',
      entity_id: 'SD3',
      to_state: 'rollback_requested',
      workflow_id: 'rollback-SD3',
      run_id: 'b3',
      idempotency_key: 'command:y',
    });
    await expect(runs.begin(legacy, null)).rejects.toThrow(ConflictError);
  });
});
