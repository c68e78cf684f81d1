import { createApprovalActivities, type ApprovalDeps } from './approvals';
import { createBatchActivities, type BatchDeps } from './batches';
import { createDecommissionActivities, type DecommissionDeps } from './decommission';
import { createNoticeActivities, type NoticeDeps } from './notices';
import { createMoveActivities, type MoveDeps } from './move';
import { createSecurityActivities } from './security';
import { createStatusActivities, type StatusDeps } from './status';
import { createReconcileActivities, type ReconcileActivityDeps } from './reconcile';
import { createRepairActivities, type RepairDeps } from './repair';
import { createRehearsalActivities, type RehearsalDeps } from './rehearsal';

/** Every store, port and setting the activities use; the worker builds them (worker/activity-deps.ts). */
export type ActivityDeps = StatusDeps &
  ApprovalDeps &
  MoveDeps &
  BatchDeps &
  NoticeDeps &
  DecommissionDeps &
  ReconcileActivityDeps &
  RepairDeps &
  RehearsalDeps & { commandKey: Buffer };

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
    ...createRehearsalActivities(deps),
  };
}
