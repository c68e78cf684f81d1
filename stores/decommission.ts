import type { Db } from '../db/connection';
import type { PlatformGateway } from '../platform/gateway';
import { FINAL_BATCH_STATUSES } from '../domain/batch-lifecycle';
import type { GateItem } from '../domain/decommission-lifecycle';
import { openDrifts } from './reconcile';

export type { GateItem };

/** One legacy platform, one decommission: the row's id is fixed. */
export const DECOMMISSION_ID = 'legacy-ecp';

/**
 * The decommission gate (FAQ E.30): every folder live, retired or born on ECP 2.0; no batch unfinished; no
 * switch-back pending; no drift open (the reconciler's: a platform not where the record says, stores/reconcile.ts);
 * legacy has accepted no submission for the quiet period (asked of the platform).
 * Switch-backs are refused once the switch-off runs (activities/approvals.ts, stores/run-store.ts).
 */
export async function checkGate(db: Db, gateway: PlatformGateway, quietPeriodMs: number, now = new Date()): Promise<{ pass: boolean; items: GateItem[] }> {
  const left: string[] = await db('folders').whereNotIn('placement', ['live', 'retired', 'new_on_2_0']).orderBy('code').pluck('code');
  const open = await db('batches').whereNotIn('status', FINAL_BATCH_STATUSES).orderBy('id').select('id', 'status');
  // A switch-back requested and not yet decided would need legacy after it is gone.
  const { rows: pending } = await db.raw(`select entity_id from (
      select distinct on (entity_id) entity_id, to_state from events
      where entity_type = 'folder' and to_state in ('rollback_requested', 'rollback_approved', 'rollback_rejected', 'rollback_expired', 'rollback_cancelled')
      order by entity_id, id desc) latest where to_state = 'rollback_requested' order by entity_id`);
  const drifts = await openDrifts(db);
  const last = await gateway.lastLegacyAcceptance();
  const quietFor = last ? now.getTime() - new Date(last).getTime() : Infinity;
  const items: GateItem[] = [
    { item: 'folders', pass: left.length === 0, detail: left.length ? `${left.length} folder(s) not moved: ${left.slice(0, 10).join(', ')}${left.length > 10 ? ', …' : ''}` : 'every folder is live, retired or born on ECP 2.0' },
    { item: 'batches', pass: open.length === 0, detail: open.length ? `unfinished: ${open.map((b) => `${b.id} (${b.status})`).join(', ')}` : 'no batch unfinished' },
    { item: 'switch_backs', pass: pending.length === 0, detail: pending.length ? `switch-back awaiting approval: ${pending.map((r: { entity_id: string }) => r.entity_id).join(', ')}` : 'no switch-back pending' },
    {
      item: 'drift',
      pass: drifts.size === 0,
      detail: drifts.size ? `drift open on ${[...drifts].slice(0, 10).map(([code, kinds]) => `${code} (${kinds.join(', ')})`).join(', ')}${drifts.size > 10 ? ', …' : ''}: see 'ecp-cutover reconcile'` : 'no drift open (last reconciler pass)',
    },
    {
      item: 'quiet_period',
      pass: quietFor >= quietPeriodMs,
      detail: last ? `last submission accepted on legacy at ${new Date(last).toISOString()} (${Math.floor(quietFor / 3_600_000)} h ago; needs ${Math.round(quietPeriodMs / 3_600_000)} h)` : 'legacy never accepted a submission',
    },
  ];
  return { pass: items.every((i) => i.pass), items };
}
