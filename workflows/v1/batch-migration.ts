import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  executeChild,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { refuseUnsigned } from './refuse-unsigned';
import { batchFinishedSignal, DECOMMISSION_WORKFLOW_ID } from './decommission-legacy';
import { folderCutover } from '../folder-cutover';
import { mail, operations } from '../proxies';
import type { MoveOptions, MoveResult } from '../move-folder';
import { BATCH_ID, FOLDER_CODE } from '../search-attributes';

// The statuses as they were when this version ran (frozen with it).
type BatchStatus =
  | 'awaiting_approval'
  | 'approved'
  | 'announced'
  | 'blocked_on_readiness'
  | 'running'
  | 'paused'
  | 'completed'
  | 'completed_with_failures'
  | 'aborted'
  | 'rejected'
  | 'expired';
type BatchFolderStatus = 'pending' | 'running' | 'live' | 'failed' | 'skipped' | 'aborted';

export interface BatchInputV1 {
  batchId: string;
  name: string;
  /** ISO instants, computed by the planner (the workflow has no calendar). */
  plannedAt: string;
  reminderAt: string;
  folders: string[];
  requestedBy: string;
  failurePolicy: 'continue' | 'halt';
  concurrency: number;
  moveOptions: MoveOptions;
  /** Readiness policy checked at the planned instant: above it the batch waits, blocked, until fixed or overridden. */
  maxNotReady?: { count: number } | { percent: number } | null;
}

export interface BatchProgressV1 {
  batchId: string;
  status: BatchStatus;
  plannedAt: string;
  approvedBy: string | null;
  folders: Record<
    string,
    { status: BatchFolderStatus; failure: string | null; freezeWindowMs: number | null }
  >;
}

type Who = { by: string };
export const approveBatchUpdateV1 = defineUpdate<BatchProgressV1, [{ approver: string }]>('approve');
export const rejectBatchUpdateV1 = defineUpdate<BatchProgressV1, [Who & { reason: string }]>('reject');
export const rescheduleBatchUpdateV1 = defineUpdate<
  BatchProgressV1,
  [Who & { plannedAt: string; reminderAt: string }]
>('reschedule');
export const pauseBatchUpdateV1 = defineUpdate<BatchProgressV1, [Who]>('pause');
export const resumeBatchUpdateV1 = defineUpdate<BatchProgressV1, [Who]>('resume');
export const abortBatchUpdateV1 = defineUpdate<BatchProgressV1, [Who & { reason: string }]>('abort');
export const overrideReadinessUpdateV1 = defineUpdate<BatchProgressV1, [Who & { reason: string }]>(
  'overrideReadiness',
);
export const batchProgressQueryV1 = defineQuery<BatchProgressV1>('progress');

const FINAL: BatchStatus[] = ['completed', 'completed_with_failures', 'aborted', 'rejected', 'expired'];
const BEFORE_START: BatchStatus[] = ['awaiting_approval', 'approved', 'announced'];

/**
 * VERSION 1, frozen: runs only batches whose history began before the lifecycle machine
 * (workflows/batch-migration.ts decides with `patched()`). Do not change; delete with `deprecatePatch` once
 * no such batch is open.
 *
 * One batch of folders (workflow id `batch-<ID>`): waits for a second operator's approval (I5), announces,
 * reminds on the business day before, sleeps until the planned Hong Kong time, then cuts the folders over as
 * child workflows with bounded concurrency, honouring pause, resume, abort and the failure policy.
 */
