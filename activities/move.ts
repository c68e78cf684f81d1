import {
  activityInfo,
  ApplicationFailure,
  CancelledFailure,
  cancellationSignal,
  heartbeat,
  sleep,
} from '@temporalio/activity';
import { isDomainError, NotAllowedError } from '../domain/errors';
import { pastTheFreeze, puttingBack, type RunProgress, type RunRef } from '../domain/folder-runs';
import type { PlatformName } from '../domain/intake-rules';
import { PlatformRefusal, type PlatformGateway } from '../platform/gateway';
import type { EventStore } from '../stores/event-store';
import { runKey } from '../stores/events';
import { UnverifiedCutover, type RunStore } from '../stores/run-store';
import { asDataError } from '../worker/data-errors';

export interface MoveDeps {
  runs: RunStore;
  events: EventStore;
  gateway: PlatformGateway;
}

/** Domain refusals and platform 4xx answers will not get better by retrying. */
async function permanent<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isDomainError(err))
      throw ApplicationFailure.create({
        message: err.message,
        type: 'FolderNotMovable',
        nonRetryable: true,
        cause: err,
      });
    if (err instanceof PlatformRefusal)
      throw ApplicationFailure.create({
        message: err.message,
        type: 'PlatformRefusal',
        nonRetryable: true,
        cause: err,
      });
    throw err;
  }
}

export interface StepInput {
  ref: RunRef;
  source: PlatformName;
  target: PlatformName;
}

/**
 * The side effects of moving one folder from `source` to `target` (a cutover: legacy → ECP 2.0; a
 * switch-back: ECP 2.0 → legacy), and of undoing each. Every one is idempotent: the platform calls are, and
 * each status write is keyed by (workflow, run, step).
 */
