import {
  defineQuery,
  defineUpdate,
  executeChild,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  batchProgress,
  batchSkipped,
  batchWants,
  recoverBatch,
  initialBatchState,
  isFinalBatch,
  nextBatchTimer,
  transitionBatch,
  type BatchCommand,
  type BatchEffect,
  type BatchProgress,
  type BatchState,
} from '../domain/batch-lifecycle';
import { actorOf, type BatchPlanArgs, type SignedCommand } from '../domain/commands';
import { scrubText } from '../domain/text';
import { cutoverWorkflowId, DECOMMISSION_WORKFLOW_ID } from '../domain/workflow-ids';
import { commandUpdates, verified } from './commands';
import { batchFinishedSignal } from './decommission-legacy';
import { folderCutover } from './folder-cutover';
import { startCommand, textArg } from './inputs';
import { interpret } from './interpreter';
import { LIFECYCLE_MACHINE_PATCH, OUTCOME_NOTICES, SKIP_UNWANTED_STARTS } from './patches';
import { mail, operations } from './proxies';
import { BATCH_ID, FOLDER_CODE } from './search-attributes';
import { batchMigrationV1, type BatchInputV1 } from './v1/batch-migration';

export type { BatchProgress };

/** A batch is started by the control API with its signed plan, and nothing else. */
export interface BatchInput {
  command: SignedCommand<BatchPlanArgs>;
}

type Update = [SignedCommand<{ reason?: string; plannedAt?: string; reminderAt?: string }>];
export const approveBatchUpdate = defineUpdate<BatchProgress, Update>('approve');
export const rejectBatchUpdate = defineUpdate<BatchProgress, Update>('reject');
export const rescheduleBatchUpdate = defineUpdate<BatchProgress, Update>('reschedule');
export const pauseBatchUpdate = defineUpdate<BatchProgress, Update>('pause');
export const resumeBatchUpdate = defineUpdate<BatchProgress, Update>('resume');
export const abortBatchUpdate = defineUpdate<BatchProgress, Update>('abort');
export const overrideReadinessUpdate = defineUpdate<BatchProgress, Update>('overrideReadiness');
export const batchProgressQuery = defineQuery<BatchProgress & { busy: boolean }>('progress');

/**
 * One batch of folders (workflow id `batch-<ID>`): the interpreter of the batch machine
 * (domain/batch-lifecycle.ts). It records the signed plan, then waits for approval, announces, reminds,
 * sleeps until the planned Hong Kong time, checks readiness, and cuts the folders over as child workflows —
 * every decision made by the machine, every side effect done here through activities.
 */
