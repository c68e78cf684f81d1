import type { Db } from '../db/connection';
import type { PlatformGateway } from '../platform/gateway';
import { checkGate } from '../stores/decommission';

export const DECOMMISSION_ID = 'legacy-ecp';

/** Activities of the decommission workflow: its row in PostgreSQL, the gate, and switching legacy off. */
export function createDecommissionActivities({ db, gateway }: { db: Db; gateway: PlatformGateway }) {
  const event = (e: { actor: string; from: string | null; to: string; reason: string | null; workflowId: string; runId: string; key: string }) =>
    db('events')
      .insert({ actor: e.actor, entity_type: 'decommission', entity_id: DECOMMISSION_ID, from_state: e.from, to_state: e.to, reason: e.reason, workflow_id: e.workflowId, run_id: e.runId, idempotency_key: `${e.workflowId}/${e.runId}/${e.key}` })
      .onConflict('idempotency_key')
      .ignore();
  return {
    /** Status (and plan) of the decommission, with its event, in one transaction; keyed against retries. */
    async setDecommission(input: { status: string; actor: string; reason: string | null; plannedAt?: string; approvedBy?: string | null; workflowId: string; runId: string; seq: number }): Promise<void> {
      await db.transaction(async (trx) => {
        const row = await trx('decommission').where({ id: DECOMMISSION_ID }).forUpdate().first('status');
        await event({ actor: input.actor, from: row?.status ?? null, to: input.status, reason: input.reason, workflowId: input.workflowId, runId: input.runId, key: `decommission:${input.seq}` }).transacting(trx);
        const patch: Record<string, unknown> = { status: input.status, updated_at: trx.fn.now() };
        if (input.plannedAt) patch.planned_at = input.plannedAt;
        if (input.approvedBy !== undefined) patch.approved_by = input.approvedBy;
        if (input.status === 'completed') patch.completed_at = trx.fn.now();
        await trx('decommission').where({ id: DECOMMISSION_ID }).update(patch);
      });
    },
    async checkDecommissionGate(input: { quietPeriodMs: number }) {
      const gate = await checkGate(db, gateway, input.quietPeriodMs);
      await db('decommission').where({ id: DECOMMISSION_ID }).update({ gate: JSON.stringify(gate.items), gate_checked_at: db.fn.now() });
      return gate;
    },
    /** The switch-off itself, through the platform port; idempotent, recorded as an event. */
    async switchOffLegacy(input: { workflowId: string; runId: string }): Promise<{ openFolders: number }> {
      const r = await gateway.decommissionLegacy();
      if (r.openFolders !== 0) throw new Error(`legacy still shows ${r.openFolders} folder(s) after the switch-off`);
      await event({ actor: 'system', from: 'running', to: 'legacy_read_only', reason: 'intake off for every folder, every folder hidden, platform read-only', workflowId: input.workflowId, runId: input.runId, key: 'switch-off' });
      return r;
    },
  };
}
