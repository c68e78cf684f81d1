import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CANCELLED_START_ASKS_THE_RECORD,
  DRAIN_LOCALLY_FIRST,
  FREEZE_AND_DRAIN_AS_ONE,
  ONE_STEP_FROM_ENABLE,
  RECORDED_OUTCOME_BEFORE_COMPENSATING,
} from './patches';
import type { createMoveActivities, StepInput } from '../activities/move';
import type { PlatformName } from '../domain/intake-rules';
import type { RunKind, RunRef } from '../domain/folder-runs';

type MoveActivities = ReturnType<typeof createMoveActivities>;

/** Given by whoever starts the move (the workflow cannot read configuration). */
export interface MoveOptions {
  /** I1: the freeze window's bound; a move that cannot enable the target in time is compensated. */
  freezeWindowMaxMs: number;
  /** How long the drain waits for the source to process in-flight files before handing them over. */
  drainTimeoutMs: number;
  /** Attempts per forward step before the move is compensated (compensations retry until they succeed). */
  maxAttempts?: number;
}

export type MoveStep =
  'begin' | 'freeze' | 'drain' | 'enable' | 'verify' | 'disable_source' | 'finish' | 'compensating' | 'done';

export interface MoveProgress {
  folderCode: string;
  kind: RunKind;
  step: MoveStep;
  outcome: 'running' | MoveResult['outcome'];
  failure: string | null;
  freezeWindowMs: number | null;
}

export interface MoveResult {
  folderCode: string;
  /** refused: the folder was not in a state to move, nothing was touched. */
  outcome: 'succeeded' | 'compensated' | 'refused';
  failure: string | null;
  freezeWindowMs: number | null;
}

// The permanent failure types thrown by activities/move.ts (a workflow may not import its values).
const PERMANENT_TYPES = ['FolderNotMovable', 'PlatformRefusal', 'VerificationFailed'];

/**
 * The quick steps (status writes and single platform calls, each idempotent) are local activities: they run
 * in the worker inside the workflow task, recorded as markers, without a round trip through the server per
 * step — the orchestration overhead the benchmark measures (BENCHMARKS.md). A worker that dies during one
 * loses the workflow task; it is retried, and the step runs again (idempotent). The drain waits: it polls
 * locally for at most LOCAL_DRAIN_MS (DRAIN_LOCALLY_FIRST), then, if files are still in flight, goes on as a
 * normal activity that heartbeats.
 */
/** Well inside the workflow task's 10 s timeout, so that the task needs no heartbeat; legacy processes a file in well under it. */
const LOCAL_DRAIN_MS = 2_000;

function activities(opts: MoveOptions, prefix: string) {
  const retry = {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: opts.maxAttempts ?? 8,
    nonRetryableErrorTypes: PERMANENT_TYPES,
  };
  return {
    forward: named(proxyLocalActivities<MoveActivities>({ startToCloseTimeout: '30s', retry }), prefix),
    // Several steps in one local activity (activities/move.ts freezeAndDrain, completeMove): up to three platform
    // calls of 10 s at most each; a cancellation waits for it to stop (before its next step), so that no
    // compensation overtakes a call in flight.
    waited: named(
      proxyLocalActivities<MoveActivities>({
        startToCloseTimeout: '60s',
        retry,
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      }),
      prefix,
    ),
    drain: named(
      proxyActivities<MoveActivities>({
        startToCloseTimeout: opts.drainTimeoutMs + 30_000,
        heartbeatTimeout: '10s',
        retry,
      }),
      prefix,
    ),
    // Compensations must succeed, or the folder could end up open on both platforms: retry without end.
    undo: named(
      proxyLocalActivities<MoveActivities>({
        startToCloseTimeout: '30s',
        retry: { initialInterval: '1s', maximumInterval: '30s' },
      }),
      prefix,
    ),
  };
}

/**
 * The same activities under names with `prefix` (a rehearsal's: activities/rehearsal.ts registers the move
 * activities again as `rehearsal_<name>`, over its own store and platforms). With no prefix the proxy itself
 * is returned: a cutover's and a switch-back's calls are exactly what they were.
 */
function named<T extends object>(proxy: T, prefix: string): T {
  if (!prefix) return proxy;
  return new Proxy(proxy, {
    get: (target, name) =>
      typeof name === 'string' ? (target as Record<string, unknown>)[`${prefix}${name}`] : undefined,
  });
}

