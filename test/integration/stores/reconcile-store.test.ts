import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import { episodeChanges } from '../../../domain/reconcile';
import { createReconcileStore } from '../../../stores/reconcile';
import { freshDatabase } from '../../support/db';
import { eventsOf } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
const store = createReconcileStore(db);
const folderCount = Number((await db('folders').count({ n: '*' }).first())?.n);

describe('ReconcileStore (knex): snapshots, drift episodes and passes', () => {
  it("lists the folders, and reads one folder's record with its running moves in one snapshot", async () => {
    expect(await store.folderCodes()).toHaveLength(folderCount);
    expect(await store.snapshot('SD1')).toEqual({ placement: 'legacy', retiredAt: null, runs: [] });
    expect(await store.snapshot('NOPE')).toBeNull();
    await db('folder_runs').insert([
      { folder_code: 'SD1', kind: 'cutover', workflow_id: 'cutover-B1-SD1', run_id: 'r1' },
      {
        folder_code: 'SD1',
        kind: 'cutover',
        workflow_id: 'cutover-B0-SD1',
        run_id: 'r0',
        status: 'compensated',
      },
    ]);
    expect((await store.snapshot('SD1'))?.runs).toEqual([{ workflowId: 'cutover-B1-SD1', runId: 'r1' }]);
    await db('folder_runs').delete();
  });

  it("acts under the folder's row only if its record is unchanged", async () => {
    const before = (await store.snapshot('SD2'))!;
    let acted = 0;
    expect(await store.whileUnchanged('SD2', before, async () => void acted++)).toBe(true);
    await db('folders').where({ code: 'SD2' }).update({ placement: 'scheduled' });
    expect(await store.whileUnchanged('SD2', before, async () => void acted++)).toBe(false);
    expect(acted).toBe(1);
    await db('folders').where({ code: 'SD2' }).update({ placement: 'legacy' });
  });

  it("holds the folder's row while it acts: a move's begin (FOR UPDATE) waits", async () => {
    const before = (await store.snapshot('SD3'))!;
    const order: string[] = [];
    let release!: () => void;
    const acting = store.whileUnchanged(
      'SD3',
      before,
      () =>
        new Promise<void>((r) => {
          order.push('act');
          release = r;
        }),
    );
    while (!release) await new Promise((r) => setImmediate(r));
    const begin = db.transaction(async (trx) => {
      await trx('folders').where({ code: 'SD3' }).forUpdate().first('code');
      order.push('begin');
    });
    await new Promise((r) => setTimeout(r, 200)); // the begin had time to take the row, were it free
    order.push('released');
    release();
    await Promise.all([acting, begin]);
    expect(order).toEqual(['act', 'released', 'begin']);
  });

  it('opens and resolves episodes as decided, with an event each keyed by the pass', async () => {
    const found = [{ kind: 'closed_where_recorded' as const, detail: 'legacy is frozen', action: null }];
    const first = await store.recordEpisodes('SD1', 'p1', (open, now) => episodeChanges(open, found, now));
    expect(first.detected).toEqual([
      expect.objectContaining({
        folder: 'SD1',
        kind: 'closed_where_recorded',
        detail: 'legacy is frozen',
        action: null,
        resolvedAt: null,
      }),
    ]);
    expect(first.resolved).toEqual([]);
    // Still there: the decision sees it open, nothing changes.
    let seen: unknown;
    const again = await store.recordEpisodes(
      'SD1',
      'p2',
      (open, now) => ((seen = open), episodeChanges(open, found, now)),
    );
    expect(seen).toEqual([
      { id: expect.any(Number), kind: 'closed_where_recorded', detail: 'legacy is frozen' },
    ]);
    expect(again).toEqual({ detected: [], resolved: [] });
    expect(await store.openEpisodes()).toEqual([
      expect.objectContaining({ folder: 'SD1', kind: 'closed_where_recorded' }),
    ]);
    const gone = await store.recordEpisodes('SD1', 'p3', (open, now) => episodeChanges(open, [], now));
    expect(gone.resolved).toEqual([
      expect.objectContaining({ folder: 'SD1', resolvedAt: expect.any(String) }),
    ]);
    expect(await store.openEpisodes()).toEqual([]);
    // Closed at once: opened and resolved in the same statement's instant.
    const closed = await store.recordEpisodes('SD2', 'p4', (open, now) =>
      episodeChanges(open, [{ kind: 'open_on_both', detail: 'both', action: 'closed_ecp2' }], now),
    );
    expect(closed.detected[0].resolvedAt).toBe(closed.detected[0].detectedAt);
    expect(
      (await eventsOf(db, 'SD1')).map((e) => [e.actor, e.to_state, e.reason, e.idempotency_key]),
    ).toEqual([
      ['reconciler', 'drift_detected', 'legacy is frozen', 'reconcile/p1/SD1/closed_where_recorded/detected'],
      [
        'reconciler',
        'drift_resolved',
        'no longer seen: legacy is frozen',
        'reconcile/p3/SD1/closed_where_recorded/resolved',
      ],
    ]);
  });

  it('runs one pass at a time', async () => {
    const order: string[] = [];
    let release!: () => void;
    const first = store.exclusively(
      () =>
        new Promise<void>((r) => {
          order.push('first starts');
          release = () => (order.push('first ends'), r());
        }),
    );
    while (!release) await new Promise((r) => setImmediate(r));
    const second = store.exclusively(async () => void order.push('second starts'));
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second starts']);
  });

  it('records each pass', async () => {
    const startedAt = new Date(Date.now() - 1000);
    await store.recordPass({
      trigger: 'on_demand',
      startedAt,
      folders: 50,
      openDrifts: 1,
      newDrifts: 2,
      resolvedDrifts: 3,
      unreadable: 4,
    });
    expect(await db('reconcile_passes').orderBy('id', 'desc').first()).toMatchObject({
      trigger: 'on_demand',
      started_at: startedAt,
      finished_at: expect.any(Date),
      folders: 50,
      open_drifts: 1,
      new_drifts: 2,
      resolved_drifts: 3,
      unreadable: 4,
    });
  });
});
