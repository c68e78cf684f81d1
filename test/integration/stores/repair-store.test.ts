import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import { InputError } from '../../../domain/errors';
import { repairRefusal } from '../../../domain/repair-policy';
import { createRepairStore } from '../../../stores/repair-store';
import { freshDatabase } from '../../support/db';
import { batch, eventsOf, operators, placement } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
const store = createRepairStore(db);
const repair = { workflowId: 'repair-SD1', runId: 'rr1' };
const move = (folder: string, id: string, kind = 'cutover') =>
  db('folder_runs').insert({ folder_code: folder, kind, workflow_id: `${kind}-${id}`, run_id: id });
const runs = (folder: string) =>
  db('folder_runs')
    .where({ folder_code: folder })
    .orderBy('id')
    .select('kind', 'workflow_id', 'status', 'step', 'failure');

describe('RepairStore (knex): the record a repair is decided on, its claim and its outcome', () => {
  it('reads the record: placement, decommission, running moves (not repairs), the plan, open drift', async () => {
    expect(await store.record('NOPE')).toMatchObject({ code: 'NOPE', placement: null, runningMoves: [] });
    await db('folders').where({ code: 'SD1' }).update({ placement: 'cutting_over' });
    await move('SD1', 'm1');
    await db('folder_runs').insert({
      folder_code: 'SD1',
      kind: 'repair',
      workflow_id: 'repair-SD1',
      run_id: 'old',
    });
    await batch(db, 'R1', ['SD1']);
    await db('drifts').insert({ folder_code: 'SD1', kind: 'stuck_in_flight', detail: 'd' });
    await operators(db, 'alice');
    await db('decommission').insert({
      id: 'legacy-ecp',
      planned_at: new Date(),
      status: 'scheduled',
      requested_by: 'alice',
    });
    expect(await store.record('SD1')).toEqual({
      code: 'SD1',
      placement: 'cutting_over',
      decommission: 'scheduled',
      plannedIn: 'R1',
      openDrifts: 1,
      runningMoves: [{ workflowId: 'cutover-m1', runId: 'm1' }],
    });
    expect(await store.placementOf('SD1')).toBe('cutting_over');
    await db('folder_runs').where({ kind: 'repair' }).delete();
  });

  it('gives the policy (domain/repair-policy.ts) the record: Temporal is asked about a recorded move only when the record alone does not refuse', async () => {
    const asked: string[] = [];
    const running = (answer: boolean) => async (r: { workflowId: string }) => (
      asked.push(r.workflowId),
      answer
    );
    expect(await repairRefusal(await store.record('SD1'), 'legacy', running(true))).toBe(
      'folder SD1 is being moved by cutover-m1 right now: wait for it to end',
    );
    expect(asked).toEqual(['cutover-m1']);
    expect(await repairRefusal(await store.record('SD1'), 'legacy', running(false))).toBeNull(); // stuck: the move is gone
    await move('SDPDF', 'm2');
    asked.length = 0;
    expect(await repairRefusal(await store.record('SDPDF'), 'legacy', running(true))).toMatch(
      /^folder SDPDF is retired/,
    );
    expect(asked).toEqual([]);
    await expect(repairRefusal(await store.record('SD1'), 'ecp2', running(false))).rejects.toThrow(
      InputError,
    );
  });

  it('claims the folder once, ending the stale moves under its lock', async () => {
    expect(await store.claim('SD1', 'legacy', repair)).toBe('cutting_over');
    expect(await store.claim('SD1', 'legacy', repair)).toBe('cutting_over'); // a retry claims nothing more
    expect(await runs('SD1')).toEqual([
      {
        kind: 'cutover',
        workflow_id: 'cutover-m1',
        status: 'failed',
        step: null,
        failure: 'ended by the repair in repair-SD1',
      },
      { kind: 'repair', workflow_id: 'repair-SD1', status: 'running', step: 'to_legacy', failure: null },
    ]);
  });

  it('records the folder where the repair put it, with its event, or the repair as failed', async () => {
    await store.complete({
      ...repair,
      code: 'SD1',
      to: 'legacy',
      actor: 'bob',
      reason: 'terminated in the UI; 2 pending file(s) moved to legacy',
    });
    expect(await placement(db, 'SD1')).toBe('legacy');
    expect((await runs('SD1'))[1]).toMatchObject({ status: 'succeeded', step: 'done' });
    expect(await eventsOf(db, 'SD1')).toEqual([
      {
        actor: 'bob',
        from_state: 'cutting_over',
        to_state: 'legacy',
        reason: 'terminated in the UI; 2 pending file(s) moved to legacy',
        idempotency_key: 'repair-SD1/rr1/repaired',
      },
    ]);
    await store.claim('SD2', 'live', { workflowId: 'repair-SD2', runId: 'rr2' });
    await store.fail({ workflowId: 'repair-SD2', runId: 'rr2' }, 'the platform refused');
    expect(await runs('SD2')).toEqual([
      {
        kind: 'repair',
        workflow_id: 'repair-SD2',
        status: 'failed',
        step: 'to_live',
        failure: 'the platform refused',
      },
    ]);
    expect(await placement(db, 'SD2')).toBe('legacy');
  });
});
