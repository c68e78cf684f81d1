import { createApprovalActivities } from './approvals';
import { createBatchActivities } from './batches';
import { createDecommissionActivities, type DecommissionDeps } from './decommission';
import { createNoticeActivities, type NoticeDeps } from './notices';
import { createMoveActivities, type MoveDeps } from './move';
import { createSecurityActivities } from './security';
import { createStatusActivities } from './status';
import { createReconcileActivities, type ReconcileActivityDeps } from './reconcile';
import { createRepairActivities, type RepairDeps } from './repair';

/** Every store, port and setting the activities use; the worker builds them (worker/activity-deps.ts). */
export type ActivityDeps = MoveDeps & NoticeDeps & DecommissionDeps & RepairDeps & ReconcileActivityDeps & { commandKey: Buffer };

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createStatusActivities(deps),
    ...createApprovalActivities(deps),
    ...createMoveActivities(deps),
    ...createBatchActivities(deps),
    ...createNoticeActivities(deps),
    ...createDecommissionActivities(deps),
    ...createSecurityActivities(deps),
    ...createReconcileActivities(deps),
    ...createRepairActivities(deps),
  };
}
