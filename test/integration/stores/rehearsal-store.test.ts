import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import { ConflictError } from '../../../domain/errors';
import type { RunRef } from '../../../domain/folder-runs';
import { planHash, type RehearsedPlan } from '../../../domain/rehearsal';
import { createRehearsalStore } from '../../../stores/rehearsal-store';
import { dumpDatabase, freshDatabase } from '../../support/db';
import { batch } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
const store = createRehearsalStore(db);
await batch(db, 'M1', ['SD1', 'SD2']);
const plan: RehearsedPlan = {
  batchId: 'M1',
  folders: ['SD2', 'SD1'],
  retire: [],
  plannedAt: '2031-03-10T00:00:00.000Z',
  failurePolicy: 'continue',
  concurrency: 2,
  moveOptions: { freezeWindowMaxMs: 60_000, drainTimeoutMs: 5_000 },
};
const parent = { workflowId: 'rehearsal-M1-R20310101000000000', runId: 'p1' };
const ref = (folderCode: string, over: Partial<RunRef> = {}): RunRef => ({
  folderCode,
  kind: 'cutover',
  batchId: 'M1-R20310101000000000',
  workflowId: `${parent.workflowId}-${folderCode}`,
  runId: 'r1',
  actor: 'alice',
  ...over,
});
/** Everything but the rehearsals' own tables: a rehearsal writes nothing else. */
const rest = async () =>
  (await dumpDatabase(db))
    .split('\n## ')
    .filter((p) => !/^(sequence )?public\.rehearsal/.test(p))
    .join('\n## ');

describe('RehearsalStore (knex): rehearsals and their folder runs, never the live record', () => {
  it('records a rehearsal once, its folders pending; runs its moves; ends it with the outcome; writes nothing else', async () => {
    const before = await rest();
    const begin = {
      id: 'M1-R20310101000000000',
      batchId: 'M1',
      planHash: planHash(plan),
      plan,
      requestedBy: 'alice',
      environment: 'http://rehearsal',
      ...parent,
    };
    await store.begin(begin);
    await store.begin(begin); // a retried activity
    expect((await store.get(begin.id))!.folders.map((f) => [f.code, f.status])).toEqual([
      ['SD1', 'pending'],
      ['SD2', 'pending'],
    ]);

    const runs = store.runs();
    // Only the rehearsal's own workflow starts its moves, and only of its folders.
    await expect(runs.begin(ref('SD1'), null, null)).rejects.toThrow(ConflictError);
    await expect(
      runs.begin(ref('SD1'), null, { workflowId: parent.workflowId, runId: 'another' }),
    ).rejects.toThrow(/not started by rehearsal/);
    await expect(runs.begin(ref('SD3'), null, parent)).rejects.toThrow(/SD3.*not a folder of rehearsal/);

    await runs.begin(ref('SD1'), null, parent);
    await runs.begin(ref('SD1'), null, parent); // a retry
    await runs.step(ref('SD1'), 'frozen', { freezeStartedAt: new Date('2030-01-07T00:00:00.000Z') });
    await runs.step(ref('SD1'), 'target_enabled', { freezeEndedAt: new Date('2030-01-07T00:00:00.300Z') });
    expect(await runs.finish(ref('SD1'), 'succeeded', null)).toEqual({
      placement: 'live',
      freezeWindowMs: 300,
    });
    // Asked before this run began it (the row is the rehearsal's, still pending): nothing of this run's.
    expect(await runs.recorded(ref('SD2'), 'boom')).toEqual({
      status: 'none',
      freezeWindowMs: null,
      failure: null,
    });
    await runs.begin(ref('SD2'), null, parent);
    expect(await runs.recorded(ref('SD2'), 'boom')).toEqual({
      status: 'running',
      freezeWindowMs: null,
      failure: null,
    });
    await runs.finish(ref('SD2'), 'compensated', 'boom');
    await expect(runs.step(ref('SD2'), 'target_enabled')).rejects.toThrow(/was put back/);
    // A move already rehearsed in this rehearsal is not begun again by another run.
    await expect(runs.begin(ref('SD2', { runId: 'r2' }), null, parent)).rejects.toThrow(/rehearsed already/);

    await store.readiness(begin.id, { affected: 5, notReady: 1, source: 'client_connect' });
    await store.noticesSent(begin.id, 'sent to the team');
    const done = await store.finish(begin.id);
    expect(done).toMatchObject({
      status: 'failed',
      failure: 'SD2 compensated: boom',
      notices: 'sent to the team',
      readiness: { affected: 5, notReady: 1, source: 'client_connect' },
    });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(await store.finish(begin.id)).toEqual(done); // idempotent
    expect(await store.latest('M1')).toMatchObject({
      id: begin.id,
      status: 'failed',
      planHash: planHash(plan),
      freezeMedianMs: 300,
      freezeMaxMs: 300,
    });
    expect((await store.ofBatch('M1')).map((r) => r.id)).toEqual([begin.id]);

    const report = (await store.report(begin.id, new Date()))!;
    expect(report.kind).toBe('rehearsal');
    expect(report.folders.map((f) => [f.code, f.status, f.freezeWindowMs])).toEqual([
      ['SD1', 'live', 300],
      ['SD2', 'failed', null],
    ]);
    expect(await store.report('NOPE', new Date())).toBeUndefined();

    // One that could not go on ends failed with why; an ended one is left as it ended.
    const other = { ...begin, id: 'M1-R20310101000000001', workflowId: 'rehearsal-M1-R20310101000000001' };
    await store.begin(other);
    await store.abandon(other.id, 'prepare failed: connection refused');
    expect(await store.get(other.id)).toMatchObject({
      status: 'failed',
      failure: 'prepare failed: connection refused',
    });
    await store.abandon(begin.id, 'too late');
    expect((await store.get(begin.id))!.failure).toBe('SD2 compensated: boom');
    expect(await store.latest('M2')).toBeUndefined();
    expect(await rest()).toBe(before);
  });
});
