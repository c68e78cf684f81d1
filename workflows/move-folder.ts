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
  MOVE_AT_ONCE,
  ONE_STEP_FROM_ENABLE,
  RECORDED_OUTCOME_BEFORE_COMPENSATING,
} from './patches';
import type { createMoveActivities, StepInput, StoppedAt } from '../activities/move';
import type { PlatformName } from '../domain/intake-rules';
import { pastTheFreeze, puttingBack, type RunKind, type RunRef } from '../domain/folder-runs';

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
 * normal activity that heartbeats. Since MOVE_AT_ONCE, a move that meets no trouble is one local activity.
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
    // The whole move in one local activity (moveAtOnce), one attempt: a failure that a retry could help goes on
    // step by step, from where it stopped, with the proxies below and their retries. Waited for when cancelled.
    // Its timeout is well above the sum of its calls' own (seven platform calls of 10 s at most, and the writes):
    // a timeout, which is not waited for, is not how it ends unless something hangs.
    once: named(
      proxyLocalActivities<MoveActivities>({
        startToCloseTimeout: '150s',
        retry: { maximumAttempts: 1 },
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      }),
      prefix,
    ),
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

/** Where a whole move at once stopped (activities/move.ts, moveAtOnce), or null when its failure does not say. */
function stoppedAt(err: unknown): StoppedAt | null {
  const failure = applicationFailure(err);
  const where = failure?.details?.[0] as StoppedAt | undefined;
  return where?.stage ? where : null;
}

/** A failure that no retry will help (a refusal, a failed verification, the freeze window). */
function isPermanent(err: unknown): boolean {
  const failure = applicationFailure(err);
  return !!failure && (failure.nonRetryable || PERMANENT_TYPES.includes(failure.type ?? ''));
}

