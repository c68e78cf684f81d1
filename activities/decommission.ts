import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/connection';
import type { CommandClaims, DecommissionScheduleArgs } from '../domain/commands';
import { PlatformRefusal, type PlatformGateway } from '../platform/gateway';
import { checkGate, DECOMMISSION_ID } from '../stores/decommission';
import { appendEvent, runKey } from '../stores/events';

/** Activities of the decommission workflow: its row in PostgreSQL, the gate, and switching legacy off. */
export function createDecommissionActivities({ db, gateway }: { db: Db; gateway: PlatformGateway }) {
  const event = (e: { actor: string; from: string | null; to: string; reason: string | null; workflowId: string; runId: string; key: string }) =>
    ({ ...e, entityType: 'decommission' as const, entityId: DECOMMISSION_ID, key: runKey(e.workflowId, e.runId, e.key) });
  return {
    /** A verified schedule → the decommission row (awaiting approval) and its event; refused once legacy is off. */
    async recordDecommissionRequest(input: { command: CommandClaims<DecommissionScheduleArgs>; workflowId: string; runId: string }): Promise<{ ok: true } | { ok: false; reason: string }> {
      const { command: c, workflowId, runId } = input;
      const key = `command:${c.id}`;
      return db.transaction(async (trx) => {
        const prior = await trx('events').where({ idempotency_key: key }).first('run_id');
        if (prior) return prior.run_id === runId ? { ok: true as const } : { ok: false as const, reason: `command ${c.id} was used already` };
        const row = await trx('decommission').where({ id: DECOMMISSION_ID }).forUpdate().first('status');
        if (row?.status === 'completed') return { ok: false as const, reason: 'legacy ECP is already decommissioned' };
        await trx('decommission').insert({ id: DECOMMISSION_ID, planned_at: c.args.plannedAt, status: 'awaiting_approval', requested_by: c.operator, approved_by: null, gate: null, completed_at: null, run_id: runId })
          .onConflict('id').merge(['planned_at', 'status', 'requested_by', 'approved_by', 'gate', 'completed_at', 'run_id', 'updated_at']);
        await appendEvent(trx, {
          key, actor: c.operator, entityType: 'decommission', entityId: DECOMMISSION_ID, from: row?.status ?? null, to: 'awaiting_approval',
          reason: `scheduled for ${c.args.plannedAt}`, workflowId, runId, credentialId: c.credentialId, source: c.source, data: { command: c.id },
        });
        return { ok: true as const };
      });
    },
    /** Status (and plan) of the decommission, with its event, in one transaction; keyed against retries. */
    async setDecommission(input: { status: string; actor: string; reason: string | null; plannedAt?: string; approvedBy?: string | null; workflowId: string; runId: string; seq: number }): Promise<void> {
      await db.transaction(async (trx) => {
        const row = await trx('decommission').where({ id: DECOMMISSION_ID }).forUpdate().first('status', 'run_id');
        if (row?.run_id && row.run_id !== input.runId) {
          throw ApplicationFailure.create({ message: `the decommission belongs to run ${row.run_id} of its workflow, not to ${input.runId} (was it reset?): nothing written`, type: 'StaleRun', nonRetryable: true });
        }
        const fresh = await appendEvent(trx, event({ actor: input.actor, from: row?.status ?? null, to: input.status, reason: input.reason, workflowId: input.workflowId, runId: input.runId, key: `decommission:${input.seq}` }));
        if (!fresh) return;
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
      const row = await db('decommission').where({ id: DECOMMISSION_ID }).first('run_id', 'status');
      if (!row || row.run_id !== input.runId || row.status !== 'running') {
        throw ApplicationFailure.create({ message: `legacy is switched off only by the run that recorded the decommission and marked it running (found ${row ? `${row.status} in run ${row.run_id}` : 'none'})`, type: 'StaleRun', nonRetryable: true });
      }
      // The retired folders no batch retired close as retired (3003, never "submit on ECP 2.0"), then the rest.
      const retiring: string[] = await db('folders').where({ placement: 'retired' }).whereNull('retired_at').orderBy('code').pluck('code');
      for (const code of retiring) {
        await gateway.retireLegacy(code).catch((err: unknown) => {
          if (!(err instanceof PlatformRefusal)) throw err; // a folder legacy never had: nothing to retire
        });
      }
      const r = await gateway.decommissionLegacy();
      if (retiring.length) await db('folders').whereIn('code', retiring).whereNull('retired_at').update({ retired_at: db.fn.now(), updated_at: db.fn.now() });
      if (r.openFolders !== 0) throw new Error(`legacy still shows ${r.openFolders} folder(s) after the switch-off`);
      await appendEvent(db, event({ actor: 'system', from: 'running', to: 'legacy_read_only', reason: 'intake off for every folder, every folder hidden, platform read-only', workflowId: input.workflowId, runId: input.runId, key: 'switch-off' }));
      return r;
    },
  };
}
