import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import type { DecommissionScheduleArgs } from '../../../domain/commands';
import { StaleRunError } from '../../../stores/batch-store';
import { createDecommissionStore } from '../../../stores/decommission';
import { freshDatabase } from '../../support/db';
import { batch, claims, eventsOf, operators } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
await operators(db, 'alice', 'bob');
const store = createDecommissionStore(db);
const schedule = (plannedAt: string) =>
  claims<DecommissionScheduleArgs>('decommission.schedule', {
    plannedAt,
    reminderAts: [],
    quietPeriodMs: 0,
    recheckMs: 60_000,
  });
const row = () => db('decommission').where({ id: 'legacy-ecp' }).first();
const change = { actor: 'bob', reason: null, workflowId: 'decommission-legacy-ecp', runId: 'run-1' };

describe('DecommissionStore (knex): the row, its events, the facts of its gate', () => {
  it('records a schedule once for its run; a command serves one run', async () => {
    const c = schedule('2030-12-30T10:00:00.000Z');
    expect(await store.recordRequest(c, 'decommission-legacy-ecp', 'run-1')).toEqual({ ok: true });
    expect(await store.recordRequest(c, 'decommission-legacy-ecp', 'run-1')).toEqual({ ok: true });
    expect(await store.recordRequest(c, 'decommission-legacy-ecp', 'run-2')).toEqual({
      ok: false,
      reason: `command ${c.id} was used already`,
    });
    expect(await row()).toMatchObject({
      status: 'awaiting_approval',
      requested_by: 'alice',
      run_id: 'run-1',
      planned_at: new Date('2030-12-30T10:00:00Z'),
    });
    expect(await store.current()).toEqual({ status: 'awaiting_approval', runId: 'run-1' });
  });

  it('changes the status with its event once per key; another run writes nothing', async () => {
    await store.setStatus({ ...change, status: 'scheduled', approvedBy: 'bob', seq: 1 });
    await store.setStatus({ ...change, status: 'blocked', seq: 1 }); // the same key again: nothing
    expect(await row()).toMatchObject({ status: 'scheduled', approved_by: 'bob', completed_at: null });
    await expect(store.setStatus({ ...change, runId: 'run-9', status: 'running', seq: 2 })).rejects.toThrow(
      StaleRunError,
    );
    await store.setStatus({ ...change, status: 'completed', seq: 2 });
    expect((await row()).completed_at).toBeInstanceOf(Date);
    expect((await eventsOf(db, 'legacy-ecp')).map((e) => `${e.from_state}→${e.to_state}`)).toEqual([
      'null→awaiting_approval',
      'awaiting_approval→scheduled',
      'scheduled→completed',
    ]);
    expect(
      await store.recordRequest(schedule('2031-01-01T00:00:00.000Z'), 'decommission-legacy-ecp', 'run-3'),
    ).toEqual({ ok: false, reason: 'legacy ECP is already decommissioned' });
  });

  it("reads the gate's facts: folders not moved, unfinished batches, pending switch-backs, open drift", async () => {
    await db('folders')
      .whereNotIn('code', ['SD1', 'SD2'])
      .whereIn('placement', ['legacy', 'scheduled'])
      .update({ placement: 'live' });
    await batch(db, 'G1', [], { status: 'running' });
    await batch(db, 'G2', [], { status: 'completed' });
    const switchBack = (entity: string, to: string, key: string) =>
      db('events').insert({
        actor: 'alice',
        entity_type: 'folder',
        entity_id: entity,
        to_state: to,
        idempotency_key: key,
      });
    await switchBack('SD3', 'rollback_requested', 'k1');
    await switchBack('CSCTRD', 'rollback_requested', 'k2');
    await switchBack('CSCTRD', 'rollback_rejected', 'k3');
    await db('drifts').insert([
      { folder_code: 'SMMRPT', kind: 'legacy_visibility', detail: 'd' },
      { folder_code: 'SMMRPT', kind: 'open_on_wrong_side', detail: 'd' },
    ]);
    expect(await store.gateFacts()).toEqual({
      foldersNotMoved: ['SD1', 'SD2'],
      unfinishedBatches: [{ id: 'G1', status: 'running' }],
      pendingSwitchBacks: ['SD3'],
      openDrifts: new Map([['SMMRPT', ['legacy_visibility', 'open_on_wrong_side']]]),
    });
  });

  it('keeps the gate as last checked', async () => {
    await store.saveGate([{ item: 'folders', pass: true, detail: 'ok' }]);
    expect(await row()).toMatchObject({
      gate: [{ item: 'folders', pass: true, detail: 'ok' }],
      gate_checked_at: expect.any(Date),
    });
  });

  it('lists the retired folders no batch closed, and marks them retired once', async () => {
    const open: string[] = await db('folders').where({ placement: 'retired' }).orderBy('code').pluck('code');
    expect(open.length).toBeGreaterThan(1);
    await db('folders')
      .where({ code: open[0] })
      .update({ retired_at: new Date('2022-06-06T00:00:00Z') });
    expect(await store.retiredNotClosed()).toEqual(open.slice(1));
    await store.markRetired(open);
    expect(await store.retiredNotClosed()).toEqual([]);
    expect((await db('folders').where({ code: open[0] }).first('retired_at')).retired_at).toEqual(
      new Date('2022-06-06T00:00:00Z'),
    ); // kept
    await store.markRetired([]);
  });
});
