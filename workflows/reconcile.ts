import { proxyActivities } from '@temporalio/workflow';
import type { createReconcileActivities, ReconcileSummary } from '../activities/reconcile';
import type { ReconcileTrigger } from '../domain/reconcile';

const { reconcileFolders } = proxyActivities<ReturnType<typeof createReconcileActivities>>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '5s', maximumInterval: '60s', maximumAttempts: 3 },
});

/**
 * One reconciler pass: started every RECONCILE_INTERVAL by the `reconcile` Schedule, and on demand by
 * `ecp-cutover reconcile` (through the control API). The pass runs in the worker, which alone acts on the
 * platforms; what it may do on its own is only ever to close a folder open on both platforms on the side its
 * record does not name (restoring I1), so a start by anyone who can reach Temporal cannot do harm.
 */
export async function reconcileWorkflow(input: { trigger: ReconcileTrigger }): Promise<ReconcileSummary> {
  return reconcileFolders(input);
}
