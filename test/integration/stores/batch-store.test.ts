import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import type { BatchPlanArgs } from '../../../domain/commands';
import { createBatchStore, StaleRunError } from '../../../stores/batch-store';
import { freshDatabase } from '../../support/db';
import { claims, operators, placement } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
await operators(db, 'alice', 'bob');
const store = createBatchStore(db);
const plan = (batchId: string, folders: string[], retire: string[] = []) =>
  claims<BatchPlanArgs>('batch.plan', {
    batchId,
    name: batchId,
    folders,
    retire,
    failurePolicy: 'continue',
    concurrency: 5,
    maxNotReady: null,
    readinessRecheckMs: 600_000,
    minNoticeMs: 0,
    plannedAt: '2030-01-07T00:00:00.000Z',
    reminderAt: '2030-01-04T01:00:00.000Z',
    moveOptions: { freezeWindowMaxMs: 60_000, drainTimeoutMs: 5_000 },
  });
const wf = (id: string, runId = 'r1') => ({ batchId: id, workflowId: `batch-${id}`, runId, actor: 'system' });
const status = async (id: string) => (await db('batches').where({ id }).first('status')).status;

describe("BatchStore (knex): a batch's rows as its workflow writes them", () => {
  it('records a plan once for its run, or refuses it with every reason, writing nothing', async () => {
    const c = plan('S1', ['SD1', 'SD2'], ['SDPDF']);
    expect(await store.recordPlan(c, 'batch-S1', 'r1')).toEqual({ ok: true });
    expect(await store.recordPlan(c, 'batch-S1', 'r1')).toEqual({ ok: true });
    expect(await store.recordPlan(c, 'batch-S1', 'r2')).toEqual({
      ok: false,
      reason: `command ${c.id} was used already`,
    });
    expect(
      await db('batch_folders').where({ batch_id: 'S1' }).orderBy('folder_code').pluck('folder_code'),
    ).toEqual(['SD1', 'SD2']);
    const refused = await store.recordPlan(
      plan('S1', ['SD2', 'NOPE', 'SMMRPT'], ['SDPDF']),
      'batch-S1',
      'r3',
    );
    expect(refused).toEqual({ ok: false, reason: expect.stringMatching(/^batch S1 refused: /) });
    const reason = (refused as { reason: string }).reason;
    for (const why of [
      'batch S1 already exists',
      'folder SD2 is already in unfinished batch S1',
      'folder NOPE is not in the catalog',
      'SDPDF is retired by unfinished batch S1',
    ])
      expect(reason).toContain(why);
    expect(await db('batches').count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('approves (folders scheduled), voids the approval (back to legacy), once per key', async () => {
    await store.approve({ ...wf('S1'), approver: 'bob' });
    await store.approve({ ...wf('S1'), approver: 'bob' });
    expect(await db('batches').where({ id: 'S1' }).first('status', 'approved_by')).toEqual({
      status: 'approved',
      approved_by: 'bob',
    });
    expect(await placement(db, 'SD1')).toBe('scheduled');
    await store.voidApproval({ ...wf('S1'), plannedAt: '2030-01-14T00:00:00.000Z' });
    expect(await db('batches').where({ id: 'S1' }).first('status', 'approved_by', 'planned_at')).toEqual({
      status: 'awaiting_approval',
      approved_by: null,
      planned_at: new Date('2030-01-14T00:00:00Z'),
    });
    expect(await placement(db, 'SD1')).toBe('legacy');
    await store.persist({ ...wf('S1'), seq: 1, status: 'approved', change: 'approve', actor: 'bob' });
    await store.setStatus(wf('S1'), 'running', '2030-01-14T00:00:01.000Z');
    expect(await db('batches').where({ id: 'S1' }).first('status', 'started_at')).toEqual({
      status: 'running',
      started_at: new Date('2030-01-14T00:00:01Z'),
    });
  });

  it("refuses another run's write, for good", async () => {
    await expect(store.persist({ ...wf('S1', 'reset-run'), status: 'paused' })).rejects.toThrow(
      StaleRunError,
    );
    await expect(store.foldersToRetire(wf('S1', 'reset-run'))).rejects.toThrow(StaleRunError);
    expect(await status('S1')).toBe('running');
  });

  it('retires its retired folders once each, and withdraws its queued notices', async () => {
    expect(await store.foldersToRetire(wf('S1'))).toEqual(['SDPDF']);
    await store.recordRetirement(wf('S1'), 'SDPDF', { retired: true });
    await store.recordRetirement(wf('S1'), 'SDPDF', { retired: false, failure: 'late' }); // done already: nothing
    expect(await store.foldersToRetire(wf('S1'))).toEqual([]);
    expect(await db('folders').where({ code: 'SDPDF' }).first('retired_at')).toEqual({
      retired_at: expect.any(Date),
    });
    await db('participants').insert({
      code: '00001',
      name_en: 'F',
      user_types: ['SEHK_EP'],
      emails: ['a@b.hk'],
    });
    await db('notices').insert([
      {
        kind: 'batch_reminder',
        subject_id: 'S1@2030-01-14T00:00:00.000Z',
        participant_code: '00001',
        recipients: ['a@b.hk'],
        subject: 's',
        body_text: 't',
      },
      {
        kind: 'batch_announced',
        subject_id: 'S1@2030-01-14T00:00:00.000Z',
        participant_code: '00001',
        recipients: ['a@b.hk'],
        subject: 's',
        body_text: 't',
        status: 'sent',
      },
    ]);
    expect(await store.withdrawNotices('S1')).toBe(1);
  });

  it('finishes: outcomes, the plan released (I4), and a finished batch never changes again', async () => {
    await store.finish({
      ...wf('S1'),
      status: 'completed_with_failures',
      reason: 'SD2 failed',
      outcomes: {
        SD1: { status: 'live', failure: null },
        SD2: { status: 'failed', failure: 'enable refused' },
      },
    });
    expect(
      await db('batch_folders')
        .where({ batch_id: 'S1' })
        .orderBy('folder_code')
        .select('folder_code', 'status', 'active', 'failure'),
    ).toEqual([
      { folder_code: 'SD1', status: 'live', active: false, failure: null },
      { folder_code: 'SD2', status: 'failed', active: false, failure: 'enable refused' },
    ]);
    expect(await db('batches').where({ id: 'S1' }).first('status', 'reason', 'finished_at')).toEqual({
      status: 'completed_with_failures',
      reason: 'SD2 failed',
      finished_at: expect.any(Date),
    });
    await expect(store.persist({ ...wf('S1'), seq: 9, status: 'running' })).rejects.toThrow(
      /has finished \(completed_with_failures\)/,
    );
    expect(await store.recordPlan(plan('S2', ['SD2']), 'batch-S2', 'r1')).toEqual({ ok: true }); // SD2 may be planned again
  });
});
