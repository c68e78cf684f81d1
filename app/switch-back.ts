import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { SwitchBackRequestArgs } from '../domain/commands';
import { ConflictError, InputError, NotFoundError } from '../domain/errors';
import { field } from '../domain/fields';
import { rollbackWorkflowId } from '../domain/workflow-ids';
import {
  approveRollbackUpdate,
  folderRollback,
  rejectRollbackUpdate,
  type RollbackStatus,
} from '../workflows/folder-rollback';
import { FOLDER_CODE } from '../workflows/search-attributes';
import { awaitRecorded, startWithCommand, updateWithCommand } from './commands';
import { requirePermission, type AppDeps, type Operator } from './context';
import { moveOptions } from './options';

/**
 * Requests that a live folder be switched back to legacy ECP. A second operator approves it; the workflow
 * `rollback-<folder>` records the request (with the verified operator) before this returns.
 */
export async function requestSwitchBack(
  deps: AppDeps,
  op: Operator,
  rawCode: string,
  reason: string,
): Promise<{ folderCode: string; requestedBy: string }> {
  requirePermission(op, 'switch_back.request');
  const code = rawCode.toUpperCase();
  if (reason.trim().length < 3)
    throw new InputError(`${field('reason')} must say why (at least 3 characters)`);
  const f = await deps.stores.folders.get(code);
  if (!f)
    throw new NotFoundError(`folder ${code} is not in the catalog: list them with 'ecp-cutover folders'`);
  if (f.placement !== 'live')
    throw new ConflictError(
      `folder ${code} is ${f.placement}, not live: only a live folder can be switched back`,
    );
  const args: SwitchBackRequestArgs = {
    folderCode: code,
    reason: reason.trim(),
    approvalTimeoutMs: deps.config.approvalTimeoutMs,
    moveOptions: moveOptions(deps.config),
  };
  const { handle, command } = await startWithCommand(
    deps,
    op,
    'switch_back.request',
    folderRollback,
    {
      workflowId: rollbackWorkflowId(code),
      // A folder may be switched back again after an earlier request ended; never two at once.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: FOLDER_CODE, value: code }],
    },
    args,
    {
      alreadyStarted: `a switch-back of ${code} is already pending: approve it with 'ecp-cutover folder approve-rollback ${code}'`,
    },
  );
  await awaitRecorded(
    deps,
    handle,
    command.id,
    `the switch-back of ${code}`,
    `check 'ecp-cutover folder ${code}' in a minute`,
    (r) => (r as RollbackStatus).outcome,
  );
  return { folderCode: code, requestedBy: op.name };
}

const notPending = (code: string) =>
  `no switch-back of ${code} is pending: request one with 'ecp-cutover folder rollback ${code} --reason ...'`;

export async function approveSwitchBack(
  deps: AppDeps,
  op: Operator,
  rawCode: string,
): Promise<RollbackStatus> {
  requirePermission(op, 'switch_back.approve');
  const code = rawCode.toUpperCase();
  return updateWithCommand(
    deps,
    op,
    'switch_back.approve',
    rollbackWorkflowId(code),
    approveRollbackUpdate,
    {},
    `approval of the switch-back of ${code}`,
    notPending(code),
  );
}

export async function rejectSwitchBack(
  deps: AppDeps,
  op: Operator,
  rawCode: string,
  reason: string | undefined,
): Promise<RollbackStatus> {
  requirePermission(op, 'switch_back.reject');
  const code = rawCode.toUpperCase();
  if (!reason || reason.trim().length < 3)
    throw new InputError(`${field('reason')} is required to reject (at least 3 characters)`);
  return updateWithCommand(
    deps,
    op,
    'switch_back.reject',
    rollbackWorkflowId(code),
    rejectRollbackUpdate,
    { reason: reason.trim() },
    `rejection of the switch-back of ${code}`,
    notPending(code),
  );
}
