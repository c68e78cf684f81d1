import {
  condition,
  defineQuery,
  defineUpdate,
  setHandler,
  workflowInfo,
  allHandlersFinished,
  ApplicationFailure,
} from '@temporalio/workflow';
import { refuseUnsigned } from './refuse-unsigned';
import { mail, operations } from '../proxies';
import { moveFolder, type MoveOptions, type MoveProgress, type MoveResult } from '../move-folder';

export interface FolderRollbackInputV1 {
  folderCode: string;
  requestedBy: string;
  reason: string;
  options: MoveOptions;
  /** How long the request waits for a second operator before it expires. */
  approvalTimeoutMs: number;
}

type RollbackState = 'awaiting_approval' | 'approved' | 'rejected' | 'expired' | 'running' | 'done';

interface RollbackStatus {
  folderCode: string;
  state: RollbackState;
  requestedBy: string;
  approvedBy: string | null;
  rejectedBy: string | null;
  move: MoveProgress;
}

export const approveRollbackUpdateV1 = defineUpdate<RollbackStatus, [{ approver: string }]>('approve');
export const rejectRollbackUpdateV1 = defineUpdate<RollbackStatus, [{ by: string; reason: string }]>(
  'reject',
);
export const rollbackStatusQueryV1 = defineQuery<RollbackStatus>('status');

/**
 * VERSION 1, frozen: runs only switch-backs whose history began before the lifecycle machine
 * (workflows/folder-rollback.ts decides with `patched()`). Do not change.
 *
 * Switch-back of a live folder to legacy ECP (workflow id `rollback-<folder>`): requested by one operator,
 * approved by another (I5, checked by the Update's synchronous validator, then the approver role is checked
 * against the database), then the mirror of the cutover: freeze ECP 2.0 → drain → enable and show legacy →
 * verify → disable ECP 2.0.
 */
export async function folderRollbackV1(
  input: FolderRollbackInputV1,
): Promise<MoveResult | { folderCode: string; outcome: 'rejected' | 'expired' }> {
  const { workflowId, runId } = workflowInfo();
  const status: RollbackStatus = {
    folderCode: input.folderCode,
    state: 'awaiting_approval',
    requestedBy: input.requestedBy,
    approvedBy: null,
    rejectedBy: null,
    move: {
      folderCode: input.folderCode,
      kind: 'rollback',
      step: 'begin',
      outcome: 'running',
      failure: null,
      freezeWindowMs: null,
    },
  };
  const record = (actor: string, to: string, reason: string | null) =>
    operations.recordEvent({
      entityType: 'folder',
      entityId: input.folderCode,
      actor,
      from: status.state,
      to,
      reason,
      workflowId,
      runId,
      key: `rollback:${to}`,
    });
  // ApplicationFailure (not Error): thrown from an Update handler it fails the Update, not the workflow task.
  const mustAwait = () => {
    if (status.state !== 'awaiting_approval') {
      throw ApplicationFailure.nonRetryable(
        `the switch-back of ${input.folderCode} is ${status.state}, not awaiting approval`,
        'Refused',
      );
    }
  };

  setHandler(rollbackStatusQueryV1, () => status);
  setHandler(
    approveRollbackUpdateV1,
    async ({ approver }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: approver, role: 'approver' });
      mustAwait();
      await record(approver, 'rollback_approved', null);
      status.approvedBy = approver;
      status.state = 'approved';
      return status;
    },
    {
      validator: ({ approver }) => {
        mustAwait();
        if (approver === input.requestedBy) {
          throw ApplicationFailure.nonRetryable(
            `four eyes: ${approver} requested the switch-back of ${input.folderCode} and cannot approve it; ask another approver`,
            'Refused',
          );
        }
      },
    },
  );
  setHandler(
    rejectRollbackUpdateV1,
    async ({ by, reason }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: by, role: 'approver' });
      mustAwait();
      await record(by, 'rollback_rejected', reason);
      status.rejectedBy = by;
      status.state = 'rejected';
      return status;
    },
    { validator: (_args: { by: string; reason: string }) => mustAwait() },
  );

  await record(input.requestedBy, 'rollback_requested', input.reason);
  const decided = await condition(() => status.state !== 'awaiting_approval', input.approvalTimeoutMs);
  if (!decided) {
    await record(
      'system',
      'rollback_expired',
      `no approval within ${Math.round(input.approvalTimeoutMs / 60000)} min`,
    );
    status.state = 'expired';
  }
  if (status.state !== 'approved') {
    await condition(allHandlersFinished);
    return { folderCode: input.folderCode, outcome: status.state === 'rejected' ? 'rejected' : 'expired' };
  }
  status.state = 'running';
  const result = await moveFolder(
    {
      folderCode: input.folderCode,
      kind: 'rollback',
      batchId: null,
      actor: status.approvedBy ?? input.requestedBy,
    },
    'ecp2',
    'legacy',
    input.options,
    status.move,
    `switch-back requested by ${input.requestedBy} (${input.reason}), approved by ${status.approvedBy}`,
  );
  if (result.outcome === 'succeeded') {
    // The firms that use the folder are told it is back on legacy ECP.
    const subjectId = `${input.folderCode}@${runId}`;
    await mail.queueFolderNotices({ kind: 'folder_switched_back', folderCode: input.folderCode, subjectId });
    await mail.deliverNotices({ kind: 'folder_switched_back', subjectId });
  }
  status.state = 'done';
  await condition(allHandlersFinished);
  if (result.outcome === 'refused')
    throw ApplicationFailure.nonRetryable(result.failure ?? 'refused', 'FolderNotMovable');
  return result;
}
