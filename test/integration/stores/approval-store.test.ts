import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import type { SwitchBackRequestArgs } from '../../../domain/commands';
import { NotAllowedError, NotFoundError } from '../../../domain/errors';
import { createApprovalStore } from '../../../stores/approval-store';
import { freshDatabase } from '../../support/db';
import { claims, eventsOf, operators } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
const store = createApprovalStore(db);
const request = (folderCode: string) =>
  claims<SwitchBackRequestArgs>('switch_back.request', {
    folderCode,
    reason: 'ECP 2.0 rejects every SD1 file',
    approvalTimeoutMs: 60_000,
    moveOptions: { freezeWindowMaxMs: 60_000, drainTimeoutMs: 5_000 },
  });

describe('ApprovalStore (knex): a switch-back request and the role check', () => {
  it('records the request of a live folder once, for the run that recorded it', async () => {
    await db('folders').where({ code: 'SD1' }).update({ placement: 'live' });
    const c = request('SD1');
    expect(await store.recordSwitchBackRequest(c, 'rollback-SD1', 'run-1')).toEqual({ ok: true });
    expect(await store.recordSwitchBackRequest(c, 'rollback-SD1', 'run-1')).toEqual({ ok: true }); // a retry
    expect(await store.recordSwitchBackRequest(c, 'rollback-SD1', 'run-2')).toEqual({
      ok: false,
      reason: `command ${c.id} was used already`,
    });
    expect(await eventsOf(db, 'SD1')).toEqual([
      {
        actor: 'alice',
        from_state: 'live',
        to_state: 'rollback_requested',
        reason: 'ECP 2.0 rejects every SD1 file',
        idempotency_key: `command:${c.id}`,
      },
    ]);
  });

  it('refuses a folder that is not live, not in the catalog, or a legacy being switched off — writing nothing', async () => {
    expect(await store.recordSwitchBackRequest(request('SD2'), 'rollback-SD2', 'r')).toEqual({
      ok: false,
      reason: 'folder SD2 is legacy, not live: only a live folder can be switched back',
    });
    expect(await store.recordSwitchBackRequest(request('NOPE'), 'rollback-NOPE', 'r')).toEqual({
      ok: false,
      reason: 'folder NOPE is not in the catalog',
    });
    await operators(db, 'alice');
    await db('decommission').insert({
      id: 'legacy-ecp',
      planned_at: new Date(),
      status: 'running',
      requested_by: 'alice',
    });
    try {
      expect(await store.recordSwitchBackRequest(request('SD1'), 'rollback-SD1', 'r')).toEqual({
        ok: false,
        reason: 'legacy ECP is being switched off: no folder can go back to it',
      });
    } finally {
      await db('decommission').delete();
    }
    expect(await eventsOf(db, 'SD2')).toEqual([]);
  });

  it('refuses an unknown operator, and one without the role, with what to do', async () => {
    await operators(db, 'bob');
    await db('operator_roles').insert({ operator: 'bob', role: 'approver' });
    await expect(store.requireRole('bob', 'approver')).resolves.toBeUndefined();
    await expect(store.requireRole('bob', 'planner')).rejects.toThrow(NotAllowedError);
    await expect(store.requireRole('zed', 'planner')).rejects.toThrow(NotFoundError);
  });
});
