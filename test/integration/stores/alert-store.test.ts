import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import { alertChanges, alertConditions } from '../../../domain/reconcile';
import { createAlertStore } from '../../../stores/alert-store';
import { freshDatabase } from '../../support/db';
import { batch, operators } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
const store = createAlertStore(db);
const run = (folder: string, id: string, status: string, failure: string | null = null) =>
  db('folder_runs')
    .insert({
      folder_code: folder,
      kind: 'cutover',
      workflow_id: `cutover-${id}`,
      run_id: id,
      status,
      failure,
    })
    .returning('id')
    .then(([r]) => Number(r.id));

describe('AlertStore (knex): alert episodes and which episodes were mailed', () => {
  it('reads the conditions: unsettled runs, blocked batches, a blocked decommission', async () => {
    expect(await store.facts()).toEqual({
      unsettledRuns: [],
      blockedBatches: [],
      decommissionBlocked: false,
    });
    const failed = await run('SD1', 'a', 'compensated', 'enable refused');
    await run('SD2', 'b', 'failed');
    await run('SD2', 'c', 'succeeded'); // a later success settles SD2
    await batch(db, 'A1', [], { status: 'blocked_on_readiness' });
    await operators(db, 'alice');
    await db('decommission').insert({
      id: 'legacy-ecp',
      planned_at: new Date(),
      status: 'blocked',
      requested_by: 'alice',
    });
    expect(await store.facts()).toEqual({
      unsettledRuns: [
        {
          id: failed,
          folderCode: 'SD1',
          kind: 'cutover',
          status: 'compensated',
          failure: 'enable refused',
          batchId: null,
        },
      ],
      blockedBatches: ['A1'],
      decommissionBlocked: true,
    });
  });

  it('opens and resolves alert episodes as decided, under lock', async () => {
    const conditions = alertConditions(await store.facts());
    await store.syncAlerts((open) => alertChanges(open, conditions));
    await store.syncAlerts((open) => alertChanges(open, conditions)); // the same conditions: nothing new
    expect(await db('alerts').orderBy('id').select('kind', 'subject', 'resolved_at')).toEqual([
      { kind: 'folder_compensated', subject: expect.stringMatching(/^run:\d+$/), resolved_at: null },
      { kind: 'batch_blocked', subject: 'batch:A1', resolved_at: null },
      { kind: 'decommission_blocked', subject: 'decommission', resolved_at: null },
    ]);
    await store.syncAlerts((open) =>
      alertChanges(
        open,
        conditions.filter((c) => c.kind !== 'batch_blocked'),
      ),
    );
    expect(await db('alerts').whereNotNull('resolved_at').pluck('subject')).toEqual(['batch:A1']);
  });

  it('lists episodes whose opening or resolution was not mailed yet, oldest first, and marks them', async () => {
    await db('drifts').insert({
      folder_code: 'SD3',
      kind: 'open_on_both',
      detail: 'both',
      action: 'closed_legacy',
      resolved_at: new Date(),
    });
    const openings = await store.unmailedOpenings('alerts');
    expect(openings.map((e) => e.table === 'alerts' && e.subject)).toEqual([
      expect.stringMatching(/^run:/),
      'batch:A1',
      'decommission',
    ]);
    for (const e of openings) await store.markOpeningMailed(e);
    expect(await store.unmailedOpenings('alerts')).toEqual([]);
    // batch:A1 was resolved before its opening was mailed: that one mail said so, no second one.
    expect(await store.unmailedResolutions('alerts')).toEqual([]);
    await store.syncAlerts((open) => ({
      open: [],
      resolve: open.filter((o) => o.subject === 'decommission').map((o) => o.id),
    }));
    const [r] = await store.unmailedResolutions('alerts');
    expect(r).toMatchObject({
      table: 'alerts',
      kind: 'decommission_blocked',
      subject: 'decommission',
      resolvedAt: expect.any(Date),
    });
    await store.markResolutionMailed(r);
    expect(await store.unmailedResolutions('alerts')).toEqual([]);

    // A drift opened and closed in one pass is one mail: marking its opening marks its resolution too.
    const [drift] = await store.unmailedOpenings('drifts');
    expect(drift).toMatchObject({
      table: 'drifts',
      folderCode: 'SD3',
      kind: 'open_on_both',
      action: 'closed_legacy',
      at: expect.any(Date),
      resolvedAt: expect.any(Date),
    });
    await store.markOpeningMailed(drift);
    expect(await store.unmailedResolutions('drifts')).toEqual([]);
  });
});
