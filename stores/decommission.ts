import type { Db } from '../db/connection';
import { FINAL_BATCH_STATUSES } from '../domain/batch-lifecycle';
import type { CommandClaims, DecommissionScheduleArgs } from '../domain/commands';
import type { GateFacts } from '../domain/decommission-gate';
import type { GateItem } from '../domain/decommission-lifecycle';
import { StaleRunError } from './batch-store';
import { appendEvent, runKey } from './events';
import { openDrifts } from './drift-store';

export type { GateItem };

/** One legacy platform, one decommission: the row's id is fixed. */
export const DECOMMISSION_ID = 'legacy-ecp';

/** A change of the decommission's status, written by the run of its workflow that recorded it. */
export interface DecommissionChange {
  status: string;
  actor: string;
  reason: string | null;
  plannedAt?: string;
  approvedBy?: string | null;
  workflowId: string;
  runId: string;
  /** The n-th change of this run: part of the event's key. */
  seq: number;
}

/** The decommission's row as stored. */
export interface DecommissionRow {
  status: string;
  plannedAt: Date;
  requestedBy: string;
  approvedBy: string | null;
  /** The gate as last checked by the workflow. */
  gate: GateItem[] | null;
  gateCheckedAt: Date | null;
  completedAt: Date | null;
}

/** The notices the decommission sends (scheduled, each reminder, done). */
export const DECOMMISSION_NOTICES = [
  'decommission_scheduled',
  'decommission_reminder',
  'legacy_decommissioned',
] as const;

/** What the gate needs from PostgreSQL (the platform's last acceptance, the quiet period and the time come apart). */
export type StoredGateFacts = Pick<
  GateFacts,
  'foldersNotMoved' | 'unfinishedBatches' | 'pendingSwitchBacks' | 'openDrifts'
>;

/** The decommission's row (`decommission`), its events, and the facts its gate is decided on. */
export interface DecommissionStore {
  /** A verified schedule → the row (awaiting approval) and its event; refused once legacy is off. Idempotent for its run. */
  recordRequest(
    c: CommandClaims<DecommissionScheduleArgs>,
    workflowId: string,
    runId: string,
  ): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Status (and plan) with its event, in one transaction, once per key; a StaleRunError for another run. */
  setStatus(change: DecommissionChange): Promise<void>;
  gateFacts(): Promise<StoredGateFacts>;
  /** The gate as last checked, kept for `decommission status`. */
  saveGate(items: GateItem[]): Promise<void>;
  /** The row's status and the run that recorded it (undefined: never scheduled). */
  current(): Promise<{ status: string; runId: string | null } | undefined>;
  /** Folders the catalog retires that no batch closed: the switch-off closes them as retired. */
  retiredNotClosed(): Promise<string[]>;
  markRetired(codes: string[]): Promise<void>;
  /** The row (undefined: never scheduled). */
  row(): Promise<DecommissionRow | undefined>;
  /** Its notices so far: how many firms each (kind, subject) reached, by kind and subject. */
  noticeCounts(): Promise<{ kind: string; subject: string; firms: number }[]>;
}

