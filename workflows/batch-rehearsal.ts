import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createRehearsalActivities } from '../activities/rehearsal';
import type { BatchRehearseArgs, SignedCommand } from '../domain/commands';
import { allows } from '../domain/permissions';
import { verified } from './commands';
import { startCommand } from './inputs';
import { moveFolder, reasonOf, type MoveOptions, type MoveProgress, type MoveResult } from './move-folder';

/**
 * A rehearsal of a batch (issue 28; workflow `rehearsal-<rehearsal id>`, started by the control API with a
 * signed `batch.rehearse` command): the batch's folder moves run now, each in a `folderRehearsal` child that
 * runs the very saga a cutover runs (move-folder.ts), with the same activity code built over the rehearsal's
 * store and the platforms' rehearsal environment (activities/rehearsal.ts, names prefixed `rehearsal_`).
 * The live record — folders, runs, batches, events, notices, the live platforms — is never written.
 * New workflow types: the live workflows' code paths and recorded histories are untouched.
 */
const rehearsal = proxyActivities<ReturnType<typeof createRehearsalActivities>>({
  startToCloseTimeout: '5m',
  retry: {
    initialInterval: '1s',
    maximumInterval: '30s',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['NoRehearsalEnvironment', 'PlatformRefusal'],
  },
});

export interface BatchRehearsalInput {
  command: SignedCommand<BatchRehearseArgs>;
}

export interface RehearsalResult {
  rehearsalId: string;
  /** refused: the command was not verified or the plan not recorded; nothing was done. */
  status: 'succeeded' | 'failed' | 'refused';
  reason: string | null;
  folders: MoveResult[];
}

export interface FolderRehearsalInput {
  folderCode: string;
  rehearsalId: string;
  actor: string;
  options: MoveOptions;
}

export const rehearsalProgressQuery = defineQuery<{ step: string; folders: MoveResult[] }>('progress');

export async function batchRehearsal(input: BatchRehearsalInput): Promise<RehearsalResult> {
  const command = startCommand<BatchRehearseArgs>(input, 'batch.rehearse');
  const { rehearsalId } = command.args;
  const { workflowId, runId } = workflowInfo();
  const state = { step: 'verify', folders: [] as MoveResult[] };
  setHandler(rehearsalProgressQuery, () => state);
  const refused = (reason: string): RehearsalResult => ({
    rehearsalId,
    status: 'refused',
    reason,
    folders: [],
  });

  const claims = await verified(command, 'batch.rehearse', { update: false }).catch((err: Error) => err);
  if (claims instanceof Error) return refused(claims.message);
  // The role is checked again where the change is made (domain/permissions.ts).
  if (!allows(claims.roles, 'batch.rehearse'))
    return refused(`batch.rehearse refused: operator '${claims.operator}' does not hold the planner role`);
  state.step = 'record';
  // No rehearsal environment configured: refused, nothing recorded.
  const recorded = await rehearsal
    .recordRehearsal({ command: claims, workflowId, runId })
    .catch((err: unknown) => ({ ok: false as const, reason: `batch.rehearse refused: ${reasonOf(err)}` }));
  if (!recorded.ok) return refused(recorded.reason);

  try {
    return await rehearse(claims.args, claims.operator, workflowId, state);
  } catch (err) {
    // The rehearsal environment unreachable, a step that kept failing: the rehearsal ends failed, saying why.
    const reason = `${state.step} failed: ${reasonOf(err)}`;
    // Cancelled too: recorded as failed in a scope the cancellation does not reach, so it never stays `running`.
    await CancellationScope.nonCancellable(() => rehearsal.abandonRehearsal({ rehearsalId, reason }));
    return { rehearsalId, status: 'failed', reason, folders: state.folders };
  }
}

async function rehearse(
  { rehearsalId, plan }: BatchRehearseArgs,
  operator: string,
  workflowId: string,
  state: { step: string; folders: MoveResult[] },
): Promise<RehearsalResult> {
  state.step = 'prepare';
  await rehearsal.prepareRehearsal({ rehearsalId, folders: plan.folders });
  state.step = 'readiness';
  await rehearsal.rehearsalReadiness({ rehearsalId, folders: plan.folders });

  state.step = 'moving';
  const queue = [...plan.folders].sort();
  let halted = false;
  const lane = async () => {
    for (let code = queue.shift(); code !== undefined && !halted; code = queue.shift()) {
      const r = await executeChild(folderRehearsal, {
        workflowId: `${workflowId}-${code}`,
        args: [{ folderCode: code, rehearsalId, actor: operator, options: plan.moveOptions }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      state.folders.push(r);
      if (r.outcome !== 'succeeded' && plan.failurePolicy === 'halt') halted = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(plan.concurrency, queue.length)) }, lane));

  state.step = 'notices';
  await rehearsal.rehearsalNotices({ rehearsalId });
  state.step = 'finish';
  const done = await rehearsal.finishRehearsal({ rehearsalId });
  state.step = 'done';
  if (done.status !== 'succeeded' && done.status !== 'failed')
    throw ApplicationFailure.nonRetryable(`rehearsal ${rehearsalId} ended ${done.status}`);
  return { rehearsalId, status: done.status, reason: done.failure, folders: state.folders };
}

/** One folder of a rehearsal (workflow `rehearsal-<rehearsal id>-<folder>`): the cutover's saga against the rehearsal environment. */
export async function folderRehearsal(input: FolderRehearsalInput): Promise<MoveResult> {
  const progress: MoveProgress = {
    folderCode: input.folderCode,
    kind: 'cutover',
    step: 'begin',
    outcome: 'running',
    failure: null,
    freezeWindowMs: null,
  };
  setHandler(defineQuery<MoveProgress>('progress'), () => progress);
  // The run's "batch" is the rehearsal: the rehearsal's run store keys its rows by it (stores/rehearsal-store.ts).
  return moveFolder(
    { folderCode: input.folderCode, kind: 'cutover', batchId: input.rehearsalId, actor: input.actor },
    'legacy',
    'ecp2',
    input.options,
    progress,
    `rehearsal ${input.rehearsalId}`,
    'rehearsal_',
  );
}