/** The reason a human should read: the innermost message of an activity failure. */
export function reasonOf(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/**
 * A saga that moves one folder from `source` to `target`: freeze source → drain → enable target → verify →
 * disable and hide source. Each forward step pushes its compensation; a failure (or a cancellation) runs
 * them in reverse, and the folder ends where it started with the reason recorded (I7: only this folder).
 * The caller's `progress` object is updated in place so a query can read it.
 */
export async function moveFolder(
  ref: Omit<RunRef, 'workflowId' | 'runId'>,
  source: PlatformName,
  target: PlatformName,
  opts: MoveOptions,
  progress: MoveProgress,
  reason: string | null,
  /** Names of the activities to call: '' (a cutover's, a switch-back's) or a rehearsal's prefix. */
  activityPrefix = '',
): Promise<MoveResult> {
  const { workflowId, runId } = workflowInfo();
  const run: RunRef = { ...ref, workflowId, runId };
  const input: StepInput = { ref: run, source, target };
  const { forward, waited, drain, undo } = activities(opts, activityPrefix);
  const compensations: (() => Promise<void>)[] = [];
  const undoFreeze = () => undo.undoFreezeSource(input);
  const undoDrain = () => undo.undoDrain(input);
  const undoEnable = () => undo.undoEnableTarget(input);
  const at = (step: MoveStep) => (progress.step = step);

  at('begin');
  try {
    // The parent (set by the server, not by whoever starts the workflow) lets the activity check that a cutover
    // was started by its batch.
    const parent = workflowInfo().parent;
    await forward.beginMove({
      ref: run,
      reason,
      parent: parent ? { workflowId: parent.workflowId, runId: parent.runId } : null,
    });
  } catch (err) {
    if (isCancellation(err) && patched(CANCELLED_START_ASKS_THE_RECORD)) {
      // Cancelled before the first step ran here: an earlier attempt of this workflow task may have moved the
      // folder all the same (see the patch). Nothing recorded: nothing was touched.
      const settled = await settle('cancelled by an operator', [undoEnable, undoDrain, undoFreeze], {
        ask: true,
        atStart: true,
      });
      if (settled) return settled;
    }
    return end('refused', reasonOf(err), null);
  }
  try {
    at('freeze');
    const frozenAt = Date.now();
    compensations.unshift(undoFreeze);
    // The drain's wait in all: at most the drain timeout, and never so long that the freeze window's bound is near.
    let drainFrom = frozenAt;
    const budget = () =>
      Math.max(
        0,
        Math.min(
          opts.drainTimeoutMs - (Date.now() - drainFrom),
          opts.freezeWindowMaxMs - (Date.now() - frozenAt) - 5_000,
        ),
      );
    if (patched(FREEZE_AND_DRAIN_AS_ONE)) {
      // The freeze and the drain's local attempt: one local activity. That attempt hands nothing over, so there is
      // nothing to hand back unless the drain activity runs.
      const local = await waited.freezeAndDrain({ ...input, timeoutMs: LOCAL_DRAIN_MS, budgetMs: budget() });
      at('drain');
      if (local.pending > 0) {
        compensations.unshift(undoDrain);
        await drain.drainSource({ ...input, timeoutMs: budget() });
      }
    } else {
      await forward.freezeSource(input);
      at('drain');
      compensations.unshift(undoDrain);
      drainFrom = Date.now();
      if (patched(DRAIN_LOCALLY_FIRST)) {
        const local = await forward.drainSource({
          ...input,
          timeoutMs: Math.min(LOCAL_DRAIN_MS, budget()),
          handOver: false,
        });
        // Files still in flight: the rest of the budget as a normal activity, which hands over what is left.
        if (local.pending > 0) await drain.drainSource({ ...input, timeoutMs: budget() });
      } else {
        await drain.drainSource({ ...input, timeoutMs: budget() });
      }
    }
    if (Date.now() - frozenAt > opts.freezeWindowMaxMs) {
      throw ApplicationFailure.nonRetryable(
        `freeze window would exceed ${opts.freezeWindowMaxMs} ms`,
        'FreezeWindowExceeded',
      );
    }
    at('enable');
    compensations.unshift(undoEnable);
    let done: { freezeWindowMs: number | null };
    if (patched(ONE_STEP_FROM_ENABLE)) {
      // Enable, verify, disable the source and record: one local activity (its progress reads "enable" throughout).
      done = await waited.completeMove(input);
    } else {
      await forward.enableTarget(input);
      at('verify');
      await forward.verifyMove(input);
      at('disable_source');
      await forward.disableSource(input);
      at('finish');
      done = await forward.finishMove({ ref: run, outcome: 'succeeded', reason: null });
    }
    return end('succeeded', null, done.freezeWindowMs);
  } catch (err) {
    const failure = isCancellation(err) ? 'cancelled by an operator' : reasonOf(err);
    log.warn('move failed, compensating', { folder: ref.folderCode, failure });
    // A cancelled workflow must still put everything back. (Not at the start: never null.)
    return (await settle(failure, compensations, {
      ask: patched(RECORDED_OUTCOME_BEFORE_COMPENSATING),
      atStart: false,
    }))!;
  }

  /**
   * Ends a move that failed or was cancelled, whatever the cancellation: done if the record says it succeeded
   * (its final write committed, the acknowledgement lost), else put back by `undos` and recorded as compensated.
   * `ask` false (histories from before the question): put back at once. `atStart` (cancelled before its first
   * step here): null if no run is recorded, and a run already put back by an earlier attempt ends as recorded.
   */
  function settle(
    failure: string,
    undos: (() => Promise<void>)[],
    { ask, atStart }: { ask: boolean; atStart: boolean },
  ): Promise<MoveResult | null> {
    progress.step = 'compensating';
    progress.failure = failure;
    return CancellationScope.nonCancellable(async () => {
      if (ask) {
        const recorded = await undo.recordedOutcome({ ref: run, failure });
        if (recorded.status === 'succeeded') return end('succeeded', null, recorded.freezeWindowMs);
        if (atStart && recorded.status === 'none') return null;
        if (atStart && recorded.status === 'compensated')
          return end('compensated', recorded.failure ?? failure, recorded.freezeWindowMs);
      }
      for (const compensate of undos) await compensate();
      const done = await undo.finishMove({ ref: run, outcome: 'compensated', reason: failure });
      return end('compensated', failure, done.freezeWindowMs);
    });
  }

  /** The move's result, also shown by its progress query. */
  function end(
    outcome: MoveResult['outcome'],
    failure: string | null,
    freezeWindowMs: number | null,
  ): MoveResult {
    Object.assign(progress, { step: 'done', outcome, failure, freezeWindowMs });
    return { folderCode: ref.folderCode, outcome, failure, freezeWindowMs };
  }
}
