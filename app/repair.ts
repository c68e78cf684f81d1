import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { RepairRequestArgs } from '../domain/commands';
import { ConflictError, InputError, NotFoundError } from '../domain/errors';
import { field } from '../domain/fields';
import { repairRefusal, repairTarget } from '../domain/repair-policy';
import { repairWorkflowId } from '../domain/workflow-ids';
import { runningIn } from '../activities/reconcile';
import {
  approveRepairUpdate,
  folderRepair,
  rejectRepairUpdate,
  type RepairStatus,
} from '../workflows/folder-repair';
import { FOLDER_CODE } from '../workflows/search-attributes';
import { awaitRecorded, startWithCommand, updateWithCommand } from './commands';
import { requirePermission, type AppDeps, type Operator } from './context';

/**
 * Requests a supervised repair of a stuck or drifted folder to legacy or live.
 * A second operator approves it; the workflow `repair-<folder>` records the request before this returns.
 */
export async function requestRepair(
  deps: AppDeps,
  op: Operator,
  rawCode: string,
  side: string,
  reason: string,
): Promise<{ folderCode: string; to: string; requestedBy: string }> {
  requirePermission(op, 'repair.request');
  const code = rawCode.toUpperCase();
  const to = repairTarget(side);
  if (reason.trim().length < 3)
    throw new InputError(`${field('reason')} must say why (at least 3 characters)`);
  if (!(await deps.stores.folders.get(code)))
    throw new NotFoundError(`folder ${code} is not in the catalog: list them with 'ecp-cutover folders'`);
  // Checked here for a clear answer, and again by the workflow where it is recorded.
  const refusal = await repairRefusal(await deps.stores.repairs.record(code), to, runningIn(deps.temporal));
  if (refusal) throw new ConflictError(refusal);
  const args: RepairRequestArgs = {
    folderCode: code,
    to,
    reason: reason.trim(),
    approvalTimeoutMs: deps.config.approvalTimeoutMs,
  };
  const { handle, command } = await startWithCommand(
    deps,
    op,
    'repair.request',
    folderRepair,
    {
      workflowId: repairWorkflowId(code),
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: FOLDER_CODE, value: code }],
    },
    args,
    {
      alreadyStarted: `a repair of ${code} is already pending: approve it with 'ecp-cutover folder approve-repair ${code}'`,
    },
  );
  await awaitRecorded(
    deps,
    handle,
    command.id,
    `the repair of ${code}`,
    `check 'ecp-cutover folder ${code}' in a minute`,
    (r) => (r as RepairStatus).outcome,
  );
  return { folderCode: code, to, requestedBy: op.name };
}

const notPending = (code: string) =>
  `no repair of ${code} is pending: request one with 'ecp-cutover folder repair ${code} --to legacy|live --reason ...'`;

export async function approveRepair(deps: AppDeps, op: Operator, rawCode: string): Promise<RepairStatus> {
  requirePermission(op, 'repair.approve');
  const code = rawCode.toUpperCase();
  return updateWithCommand(
    deps,
    op,
    'repair.approve',
    repairWorkflowId(code),
    approveRepairUpdate,
    {},
    `approval of the repair of ${code}`,
    notPending(code),
  );
}

export async function rejectRepair(
  deps: AppDeps,
  op: Operator,
  rawCode: string,
  reason: string | undefined,
): Promise<RepairStatus> {
  requirePermission(op, 'repair.reject');
  const code = rawCode.toUpperCase();
  if (!reason || reason.trim().length < 3)
    throw new InputError(`${field('reason')} is required to reject (at least 3 characters)`);
  return updateWithCommand(
    deps,
    op,
    'repair.reject',
    repairWorkflowId(code),
    rejectRepairUpdate,
    { reason: reason.trim() },
    `rejection of the repair of ${code}`,
    notPending(code),
  );
}