export async function batchMigration(input: BatchInput | BatchInputV1): Promise<BatchProgress> {
  if (!patched(LIFECYCLE_MACHINE_PATCH))
    return batchMigrationV1(input as BatchInputV1) as unknown as Promise<BatchProgress>;
  const command = startCommand<BatchPlanArgs>(input, 'batch.plan');
  const { workflowId, runId } = workflowInfo();
  // Batches begun before this patch started every folder queued to start, wanted or not (their histories say so).
  const skipUnwantedStarts = patched(SKIP_UNWANTED_STARTS);
  const plan = command.args;
  const seen = new Set<string>([command.id]);
  const subject = (kind: string, s: BatchState) =>
    kind === 'batch_outcome'
      ? `${plan.batchId}:outcome`
      : kind === 'folders_live' || kind === 'batch_cancelled'
        ? `${plan.batchId}${kind === 'batch_cancelled' ? ':cancelled' : ''}`
        : `${plan.batchId}@${s.plannedAt}`;
  // Batches begun before every outcome was told (their histories) keep telling what they told.
  const outcomeNotices = patched(OUTCOME_NOTICES);
  const event = (e: { seq: number; actor: string; reason: string | null }) => ({
    batchId: plan.batchId,
    workflowId,
    runId,
    ...e,
  });

  const it = interpret<BatchState, BatchCommand, BatchEffect>({
    machine: {
      transition: transitionBatch,
      nextTimer: nextBatchTimer,
      isFinal: (s) => isFinalBatch(s.status),
      skipped: batchSkipped,
      recover: recoverBatch,
      wants: (s, e) => (e.type === 'startFolder' && !skipUnwantedStarts) || batchWants(s, e),
    },
    initial: initialBatchState({ ...plan, requestedBy: command.operator, outcomeNotices }),
    initialEffects: [{ type: 'recordPlan' }],
    isWrite: (e) =>
      e.type === 'persist' || e.type === 'finish' || e.type === 'withdrawNotices' || e.type === 'recordPlan',
    cancelCommand: { type: 'cancelRequested' },
    async perform(e): Promise<BatchCommand | void> {
      const s = it.state;
      switch (e.type) {
        case 'recordPlan': {
          // The signature is checked before anything is written: a start that did not come from the API records nothing.
          const claims = await verified(command, 'batch.plan', { update: false }).catch((err: Error) => err);
          if (claims instanceof Error) return { type: 'planRefused', reason: claims.message };
          const bad = planTextProblem(claims.args);
          if (bad) return { type: 'planRefused', reason: `batch.plan refused: ${bad}` };
          const r = await operations.recordBatchPlan({ command: claims, workflowId, runId });
          return r.ok ? { type: 'planRecorded' } : { type: 'planRefused', reason: r.reason };
        }
        case 'persist':
          return void (await operations.persistBatch({
            ...event(e),
            status: e.status,
            change: e.change,
            plannedAt: e.plannedAt,
            startedAt: e.startedAt,
          }));
        case 'finish': {
          // Written again plain (the database refused a text): the folders' failures as storable text too.
          const outcomes = Object.fromEntries(
            Object.entries(s.folders).map(([c, f]) => [
              c,
              { status: f.status, failure: e.plain && f.failure !== null ? scrubText(f.failure) : f.failure },
            ]),
          );
          await operations.finishBatch({ ...event(e), status: e.status, outcomes });
          // A decommission blocked on unfinished batches re-checks its gate now (there may be none: that is fine).
          await getExternalWorkflowHandle(DECOMMISSION_WORKFLOW_ID)
            .signal(batchFinishedSignal, plan.batchId)
            .catch(() => undefined);
          return;
        }
        case 'withdrawNotices':
          return void (await operations.withdrawBatchNotices({ batchId: plan.batchId }));
        case 'retireFolders':
          await operations.retireBatchFolders({ batchId: plan.batchId, workflowId, runId });
          return { type: 'retirementDone' };
        case 'notify': {
          const subjectId = subject(e.kind, s);
          await mail.queueBatchNotices({ kind: e.kind, batchId: plan.batchId, subjectId });
          await mail.deliverNotices({ kind: e.kind, subjectId });
          if (e.kind !== 'batch_announced') return;
          await mail.queueReadinessNotices({ batchId: plan.batchId, subjectId });
          await mail.deliverNotices({ kind: 'readiness_action_needed', subjectId });
          return { type: 'announced', plan: e.plan };
        }
        case 'checkReadiness': {
          const t = await operations.checkBatchReadiness({ batchId: plan.batchId });
          const max = plan.maxNotReady;
          const ok = !max || ('count' in max ? t.notReady <= max.count : t.percentNotReady <= max.percent);
          const limit = !max ? 'none' : 'count' in max ? String(max.count) : `${max.percent}%`;
          return {
            type: 'readinessChecked',
            plan: e.plan,
            ok,
            summary: `${t.notReady} of ${t.affected} affected firms not ready (limit ${limit}): see 'ecp-cutover readiness ${plan.batchId}'`,
          };
        }
        case 'startFolder':
          // Not awaited: the loop goes on, and the child's end comes back as a command. The starts of a wave go
          // out in one workflow task.
          void executeChild(folderCutover, {
            workflowId: cutoverWorkflowId(plan.batchId, e.code),
            args: [
              {
                folderCode: e.code,
                batchId: plan.batchId,
                actor: s.approvedBy ?? 'system',
                options: plan.moveOptions,
              },
            ],
            typedSearchAttributes: [
              { key: BATCH_ID, value: plan.batchId },
              { key: FOLDER_CODE, value: e.code },
            ],
            parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          }).then(
            (r) =>
              it.dispatch({
                type: 'folderFinished',
                code: e.code,
                outcome: r.outcome === 'succeeded' ? 'live' : 'failed',
                failure: r.failure,
                freezeWindowMs: r.freezeWindowMs,
              }),
            (err: unknown) =>
              it.dispatch({
                type: 'folderFinished',
                code: e.code,
                outcome: 'failed',
                failure: String(err),
                freezeWindowMs: null,
              }),
          );
          return;
      }
    },
  });

  const view = batchProgress;
  setHandler(batchProgressQuery, () => ({ ...view(it.state), busy: it.busy }));
  const update = commandUpdates(it, view, seen);
  update(approveBatchUpdate, 'batch.approve', (c) => ({
    type: 'approve',
    by: actorOf(c),
    plannedAt: c.args.plannedAt === undefined ? undefined : textArg(c.args.plannedAt, 'plannedAt', 64),
  }));
  update(rejectBatchUpdate, 'batch.reject', (c) => ({
    type: 'reject',
    by: actorOf(c),
    reason: textArg(c.args.reason, 'the reason'),
  }));
  update(rescheduleBatchUpdate, 'batch.reschedule', (c) => ({
    type: 'reschedule',
    by: actorOf(c),
    plannedAt: textArg(c.args.plannedAt, 'plannedAt', 64),
    reminderAt: textArg(c.args.reminderAt, 'reminderAt', 64),
  }));
  update(pauseBatchUpdate, 'batch.pause', (c) => ({ type: 'pause', by: actorOf(c) }));
  update(resumeBatchUpdate, 'batch.resume', (c) => ({ type: 'resume', by: actorOf(c) }));
  update(abortBatchUpdate, 'batch.abort', (c) => ({
    type: 'abort',
    by: actorOf(c),
    reason: textArg(c.args.reason, 'the reason'),
  }));
  update(overrideReadinessUpdate, 'batch.override_readiness', (c) => ({
    type: 'overrideReadiness',
    by: actorOf(c),
    reason: textArg(c.args.reason, 'the reason'),
  }));

  await it.run();
  return view(it.state);
}

/** What is wrong with the plan's text (its id, name and folder codes), by the edge's text rule; null when nothing. */
function planTextProblem(a: BatchPlanArgs): string | null {
  try {
    textArg(a.batchId, 'the batch id', 64);
    textArg(a.name, 'the name', 200);
    for (const code of [...a.folders, ...(a.retire ?? [])]) textArg(code, 'a folder code', 64);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