export async function batchMigrationV1(input: BatchInputV1): Promise<BatchProgressV1> {
  const { workflowId, runId } = workflowInfo();
  const p: BatchProgressV1 = {
    batchId: input.batchId,
    status: 'awaiting_approval',
    plannedAt: input.plannedAt,
    approvedBy: null,
    folders: Object.fromEntries(
      input.folders.map((c) => [c, { status: 'pending', failure: null, freezeWindowMs: null }]),
    ),
  };
  let reminderAt = input.reminderAt;
  let plan = 0; // bumped by every reschedule: waits that began under an older plan start over
  let seq = 0;
  let abortReason: string | null = null;
  let rejectReason: string | null = null;
  let readinessOverridden = false;
  const ev = (actor: string, reason: string | null = null) => ({
    batchId: input.batchId,
    actor,
    reason,
    workflowId,
    runId,
    seq: ++seq,
  });
  const setStatus = async (
    to: BatchStatus,
    actor: string,
    reason: string | null = null,
    startedAt?: string,
  ) => {
    p.status = to;
    await operations.setBatchStatus({ ...ev(actor, reason), to, startedAt });
  };
  // ApplicationFailure (not Error): thrown from an Update handler it fails the Update, not the workflow task.
  const refuseUnless = (ok: boolean, why: string) => {
    if (!ok)
      throw ApplicationFailure.create({
        message: `batch ${input.batchId} is ${p.status}: ${why}`,
        type: 'Refused',
        nonRetryable: true,
      });
  };
  // Announcement and reminder are per plan (a rescheduled batch is announced again); folders-live once.
  const notify = async (kind: 'batch_announced' | 'batch_reminder' | 'folders_live') => {
    const subjectId = kind === 'folders_live' ? input.batchId : `${input.batchId}@${p.plannedAt}`;
    await mail.queueBatchNotices({ kind, batchId: input.batchId, subjectId });
    await mail.deliverNotices({ kind, subjectId });
    if (kind === 'batch_announced') {
      await mail.queueReadinessNotices({ batchId: input.batchId, subjectId });
      await mail.deliverNotices({ kind: 'readiness_action_needed', subjectId });
    }
  };

  setHandler(batchProgressQueryV1, () => p);
  setHandler(
    approveBatchUpdateV1,
    async ({ approver }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: approver, role: 'approver' });
      refuseUnless(p.status === 'awaiting_approval', 'nothing to approve');
      p.status = 'approved';
      p.approvedBy = approver;
      await operations.approveBatch({ ...ev(approver), approver });
      return p;
    },
    {
      validator: ({ approver }) => {
        refuseUnless(p.status === 'awaiting_approval', 'only a batch awaiting approval can be approved');
        if (approver === input.requestedBy)
          throw ApplicationFailure.nonRetryable(
            `four eyes: ${approver} planned batch ${input.batchId} and cannot approve it; ask another approver`,
            'Refused',
          );
      },
    },
  );
  setHandler(
    rejectBatchUpdateV1,
    async ({ by, reason }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: by, role: 'approver' });
      refuseUnless(BEFORE_START.includes(p.status), 'it can no longer be rejected');
      p.status = 'rejected';
      rejectReason = `rejected by ${by}: ${reason}`;
      return p;
    },
    {
      validator: (_: Who) =>
        refuseUnless(BEFORE_START.includes(p.status), 'only a batch that has not started can be rejected'),
    },
  );
  setHandler(
    rescheduleBatchUpdateV1,
    async ({ by, plannedAt, reminderAt: newReminder }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: by, role: 'planner' });
      refuseUnless(BEFORE_START.includes(p.status), 'it can no longer be rescheduled');
      plan++;
      p.status = 'awaiting_approval';
      p.approvedBy = null;
      p.plannedAt = plannedAt;
      reminderAt = newReminder;
      await operations.voidBatchApproval({
        ...ev(by, `rescheduled to ${plannedAt}; approval voided`),
        plannedAt,
      });
      return p;
    },
    {
      validator: ({ plannedAt }) => {
        refuseUnless(BEFORE_START.includes(p.status), 'only a batch that has not started can be rescheduled');
        if (!(Date.parse(plannedAt) > Date.now()))
          throw ApplicationFailure.nonRetryable(`the new time ${plannedAt} is not in the future`, 'Refused');
      },
    },
  );
  setHandler(
    pauseBatchUpdateV1,
    async ({ by }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: by, role: 'planner' });
      refuseUnless(p.status === 'running', 'only a running batch can be paused');
      await setStatus('paused', by, 'no new folder starts; running ones finish');
      return p;
    },
    { validator: (_: Who) => refuseUnless(p.status === 'running', 'only a running batch can be paused') },
  );
  setHandler(
    resumeBatchUpdateV1,
    async ({ by }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: by, role: 'planner' });
      refuseUnless(p.status === 'paused', 'only a paused batch can be resumed');
      await setStatus('running', by);
      return p;
    },
    { validator: (_: Who) => refuseUnless(p.status === 'paused', 'only a paused batch can be resumed') },
  );
  setHandler(
    abortBatchUpdateV1,
    async ({ by, reason }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: by, role: 'planner' });
      refuseUnless(!FINAL.includes(p.status) && abortReason === null, 'there is nothing left to abort');
      abortReason = `aborted by ${by}: ${reason}`;
      return p;
    },
    {
      validator: (_: Who) =>
        refuseUnless(!FINAL.includes(p.status) && abortReason === null, 'there is nothing left to abort'),
    },
  );

  setHandler(
    overrideReadinessUpdateV1,
    async ({ by, reason }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: by, role: 'approver' });
      refuseUnless(
        p.status === 'blocked_on_readiness',
        'only a batch blocked on readiness can be overridden',
      );
      readinessOverridden = true;
      await setStatus('blocked_on_readiness', by, `readiness overridden: ${reason}`);
      return p;
    },
    {
      validator: (_: Who & { reason: string }) =>
        refuseUnless(
          p.status === 'blocked_on_readiness',
          'only a batch blocked on readiness can be overridden',
        ),
    },
  );

  const msUntil = (iso: string) => Date.parse(iso) - Date.now();
  /** Sleeps until `iso`; false if woken early by a reschedule or an abort. */
  const sleepUntil = async (iso: string): Promise<boolean> => {
    const current = plan;
    const interrupted = () => plan !== current || abortReason !== null;
    if (msUntil(iso) > 0) await condition(interrupted, msUntil(iso));
    return !interrupted();
  };
  const finish = async (status: BatchStatus, actor: string, reason: string | null) => {
    p.status = status;
    const outcomes = Object.fromEntries(
      Object.entries(p.folders).map(([c, f]) => [c, { status: f.status, failure: f.failure }]),
    );
    await operations.finishBatch({ ...ev(actor, reason), status, outcomes });
    // A decommission blocked on unfinished batches re-checks its gate now (there may be none: that is fine).
    await getExternalWorkflowHandle(DECOMMISSION_WORKFLOW_ID)
      .signal(batchFinishedSignal, input.batchId)
      .catch(() => undefined);
    await condition(allHandlersFinished);
    return p;
  };

  // 1. Approval, announcement, reminder and the planned instant. A reschedule starts this over.
  let announcedPlan = -1;
  let remindedPlan = -1;
  for (;;) {
    if (abortReason) return finish('aborted', 'system', abortReason);
    if (p.status === 'rejected') return finish('rejected', 'system', rejectReason);
    if (p.status === 'awaiting_approval') {
      const current = plan;
      const decided = await condition(
        () => p.status !== 'awaiting_approval' || abortReason !== null || plan !== current,
        Math.max(1, msUntil(p.plannedAt)),
      );
      if (!decided) return finish('expired', 'system', `not approved before ${p.plannedAt}`);
      continue;
    }
    if (announcedPlan !== plan) {
      announcedPlan = plan;
      await notify('batch_announced');
      if (p.status === 'approved') await setStatus('announced', 'system', 'participants told');
      continue;
    }
    if (remindedPlan !== plan) {
      if (!(await sleepUntil(reminderAt))) continue;
      remindedPlan = plan;
      // A batch approved after its reminder time has been announced already: no second mail the same day.
      if (msUntil(p.plannedAt) > 0 && Date.parse(reminderAt) >= Date.now() - 60_000)
        await notify('batch_reminder');
      continue;
    }
    if (await sleepUntil(p.plannedAt)) break;
  }

  // 2. Preflight: too many affected firms not ready → wait, blocked, until fixed (re-checked every 10 min) or overridden.
  for (const max = input.maxNotReady; max && !readinessOverridden;) {
    const t = await operations.checkBatchReadiness({ batchId: input.batchId });
    if ('count' in max ? t.notReady <= max.count : t.percentNotReady <= max.percent) break;
    if (p.status !== 'blocked_on_readiness') {
      await setStatus(
        'blocked_on_readiness',
        'system',
        `${t.notReady} of ${t.affected} affected firms not ready (limit ${'count' in max ? max.count : `${max.percent}%`}): see 'ecp-cutover readiness ${input.batchId}'`,
      );
    }
    await condition(() => readinessOverridden || abortReason !== null, '10 minutes');
    if (abortReason) return finish('aborted', 'system', abortReason);
  }

  // 3. The cutover: one child per folder, at most `concurrency` at a time.
  // Workflow time: the instant the timer fired, which the schedule tests check against the plan.
  await setStatus(
    'running',
    'system',
    `cutover started at the planned time ${p.plannedAt}`,
    new Date(Date.now()).toISOString(),
  );
  const queue = [...input.folders];
  let inFlight = 0;
  let halted = false;
  const canStart = () =>
    queue.length > 0 && inFlight < input.concurrency && p.status === 'running' && !abortReason && !halted;
  const settle = (code: string, r: MoveResult) => {
    inFlight--;
    p.folders[code] = {
      status: r.outcome === 'succeeded' ? 'live' : 'failed',
      failure: r.failure,
      freezeWindowMs: r.freezeWindowMs,
    };
    if (r.outcome !== 'succeeded' && input.failurePolicy === 'halt') halted = true;
  };
  const children: Promise<void>[] = [];
  // Children are started without waiting for each start to be acknowledged: the starts of a wave go out in
  // one workflow task (awaiting each start costs the batch one workflow task per folder, serially).
  const startNext = () => {
    const code = queue.shift()!;
    inFlight++;
    p.folders[code].status = 'running';
    const child = executeChild(folderCutover, {
      workflowId: `cutover-${input.batchId}-${code}`,
      args: [
        {
          folderCode: code,
          batchId: input.batchId,
          actor: p.approvedBy ?? 'system',
          options: input.moveOptions,
        },
      ],
      typedSearchAttributes: [
        { key: BATCH_ID, value: input.batchId },
        { key: FOLDER_CODE, value: code },
      ],
      // Closing the batch asks running cutovers to cancel, and a cancelled cutover compensates.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    children.push(
      child.then(
        (r) => settle(code, r),
        (err: unknown) =>
          settle(code, {
            folderCode: code,
            outcome: 'compensated',
            failure: String(err),
            freezeWindowMs: null,
          }),
      ),
    );
  };
  for (;;) {
    while (canStart()) startNext();
    const stopped = queue.length === 0 || abortReason !== null || halted;
    if (inFlight === 0 && stopped) break;
    const running = inFlight;
    await condition(
      () => canStart() || inFlight < running || (inFlight === 0 && (abortReason !== null || halted)),
    );
  }
  await Promise.all(children);
  for (const code of queue) p.folders[code].status = abortReason ? 'aborted' : 'skipped';

  // 4. The end.
  const live = Object.values(p.folders).filter((f) => f.status === 'live').length;
  if (live > 0) await notify('folders_live');
  if (abortReason) return finish('aborted', 'system', abortReason);
  return finish(
    live === input.folders.length ? 'completed' : 'completed_with_failures',
    'system',
    `${live} of ${input.folders.length} folders live`,
  );
}
