import type { Db } from '../db/connection';
import { ConflictError, NotFoundError } from '../domain/errors';
import { canTransition, type Placement } from '../domain/placement';

/**
 * Writes a folder's moves (cutover or switch-back) to PostgreSQL: the folder's placement, the run's step
 * and freeze window, and an event for each transition — each write with its event in one transaction, and
 * each keyed by (workflow, run, step) so that a retried activity changes nothing the second time.
 */
export type RunKind = 'cutover' | 'rollback';

export interface RunRef {
  folderCode: string;
  kind: RunKind;
  batchId: string | null;
  workflowId: string;
  runId: string;
  actor: string;
}

/** Where each kind of move starts, goes through, and ends (or falls back to). */
export const MOVES: Record<RunKind, { during: Placement; success: Placement; failure: Placement }> = {
  cutover: { during: 'cutting_over', success: 'live', failure: 'legacy' },
  rollback: { during: 'rolling_back', success: 'legacy', failure: 'live' },
};

const key = (r: RunRef, what: string) => `${r.workflowId}/${r.runId}/${what}`;

export interface RunStore {
  begin(r: RunRef, reason: string | null): Promise<void>;
  step(r: RunRef, step: string, patch?: Partial<{ freezeStartedAt: Date; freezeEndedAt: Date; drained: number; handedOver: number }>): Promise<void>;
  finish(r: RunRef, outcome: 'succeeded' | 'compensated', reason: string | null): Promise<{ placement: Placement; freezeWindowMs: number | null }>;
}

export function createRunStore(db: Db): RunStore {
  async function event(trx: Db, r: RunRef, what: string, from: string | null, to: string | null, reason: string | null, data?: unknown) {
    await trx('events')
      .insert({
        actor: r.actor, entity_type: 'folder', entity_id: r.folderCode, from_state: from, to_state: to, reason,
        workflow_id: r.workflowId, run_id: r.runId, data: data === undefined ? null : JSON.stringify(data),
        idempotency_key: key(r, what),
      })
      .onConflict('idempotency_key')
      .ignore();
  }
  const runRow = (trx: Db, r: RunRef) => trx('folder_runs').where({ workflow_id: r.workflowId, run_id: r.runId });

  return {
    async begin(r, reason) {
      await db.transaction(async (trx) => {
        if (await runRow(trx, r).first('id')) return; // already begun by an earlier attempt
        const folder = await trx('folders').where({ code: r.folderCode }).forUpdate().first();
        if (!folder) throw new NotFoundError(`folder ${r.folderCode} is not in the catalog`);
        const move = MOVES[r.kind];
        if (!canTransition(folder.placement, move.during)) {
          throw new ConflictError(
            r.kind === 'cutover'
              ? `folder ${r.folderCode} is ${folder.placement}, not on legacy: only legacy folders can be cut over`
              : `folder ${r.folderCode} is ${folder.placement}, not live: only a live folder can be switched back`,
          );
        }
        await trx('folders').where({ code: r.folderCode }).update({ placement: move.during, placement_changed_at: trx.fn.now(), updated_at: trx.fn.now() });
        await trx('folder_runs').insert({ folder_code: r.folderCode, batch_id: r.batchId, kind: r.kind, workflow_id: r.workflowId, run_id: r.runId, step: 'begin' });
        if (r.batchId) await trx('batch_folders').where({ batch_id: r.batchId, folder_code: r.folderCode }).update({ status: 'running', step: 'begin' });
        await event(trx, r, 'begin', folder.placement, move.during, reason ?? `${r.kind} started`);
      });
    },

    async step(r, step, patch = {}) {
      await db.transaction(async (trx) => {
        const run = await runRow(trx, r).forUpdate().first();
        if (!run) throw new NotFoundError(`no run ${r.workflowId}/${r.runId} for folder ${r.folderCode}`);
        const update: Record<string, unknown> = { step };
        // First write wins: a retry never moves a measured instant.
        if (patch.freezeStartedAt && !run.freeze_started_at) update.freeze_started_at = patch.freezeStartedAt;
        if (patch.freezeEndedAt && !run.freeze_ended_at) update.freeze_ended_at = patch.freezeEndedAt;
        // Counts only grow: a retried drain finds fewer files in flight than the attempt that was killed.
        if (patch.drained !== undefined) update.drained = Math.max(run.drained ?? 0, patch.drained);
        if (patch.handedOver !== undefined) update.handed_over = Math.max(run.handed_over ?? 0, patch.handedOver);
        const started = (update.freeze_started_at ?? run.freeze_started_at) as Date | null;
        const ended = (update.freeze_ended_at ?? run.freeze_ended_at) as Date | null;
        if (started && ended) update.freeze_window_ms = new Date(ended).getTime() - new Date(started).getTime();
        await runRow(trx, r).update(update);
        if (r.batchId) await trx('batch_folders').where({ batch_id: r.batchId, folder_code: r.folderCode }).update({ step });
        await event(trx, r, `step:${step}`, run.step, step, null, Object.keys(patch).length ? patch : undefined);
      });
    },

    async finish(r, outcome, reason) {
      return db.transaction(async (trx) => {
        const run = await runRow(trx, r).forUpdate().first();
        if (!run) throw new NotFoundError(`no run ${r.workflowId}/${r.runId} for folder ${r.folderCode}`);
        const move = MOVES[r.kind];
        const placement = outcome === 'succeeded' ? move.success : move.failure;
        if (run.status === 'running') {
          const folder = await trx('folders').where({ code: r.folderCode }).forUpdate().first();
          await trx('folders').where({ code: r.folderCode }).update({
            placement,
            placement_changed_at: trx.fn.now(),
            updated_at: trx.fn.now(),
            live_since: placement === 'live' ? (outcome === 'succeeded' ? trx.fn.now() : folder.live_since) : null,
            last_failure: outcome === 'compensated' ? reason : folder.last_failure,
          });
          await runRow(trx, r).update({ status: outcome, finished_at: trx.fn.now(), failure: outcome === 'compensated' ? reason : null, step: outcome === 'succeeded' ? 'done' : 'compensated' });
          if (r.batchId) {
            await trx('batch_folders').where({ batch_id: r.batchId, folder_code: r.folderCode })
              .update({ status: outcome === 'succeeded' ? 'live' : 'failed', step: outcome === 'succeeded' ? 'done' : 'compensated', failure: outcome === 'compensated' ? reason : null });
          }
          await event(trx, r, 'finish', move.during, placement, reason ?? (outcome === 'succeeded' ? `${r.kind} verified` : null));
        }
        const done = await runRow(trx, r).first('freeze_window_ms');
        return { placement, freezeWindowMs: done?.freeze_window_ms ?? null };
      });
    },
  };
}
