import type { Knex } from 'knex';
import type { Db } from '../db/connection';

/** Statuses a batch can be in (DESIGN.md §2), with `expired` for a plan never approved in time. */
export type BatchStatus =
  | 'awaiting_approval' | 'approved' | 'announced' | 'blocked_on_readiness' | 'running' | 'paused'
  | 'completed' | 'completed_with_failures' | 'aborted' | 'rejected' | 'expired';
export const FINAL_STATUSES: BatchStatus[] = ['completed', 'completed_with_failures', 'aborted', 'rejected', 'expired'];
export type BatchFolderStatus = 'pending' | 'running' | 'live' | 'failed' | 'skipped' | 'aborted';

export interface BatchEvent {
  batchId: string;
  actor: string;
  reason?: string | null;
  workflowId: string;
  runId: string;
  /** Distinguishes repeated transitions of one run (e.g. the n-th reschedule); part of the event's key. */
  seq?: number;
}

/**
 * Writes a batch's state to PostgreSQL: each change with its event, in one transaction, keyed so that a
 * retried activity writes nothing twice.
 */
export function createBatchStore(db: Db) {
  async function transition(trx: Knex.Transaction, e: BatchEvent, to: BatchStatus, patch: Record<string, unknown> = {}) {
    const batch = await trx('batches').where({ id: e.batchId }).forUpdate().first('status');
    if (!batch) throw new Error(`batch ${e.batchId} is not in the database`);
    const key = `${e.workflowId}/${e.runId}/batch:${to}:${e.seq ?? 0}`;
    const inserted = await trx('events')
      .insert({ actor: e.actor, entity_type: 'batch', entity_id: e.batchId, from_state: batch.status, to_state: to, reason: e.reason ?? null, workflow_id: e.workflowId, run_id: e.runId, idempotency_key: key })
      .onConflict('idempotency_key')
      .ignore()
      .returning('id');
    if (inserted.length === 0) return false; // done by an earlier attempt
    await trx('batches').where({ id: e.batchId }).update({ status: to, updated_at: trx.fn.now(), ...patch });
    return true;
  }
  const folderCodes = (trx: Knex.Transaction, batchId: string) => trx('batch_folders').where({ batch_id: batchId }).pluck('folder_code');

  return {
    async setStatus(e: BatchEvent, to: BatchStatus, patch: Record<string, unknown> = {}): Promise<void> {
      await db.transaction((trx) => transition(trx, e, to, patch));
    },

    /** Approved: the folders are now scheduled (legacy → scheduled). */
    async approve(e: BatchEvent & { approver: string }): Promise<void> {
      await db.transaction(async (trx) => {
        if (!(await transition(trx, e, 'approved', { approved_by: e.approver }))) return;
        await trx('folders').whereIn('code', await folderCodes(trx, e.batchId)).where({ placement: 'legacy' })
          .update({ placement: 'scheduled', placement_changed_at: trx.fn.now() });
      });
    },

    /** Rescheduled (or an approval otherwise voided): waits for approval again, folders back to legacy. */
    async voidApproval(e: BatchEvent & { plannedAt: string }): Promise<void> {
      await db.transaction(async (trx) => {
        if (!(await transition(trx, e, 'awaiting_approval', { approved_by: null, planned_at: e.plannedAt }))) return;
        await trx('folders').whereIn('code', await folderCodes(trx, e.batchId)).where({ placement: 'scheduled' })
          .update({ placement: 'legacy', placement_changed_at: trx.fn.now() });
      });
    },

    /**
     * The end: final status, each folder's outcome, folders that never started back to legacy, and the plan
     * released (I4: the folders may be planned again).
     */
    async finish(e: BatchEvent & { status: BatchStatus; outcomes: Record<string, { status: BatchFolderStatus; failure: string | null }> }): Promise<void> {
      await db.transaction(async (trx) => {
        if (!(await transition(trx, e, e.status, { finished_at: trx.fn.now() }))) return;
        for (const [code, o] of Object.entries(e.outcomes)) {
          await trx('batch_folders').where({ batch_id: e.batchId, folder_code: code }).update({ status: o.status, failure: o.failure, active: false });
        }
        await trx('batch_folders').where({ batch_id: e.batchId }).update({ active: false });
        await trx('folders').whereIn('code', await folderCodes(trx, e.batchId)).where({ placement: 'scheduled' })
          .update({ placement: 'legacy', placement_changed_at: trx.fn.now() });
      });
    },
  };
}