export function createMoveActivities({ runs, events, gateway }: MoveDeps) {
  const steps = {
    /** Refused (permanently, recorded as an event) unless the move is allowed: see cutoverRefusal in stores/run-store.ts. */
    async beginMove(input: {
      ref: RunRef;
      reason: string | null;
      parent?: { workflowId: string; runId: string } | null;
    }): Promise<RunProgress | null> {
      try {
        return await runs.begin(input.ref, input.reason, input.parent ?? null);
      } catch (err) {
        // A refusal of a cutover its batch started is recorded; a start by hand writes nothing (the worker's log says it).
        if (err instanceof NotAllowedError && !(err instanceof UnverifiedCutover)) {
          const { ref } = input;
          await events.append({
            key: runKey(ref.workflowId, ref.runId, 'refused'),
            actor: ref.actor,
            entityType: 'folder',
            entityId: ref.folderCode,
            to: 'cutover_refused',
            reason: err.message,
            workflowId: ref.workflowId,
            runId: ref.runId,
          });
        }
        return permanent(() => Promise.reject(err));
      }
    },

    async freezeSource({ ref, source }: StepInput): Promise<void> {
      const startedAt = new Date(); // upper bound of the window: taken before the platform stops accepting
      try {
        await permanent(() => gateway.freeze(source, ref.folderCode));
      } catch (err) {
        // A retried workflow task repeating the freeze of a move that its lost attempt took past the enable: the
        // source may be disabled (the platform refuses to freeze a closed folder). Done already; the steps after
        // it, each idempotent, finish the move.
        if (
          err instanceof ApplicationFailure &&
          err.type === 'PlatformRefusal' &&
          pastTheFreeze(await runs.progress(ref))
        )
          return;
        throw err;
      }
      await runs.step(ref, 'frozen', { freezeStartedAt: startedAt });
    },

    /**
     * Waits for the source's in-flight submissions to be processed; past the timeout, hands them over. With
     * `handOver: false` (the saga's first, local, attempt: bounded and short) it only waits: files still in
     * flight at the timeout are left for the normal activity, which goes on waiting and hands them over, and
     * `pending` says how many.
     */
    async drainSource({
      ref,
      source,
      timeoutMs,
      handOver = true,
    }: StepInput & { timeoutMs: number; handOver?: boolean }): Promise<{
      drained: number;
      handedOver: number;
      pending: number;
    }> {
      const first = await permanent(() => gateway.folderState(source, ref.folderCode));
      await runs.step(ref, 'draining', { drained: first.pending });
      const deadline = Date.now() + timeoutMs;
      let pending = first.pending;
      // A local activity has no heartbeat: its bound is the workflow task's.
      const heartbeats = !activityInfo().isLocal;
      while (pending > 0 && Date.now() < deadline) {
        if (heartbeats) heartbeat({ pending });
        await sleep(100); // rejects when the attempt is cancelled
        pending = (await permanent(() => gateway.folderState(source, ref.folderCode))).pending;
      }
      if (pending > 0 && !handOver) return { drained: first.pending, handedOver: 0, pending };
      const handedOver =
        pending > 0 ? (await permanent(() => gateway.handOver(source, ref.folderCode))).handedOver : 0;
      const result = { drained: first.pending, handedOver };
      await runs.step(ref, 'drained', result);
      return { ...result, pending: 0 };
    },

    async enableTarget({ ref, target }: StepInput): Promise<void> {
      await permanent(() => gateway.enable(target, ref.folderCode));
      await runs.step(ref, 'target_enabled', { freezeEndedAt: new Date() });
    },

    /** The target accepts and the source refuses (I1); anything else fails the move. */
    async verifyMove({ ref, source, target }: StepInput): Promise<void> {
      const [t, s] = await Promise.all([
        permanent(() => gateway.probe(target, ref.folderCode)),
        permanent(() => gateway.probe(source, ref.folderCode)),
      ]);
      if (!t.accepts || s.accepts) {
        throw ApplicationFailure.create({
          message: `verification failed for ${ref.folderCode}: ${target} ${t.accepts ? 'accepts' : 'refuses'}, ${source} ${s.accepts ? 'accepts' : 'refuses'}`,
          type: 'VerificationFailed',
          nonRetryable: true,
        });
      }
      await runs.step(ref, 'verified');
    },

    async disableSource({ ref, source }: StepInput): Promise<void> {
      await permanent(() => gateway.disable(source, ref.folderCode));
      await runs.step(ref, 'source_disabled');
    },

    async finishMove(input: { ref: RunRef; outcome: 'succeeded' | 'compensated'; reason: string | null }) {
      return runs.finish(input.ref, input.outcome, input.reason);
    },

    /** Asked before compensating (see RunStore.recorded). */
    async recordedOutcome(input: { ref: RunRef; failure: string }) {
      return runs.recorded(input.ref, input.failure);
    },

    // Compensations, run in reverse order of the steps they undo.
    async undoEnableTarget({ ref, target }: StepInput): Promise<void> {
      await permanent(() => gateway.disable(target, ref.folderCode));
      await runs.step(ref, 'undo:target_enabled');
    },
    async undoDrain({ ref, source }: StepInput): Promise<void> {
      await permanent(() => gateway.handBack(source, ref.folderCode));
      await runs.step(ref, 'undo:drained');
    },
    async undoFreezeSource({ ref, source }: StepInput): Promise<void> {
      await permanent(() => gateway.enable(source, ref.folderCode));
      await runs.step(ref, 'undo:frozen');
    },
  };
  /** Throws when this attempt is cancelled (the workflow, or a timeout): called between steps. */
  const stopIfCancelled = (what: string) => {
    const signal = cancellationSignal();
    if (signal.aborted) throw new CancelledFailure(`${what} cancelled: ${String(signal.reason)}`);
  };
  /** Enable the target, verify, disable the source, record the outcome; stops between steps when cancelled. */
  async function enableToFinish(input: StepInput, what: string) {
    const then = <T>(step: () => Promise<T>) => {
      stopIfCancelled(what);
      return step();
    };
    await steps.enableTarget(input);
    await then(() => steps.verifyMove(input));
    await then(() => steps.disableSource(input));
    return then(() => steps.finishMove({ ref: input.ref, outcome: 'succeeded', reason: null }));
  }
  return {
    ...steps,
    /**
     * The freeze and the drain's first, local, attempt (bounded by `timeoutMs` and what the freeze left of
     * `budgetMs`, the drain's whole budget; no hand-over) as one local
     * activity (workflows/move-folder.ts, FREEZE_AND_DRAIN_AS_ONE): the same calls and writes, without a hand-off
     * to the workflow between them. A retry repeats the freeze (idempotent; the window keeps its first instant).
     * Cancelled, it stops before the drain or at its next poll (the activity's sleep is cancelled).
     */
    async freezeAndDrain(input: StepInput & { timeoutMs: number; budgetMs: number }) {
      const started = Date.now();
      await steps.freezeSource(input);
      stopIfCancelled('freezeAndDrain');
      // A slow (or retried) freeze leaves less of the drain's budget: the wait is cut as the workflow would.
      const timeoutMs = Math.max(0, Math.min(input.timeoutMs, input.budgetMs - (Date.now() - started)));
      return steps.drainSource({ ...input, timeoutMs, handOver: false });
    },
    /**
     * The move's last four steps as one local activity (workflows/move-folder.ts, ONE_STEP_FROM_ENABLE): enable
     * the target, verify, disable the source, record the outcome — the same calls and writes, in the same order,
     * without a hand-off to the workflow between them. A failure compensates as before (the target's
     * compensation is pushed before this starts). A retry repeats the steps, each idempotent; once the final
     * write has committed, the repeated steps write nothing (RunStore.step) and the outcome is the recorded one.
     * Cancelled (the workflow, or this attempt timed out), it stops before its next step, so that no more than
     * one call is ever in flight beside a compensation or a retry, as when each step was its own activity.
     */
    async completeMove(input: StepInput) {
      return enableToFinish(input, 'completeMove');
    },
    /**
     * A whole move as one local activity, one attempt (workflows/move-folder.ts, MOVE_AT_ONCE): begin, freeze,
     * the drain's local attempt and, when nothing is left in flight and the freeze window allows, enable, verify,
     * disable the source and record: the same calls and writes in the same order as the step-by-step move,
     * with one hand-off to the workflow instead of three. Files still in flight: it stops after the local drain
     * (`pending` > 0, `frozenAt` for the freeze window) and the workflow goes on with the drain activity. A
     * failure says where it stopped (`details[0]`, StoppedAt), so that the workflow puts back exactly what was
     * tried, or goes on step by step from there with retries. A run begun by an earlier attempt (the workflow
     * task retried after a worker was lost) is taken up where its record says. Cancelled, it stops before its
     * next step.
     */
    async moveAtOnce(
      input: StepInput & {
        reason: string | null;
        parent: { workflowId: string; runId: string } | null;
        /** The drain's local attempt, and the drain's whole budget (as freezeAndDrain). */
        timeoutMs: number;
        budgetMs: number;
        freezeWindowMaxMs: number;
      },
    ): Promise<
      { pending: 0; frozenAt: number; freezeWindowMs: number | null } | { pending: number; frozenAt: number }
    > {
      const where: StoppedAt = { stage: 'begin', resumed: false };
      try {
        const earlier = await steps.beginMove(input);
        where.resumed = earlier !== null;
        // A retried workflow task whose lost attempt had begun putting the move back: nothing forward any more.
        if (puttingBack(earlier))
          throw ApplicationFailure.nonRetryable(
            `the move of ${input.ref.folderCode} is being put back by an earlier attempt`,
            'MoveBeingPutBack',
          );
        stopIfCancelled('moveAtOnce');
        const frozenAt = Date.now();
        // A retry of a move that an earlier attempt took as far as the enable goes on from there (pastTheFreeze).
        if (!pastTheFreeze(earlier)) {
          where.stage = 'freeze';
          await steps.freezeSource(input);
          stopIfCancelled('moveAtOnce');
          Object.assign(where, { stage: 'drain', frozenAt });
          // A slow freeze leaves less of the drain's budget, as in freezeAndDrain.
          const timeoutMs = Math.max(0, Math.min(input.timeoutMs, input.budgetMs - (Date.now() - frozenAt)));
          const drained = await steps.drainSource({ ...input, timeoutMs, handOver: false });
          if (drained.pending > 0) return { pending: drained.pending, frozenAt };
          if (Date.now() - frozenAt > input.freezeWindowMaxMs) {
            throw ApplicationFailure.nonRetryable(
              `freeze window would exceed ${input.freezeWindowMaxMs} ms`,
              'FreezeWindowExceeded',
            );
          }
          stopIfCancelled('moveAtOnce');
        }
        where.stage = 'enable';
        const done = await enableToFinish(input, 'moveAtOnce');
        return { pending: 0, frozenAt, freezeWindowMs: done.freezeWindowMs };
      } catch (err) {
        if (err instanceof CancelledFailure) throw err;
        throw stoppedAt(where, err);
      }
    },
  };
}

/**
 * Where a whole move (moveAtOnce) stopped: the stage it was in when it failed (the steps of the stages before it
 * are done); `resumed` when an earlier attempt had begun the run (a retried workflow task), which may have gone
 * further; `frozenAt` once the source is frozen.
 */
export type MoveStage = 'begin' | 'freeze' | 'drain' | 'enable';
export interface StoppedAt {
  stage: MoveStage;
  resumed: boolean;
  frozenAt?: number;
}

/**
 * The same failure (message, type, whether a retry can help; data the database refuses as a DataError, as the
 * worker's interceptor would), saying where the move stopped.
 */
function stoppedAt(where: StoppedAt, err: unknown): ApplicationFailure {
  const e = asDataError(err, activityInfo().attempt) ?? (err instanceof Error ? err : new Error(String(err)));
  return ApplicationFailure.create({
    message: e.message,
    type: e instanceof ApplicationFailure ? (e.type ?? undefined) : e.name,
    nonRetryable: e instanceof ApplicationFailure && e.nonRetryable === true,
    details: [where],
    cause: e,
  });
}