export function createDecommissionStore(db: Db): DecommissionStore {
  const row = () => db('decommission').where({ id: DECOMMISSION_ID });
  return {
    async recordRequest(c, workflowId, runId) {
      const key = `command:${c.id}`;
      return db.transaction(async (trx) => {
        const prior = await trx('events').where({ idempotency_key: key }).first('run_id');
        if (prior)
          return prior.run_id === runId
            ? { ok: true as const }
            : { ok: false as const, reason: `command ${c.id} was used already` };
        const current = await trx('decommission').where({ id: DECOMMISSION_ID }).forUpdate().first('status');
        if (current?.status === 'completed')
          return { ok: false as const, reason: 'legacy ECP is already decommissioned' };
        await trx('decommission')
          .insert({
            id: DECOMMISSION_ID,
            planned_at: c.args.plannedAt,
            status: 'awaiting_approval',
            requested_by: c.operator,
            approved_by: null,
            gate: null,
            completed_at: null,
            run_id: runId,
          })
          .onConflict('id')
          .merge([
            'planned_at',
            'status',
            'requested_by',
            'approved_by',
            'gate',
            'completed_at',
            'run_id',
            'updated_at',
          ]);
        await appendEvent(trx, {
          key,
          actor: c.operator,
          entityType: 'decommission',
          entityId: DECOMMISSION_ID,
          from: current?.status ?? null,
          to: 'awaiting_approval',
          reason: `scheduled for ${c.args.plannedAt}`,
          workflowId,
          runId,
          credentialId: c.credentialId,
          source: c.source,
          data: { command: c.id },
        });
        return { ok: true as const };
      });
    },

    async setStatus(change) {
      await db.transaction(async (trx) => {
        const current = await trx('decommission')
          .where({ id: DECOMMISSION_ID })
          .forUpdate()
          .first('status', 'run_id');
        if (current?.run_id && current.run_id !== change.runId) {
          throw new StaleRunError(
            `the decommission belongs to run ${current.run_id} of its workflow, not to ${change.runId} (was it reset?): nothing written`,
          );
        }
        const fresh = await appendEvent(trx, {
          key: runKey(change.workflowId, change.runId, `decommission:${change.seq}`),
          actor: change.actor,
          entityType: 'decommission',
          entityId: DECOMMISSION_ID,
          from: current?.status ?? null,
          to: change.status,
          reason: change.reason,
          workflowId: change.workflowId,
          runId: change.runId,
        });
        if (!fresh) return;
        const patch: Record<string, unknown> = { status: change.status, updated_at: trx.fn.now() };
        if (change.plannedAt) patch.planned_at = change.plannedAt;
        if (change.approvedBy !== undefined) patch.approved_by = change.approvedBy;
        if (change.status === 'completed') patch.completed_at = trx.fn.now();
        await trx('decommission').where({ id: DECOMMISSION_ID }).update(patch);
      });
    },

    async gateFacts() {
      const foldersNotMoved: string[] = await db('folders')
        .whereNotIn('placement', ['live', 'retired', 'new_on_2_0'])
        .orderBy('code')
        .pluck('code');
      const unfinishedBatches: { id: string; status: string }[] = await db('batches')
        .whereNotIn('status', FINAL_BATCH_STATUSES)
        .orderBy('id')
        .select('id', 'status');
      // The latest switch-back event of each folder: a request not followed by a decision is pending.
      const { rows } = await db.raw(`select entity_id from (
          select distinct on (entity_id) entity_id, to_state from events
          where entity_type = 'folder' and to_state in ('rollback_requested', 'rollback_approved', 'rollback_rejected', 'rollback_expired', 'rollback_cancelled')
          order by entity_id, id desc) latest where to_state = 'rollback_requested' order by entity_id`);
      return {
        foldersNotMoved,
        unfinishedBatches,
        pendingSwitchBacks: rows.map((r: { entity_id: string }) => r.entity_id),
        openDrifts: await openDrifts(db),
      };
    },

    async saveGate(items) {
      await row().update({ gate: JSON.stringify(items), gate_checked_at: db.fn.now() });
    },

    async current() {
      const r = await row().first('status', 'run_id');
      return r ? { status: r.status as string, runId: (r.run_id as string | null) ?? null } : undefined;
    },

    retiredNotClosed: () =>
      db('folders').where({ placement: 'retired' }).whereNull('retired_at').orderBy('code').pluck('code'),

    async markRetired(codes) {
      if (codes.length)
        await db('folders')
          .whereIn('code', codes)
          .whereNull('retired_at')
          .update({ retired_at: db.fn.now(), updated_at: db.fn.now() });
    },

    async row() {
      const r = await row().first();
      return r
        ? {
            status: r.status,
            plannedAt: r.planned_at,
            requestedBy: r.requested_by,
            approvedBy: r.approved_by ?? null,
            gate: r.gate ?? null,
            gateCheckedAt: r.gate_checked_at ?? null,
            completedAt: r.completed_at ?? null,
          }
        : undefined;
    },

    async noticeCounts() {
      const rows: { kind: string; subject_id: string; n: number }[] = await db('notices')
        .whereIn('kind', DECOMMISSION_NOTICES)
        .groupBy('kind', 'subject_id')
        .orderBy(['kind', 'subject_id'])
        .select('kind', 'subject_id')
        .count({ n: '*' });
      return rows.map((n) => ({ kind: n.kind, subject: n.subject_id, firms: Number(n.n) }));
    },
  };
}
