import type { Db } from '../db/connection';
import { batchReadiness, readinessTotals } from '../stores/readiness';
import { createBatchStore, type BatchEvent, type BatchFolderStatus, type BatchStatus } from '../stores/batch-store';

/** Activities that write a batch's state changes to PostgreSQL (the workflow holds no database). */
export function createBatchActivities({ db }: { db: Db }) {
  const store = createBatchStore(db);
  return {
    async setBatchStatus(input: BatchEvent & { to: BatchStatus; startedAt?: string }): Promise<void> {
      await store.setStatus(input, input.to, input.startedAt ? { started_at: input.startedAt } : {});
    },
    async approveBatch(input: BatchEvent & { approver: string }): Promise<void> {
      await store.approve(input);
    },
    async voidBatchApproval(input: BatchEvent & { plannedAt: string }): Promise<void> {
      await store.voidApproval(input);
    },
    async checkBatchReadiness(input: { batchId: string }) {
      return readinessTotals(await batchReadiness(db, input.batchId));
    },
    async finishBatch(input: BatchEvent & { status: BatchStatus; outcomes: Record<string, { status: BatchFolderStatus; failure: string | null }> }): Promise<void> {
      await store.finish(input);
    },
  };
}