/** The activity's own failure (a local activity's comes as is, a normal activity's inside an ActivityFailure). */
function applicationFailure(err: unknown): ApplicationFailure | null {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure ? failure : null;
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
  const { forward, once, waited, drain, undo } = activities(opts, activityPrefix);
  const compensations: (() => Promise<void>)[] = [];
  const undoFreeze = () => undo.undoFreezeSource(input);
  const undoDrain = () => undo.undoDrain(input);
  const undoEnable = () => undo.undoEnableTarget(input);
  /**
   * Adds a step's compensation, once, in the order they run: ECP 2.0's side closed first, then files handed back,
   * then the source reopened, so that the two are never open together (the order the steps push them in).
   */
  const compensate = (undoStep: () => Promise<void>) => {
    const order = [undoEnable, undoDrain, undoFreeze];
    const pushed = new Set([...compensations, undoStep]);
    compensations.splice(0, compensations.length, ...order.filter((u) => pushed.has(u)));
  };
  const at = (step: MoveStep) => (progress.step = step);
  // The parent (set by the server, not by whoever starts the workflow) lets the activity check that a cutover
  // was started by its batch.
  const parentRun = () => {
    const parent = workflowInfo().parent;
    return parent ? { workflowId: parent.workflowId, runId: parent.runId } : null;
  };
  // The drain's wait in all: at most the drain timeout, and never so long that the freeze window's bound is near.
  let frozenAt = 0;
  let drainFrom = 0;
  const budget = () =>
    Math.max(
      0,
      Math.min(
        opts.drainTimeoutMs - (Date.now() - drainFrom),
        opts.freezeWindowMaxMs - (Date.now() - frozenAt) - 5_000,
      ),
    );

  at('begin');
  // Where the step-by-step move starts: at the beginning, or where the whole move at once stopped.
  let from: StoppedAt['stage'] = 'begin';
  const atOnce = patched(MOVE_AT_ONCE);
  if (atOnce) {
    frozenAt = drainFrom = Date.now();
    try {
      const moved = await once.moveAtOnce({
        ...input,
        reason,
        parent: parentRun(),
        timeoutMs: LOCAL_DRAIN_MS,
        budgetMs: budget(),
        freezeWindowMaxMs: opts.freezeWindowMaxMs,
      });
      if (!('freezeWindowMs' in moved)) {
        // Frozen, files still in flight: the drain activity goes on from the freeze's instant.
        compensate(undoFreeze);
        frozenAt = drainFrom = moved.frozenAt;
        from = 'drain';
      } else return end('succeeded', null, moved.freezeWindowMs);
    } catch (err) {
      const where = stoppedAt(err);
      if (isCancellation(err) || where === null) {
        // Where it stopped is not known (cancelled, or timed out): the record says whether it was begun or done, and
        // every step's compensation, harmless on a step not taken, puts back what might have been. (It hands
        // nothing over: the drain's compensation is not needed.)
        const failure = isCancellation(err) ? 'cancelled by an operator' : reasonOf(err);
        return (
          (await settle(failure, [undoEnable, undoFreeze], { ask: true, atStart: true })) ??
          end('refused', reasonOf(err), null)
        );
      }
      // The compensations of the steps tried; all of them when an earlier attempt had begun (it may have gone further).
      if (where.stage !== 'begin' || where.resumed) compensate(undoFreeze);
      if (where.stage === 'enable' || where.resumed) compensate(undoEnable);
      if (isPermanent(err)) {
        if (compensations.length === 0) return end('refused', reasonOf(err), null);
        // A run an earlier attempt had begun ends as its record says if that attempt put it back already.
        return (await settle(reasonOf(err), compensations, { ask: true, atStart: where.resumed }))!;
      }
      // A retry could help: on step by step from that stage, each step with its retries (each idempotent), the
      // freeze window from the freeze's own instant.
      log.warn('move at once stopped, going on step by step', {
        folder: ref.folderCode,
        stage: where.stage,
        failure: reasonOf(err),
      });
      from = where.stage;
      if (where.frozenAt !== undefined) frozenAt = drainFrom = where.frozenAt;
    }
  }
  if (from === 'begin') {
    try {
      const earlier = await forward.beginMove({ ref: run, reason, parent: parentRun() });
      if (atOnce && earlier != null) {
        // Begun by an earlier attempt, which may have gone further: everything it may have done is put back on a
        // failure, and a move it took as far as the enable goes on from there (its source may be disabled already).
        compensate(undoFreeze);
        compensate(undoEnable);
        if (puttingBack(earlier))
          return (await settle('put back by an earlier attempt', compensations, {
            ask: true,
            atStart: true,
          }))!;
        if (pastTheFreeze(earlier)) from = 'enable';
      }
    } catch (err) {
      if (isCancellation(err) && (atOnce || patched(CANCELLED_START_ASKS_THE_RECORD))) {
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
  }
  try {
    if (from === 'begin' || from === 'freeze') {
      at('freeze');
      frozenAt = drainFrom = Date.now();
      compensate(undoFreeze);
      if (atOnce || patched(FREEZE_AND_DRAIN_AS_ONE)) {
        // The freeze and the drain's local attempt: one local activity. That attempt hands nothing over, so there is
        // nothing to hand back unless the drain activity runs.
        const local = await waited.freezeAndDrain({
          ...input,
          timeoutMs: LOCAL_DRAIN_MS,
          budgetMs: budget(),
        });
        at('drain');
        if (local.pending > 0) {
          compensate(undoDrain);
          await drain.drainSource({ ...input, timeoutMs: budget() });
        }
      } else {
        await forward.freezeSource(input);
        at('drain');
        compensate(undoDrain);
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
    } else if (from === 'drain') {
      at('drain');
      compensate(undoDrain);
      await drain.drainSource({ ...input, timeoutMs: budget() });
    }
    if (from !== 'enable' && Date.now() - frozenAt > opts.freezeWindowMaxMs) {
      throw ApplicationFailure.nonRetryable(
        `freeze window would exceed ${opts.freezeWindowMaxMs} ms`,
        'FreezeWindowExceeded',
      );
    }
    at('enable');
    compensate(undoEnable);
    let done: { freezeWindowMs: number | null };
    if (atOnce || patched(ONE_STEP_FROM_ENABLE)) {
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
      ask: atOnce || patched(RECORDED_OUTCOME_BEFORE_COMPENSATING),
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
