import type { Db } from '../db/connection';
import type { Placement } from '../domain/placement';
import type { RepairRecord } from '../domain/repair-policy';
import { DECOMMISSION_ID } from './decommission';
import { appendEvent, runKey } from './events';

type Run = { workflowId: string; runId: string };

export type { RepairRecord };

/** A supervised repair's reads and writes: the folder's record, its claim, and the outcome with its event. */
export interface RepairStore {
  record(code: string): Promise<RepairRecord>;
  placementOf(code: string): Promise<Placement | undefined>;
  /**
   * Claims the folder for the repair `run`, as a move does — a run row of its own (no move begins while it
   * runs; the reconciler leaves the folder alone) and the stale runs it ends, all under the folder's lock.
   * Idempotent for the run. Returns the placement it found.
   */
  claim(code: string, to: 'legacy' | 'live', run: Run): Promise<Placement>;
  /** The repair's run ends as failed (the platforms refused half-way). */
  fail(run: Run, failure: string): Promise<void>;
  /** The folder recorded where the repair put it, its run succeeded, and the event, in one transaction. */
  complete(r: Run & { code: string; to: 'legacy' | 'live'; actor: string; reason: string }): Promise<void>;
}

export function createRepairStore(db: Db): RepairStore {
  const runRow = (trx: Db, run: Run) =>
    trx('folder_runs').where({ workflow_id: run.workflowId, run_id: run.runId });
  return {
    async record(code) {
      const f = await db('folders').where({ code }).first('placement');
      const decommission = await db('decommission').where({ id: DECOMMISSION_ID }).first('status');
      const runs: { workflow_id: string; run_id: string }[] = await db('folder_runs')
        .where({ folder_code: code, status: 'running' })
        .whereNot({ kind: 'repair' })
        .select('workflow_id', 'run_id');
      const plan = await db('batch_folders').where({ folder_code: code, active: true }).first('batch_id');
      const drifts = await db('drifts')
        .where({ folder_code: code })
        .whereNull('resolved_at')
        .count({ n: '*' })
        .first();
      return {
        code,
        placement: f?.placement ?? null,
        decommission: decommission?.status ?? null,
        plannedIn: plan?.batch_id ?? null,
        openDrifts: Number(drifts?.n ?? 0),
        runningMoves: runs.map((r) => ({ workflowId: r.workflow_id, runId: r.run_id })),
      };
    },

    async placementOf(code) {
      return (await db('folders').where({ code }).first('placement'))?.placement;
    },

    async claim(code, to, run) {
      return db.transaction(async (trx) => {
        const f = await trx('folders').where({ code }).forUpdate().first('placement');
        if (!(await runRow(trx, run).first('id'))) {
          const other = await trx('folder_runs')
            .where({ folder_code: code, status: 'running' })
            .whereNot({ kind: 'repair' })
            .pluck('id');
          await trx('folder_runs').insert({
            folder_code: code,
            kind: 'repair',
            workflow_id: run.workflowId,
            run_id: run.runId,
            step: `to_${to}`,
          });
          if (other.length)
            await trx('folder_runs')
              .whereIn('id', other)
              .update({
                status: 'failed',
                finished_at: trx.fn.now(),
                failure: `ended by the repair in ${run.workflowId}`,
              });
        }
        return f.placement as Placement;
      });
    },

    async fail(run, failure) {
      await runRow(db, run).update({ status: 'failed', finished_at: db.fn.now(), failure });
    },

    async complete(r) {
      await db.transaction(async (trx) => {
        const before = await trx('folders').where({ code: r.code }).forUpdate().first('placement');
        await trx('folders')
          .where({ code: r.code })
          .update({
            placement: r.to,
            placement_changed_at: trx.fn.now(),
            updated_at: trx.fn.now(),
            live_since: r.to === 'live' ? trx.fn.now() : null,
          });
        await runRow(trx, r).update({ status: 'succeeded', finished_at: trx.fn.now(), step: 'done' });
        await appendEvent(trx, {
          key: runKey(r.workflowId, r.runId, 'repaired'),
          actor: r.actor,
          entityType: 'folder',
          entityId: r.code,
          from: before.placement,
          to: r.to,
          reason: r.reason,
          workflowId: r.workflowId,
          runId: r.runId,
        });
      });
    },
  };
}
