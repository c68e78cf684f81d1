/**
 * Workflow ids, defined once. They are meaningful and unique, so a second start of the same thing is
 * refused by Temporal itself.
 */
export const batchWorkflowId = (batchId: string) => `batch-${batchId}`;
export const cutoverWorkflowId = (batchId: string, folderCode: string) => `cutover-${batchId}-${folderCode}`;
export const rollbackWorkflowId = (folderCode: string) => `rollback-${folderCode}`;
export const DECOMMISSION_WORKFLOW_ID = 'decommission-legacy-ecp';

/** The batch id of a `batch-<id>` workflow id, or null. */
export function batchIdOf(workflowId: string): string | null {
  return workflowId.startsWith('batch-') ? workflowId.slice('batch-'.length) : null;
}

/** The reconciler: its Schedule, and the workflow of each pass asked for on demand. */
export const RECONCILE_SCHEDULE_ID = 'reconcile';
export const reconcileWorkflowId = (id: string) => `reconcile-${id}`;
export const repairWorkflowId = (folderCode: string) => `repair-${folderCode}`;
