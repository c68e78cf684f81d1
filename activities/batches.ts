import type { BatchFolderStatus, BatchStatus } from '../domain/batch-lifecycle';
import type { BatchPlanArgs, CommandClaims } from '../domain/commands';
import { PlatformRefusal, type PlatformGateway } from '../platform/gateway';
import { ApplicationFailure } from '@temporalio/activity';
import { StaleRunError, type BatchChange, type BatchEvent, type BatchStore } from '../stores/batch-store';
import type { ReadinessStore } from '../stores/readiness-store';

export interface BatchDeps {
  batches: BatchStore;
  readiness: ReadinessStore;
  gateway: PlatformGateway;
}

/** A refusal that retrying cannot change fails the workflow's step for good (a reset run stops there). */
async function once<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StaleRunError)
      throw ApplicationFailure.create({ message: err.message, type: 'StaleRun', nonRetryable: true });
    throw err;
  }
}

/** Activities that write a batch's state changes to PostgreSQL (the workflow holds no database). */
export function createBatchActivities({ batches: store, readiness, gateway }: BatchDeps) {
  return {
    /** The signed plan (already verified by the workflow) → the batch's rows, or the reason it cannot be. */
    async recordBatchPlan(input: {
      command: CommandClaims<BatchPlanArgs>;
      workflowId: string;
      runId: string;
    }) {
      return store.recordPlan(input.command, input.workflowId, input.runId);
    },
    async persistBatch(
      input: BatchEvent & {
        status: BatchStatus;
        change?: BatchChange;
        plannedAt?: string;
        startedAt?: string;
      },
    ): Promise<void> {
      await once(() => store.persist(input));
    },
    async finishBatch(
      input: BatchEvent & {
        status: BatchStatus;
        outcomes: Record<string, { status: BatchFolderStatus; failure: string | null }>;
      },
    ): Promise<void> {
      await once(() => store.finish(input));
    },
    /**
     * The batch's retired folders, closed and hidden on legacy (files accepted before are still processed there).
     * A platform refusal is recorded for that folder and the others go on; an outage is retried.
     */
    async retireBatchFolders(
      input: Omit<BatchEvent, 'actor'>,
    ): Promise<{ retired: string[]; refused: string[] }> {
      return once(async () => {
        const out = { retired: [] as string[], refused: [] as string[] };
        for (const code of await store.foldersToRetire(input)) {
          const refusal = await gateway.retireLegacy(code).then(
            () => null,
            (err: unknown) => {
              if (err instanceof PlatformRefusal) return err.message;
              throw err;
            },
          );
          await store.recordRetirement(
            { ...input, actor: 'system' },
            code,
            refusal === null ? { retired: true } : { retired: false, failure: refusal },
          );
          out[refusal === null ? 'retired' : 'refused'].push(code);
        }
        return out;
      });
    },
    async withdrawBatchNotices(input: { batchId: string }): Promise<number> {
      return store.withdrawNotices(input.batchId);
    },
    /** Decided on Client Connect's users (the imported directory if the platform cannot be read). */
    async checkBatchReadiness(input: { batchId: string }) {
      const users = await readiness.users();
      const r = await readiness.ofBatch(input.batchId, users.users);
      await readiness.record(input.batchId, 'instant', {
        affected: r.affected,
        notReady: r.notReady,
        source: users.source,
      });
      return {
        affected: r.affected,
        notReady: r.notReady,
        percentNotReady: r.percentNotReady,
        source: users.source,
      };
    },

    // Version 1 of the batch workflow (workflows/v1) still calls these.
    async setBatchStatus(input: BatchEvent & { to: BatchStatus; startedAt?: string }): Promise<void> {
      await store.setStatus(input, input.to, input.startedAt);
    },
    async approveBatch(input: BatchEvent & { approver: string }): Promise<void> {
      await store.approve(input);
    },
    async voidBatchApproval(input: BatchEvent & { plannedAt: string }): Promise<void> {
      await store.voidApproval(input);
    },
  };
}
