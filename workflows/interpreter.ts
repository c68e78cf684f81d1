import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
} from '@temporalio/workflow';
import type { Decision, Machine } from '../domain/lifecycle';
import { DATA_ERRORS_DECIDED } from './patches';

/**
 * Runs a pure lifecycle machine (domain/lifecycle.ts) inside a workflow: it holds the state, queues the
 * effects each decision returns and performs them one after the other, fires the machine's timers, and
 * feeds results back as commands. Every wait wakes on any command that changes the state.
 *
 * An effect the machine no longer wants (an announcement of a stopped batch) is skipped, or cancelled if it
 * is running. A cancellation of the workflow through Temporal becomes the machine's `cancelCommand`; the
 * loop itself runs non-cancellable, so the machine decides what a cancellation means.
 */
export interface Interpreter<S, C, E> {
  readonly state: S;
  /** Effects are queued or running (what a query shows as "busy"). */
  readonly busy: boolean;
  /** Applies a command now; effects are queued. Refusals change nothing. */
  dispatch(command: C): Decision<S, E>;
  /** For an Update validator: throws the refusal, changes nothing. */
  check(command: C): void;
  /** For an Update handler: applies the command (or throws its refusal) and waits until its writes are done. */
  command(command: C): Promise<S>;
  run(): Promise<S>;
}

export interface InterpreterOptions<S, C, E> {
  machine: Machine<S, C, E>;
  initial: S;
  /** What the workflow does first (record its request). */
  initialEffects?: E[];
  /** Performs one effect; a command it returns is dispatched (the effect's result). */
  perform(effect: E): Promise<C | void>;
  /** Effects an Update waits for before it answers (status writes), so that a "yes" has taken effect. */
  isWrite(effect: E): boolean;
  cancelCommand?: C;
}

/**
 * A refusal to send back from an Update: `Forbidden` (this operator may not) or `Conflict` (not in this state).
 * An ApplicationFailure, not an Error: thrown from an Update handler or validator it fails the Update, not the task.
 */
export function refused(message: string, kind: 'forbidden' | 'conflict' = 'conflict'): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: kind === 'forbidden' ? 'Forbidden' : 'Conflict',
    nonRetryable: true,
  });
}

/** The message of an activity's failure for good on its data (worker/data-errors.ts), or null for any other failure. */
function dataFailure(err: unknown): string | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === 'DataError' ? cause.message : null;
}

export function interpret<S, C, E>(opts: InterpreterOptions<S, C, E>): Interpreter<S, C, E> {
  const { machine } = opts;
  let state = opts.initial;
  const queue: E[] = [...(opts.initialEffects ?? [])];
  let queued = queue.length; // effects ever queued
  let done = 0; // effects performed or skipped, in order
  let version = 0; // bumped by every change of state
  let running: { effect: E; scope: CancellationScope } | null = null;
  /** An effect failed for good (the workflow is failing): no Update may answer "yes" any more. */
  let broken: unknown = null;

  const dispatch = (command: C): Decision<S, E> => {
    const d = machine.transition(state, command, Date.now());
    if (!d.ok) return d;
    if (d.state !== state || d.effects.length > 0) version++;
    state = d.state;
    queue.push(...d.effects);
    queued += d.effects.length;
    if (running && !machine.wants(state, running.effect)) running.scope.cancel();
    return d;
  };

  const performNext = async () => {
    const effect = queue.shift()!;
    try {
      if (!machine.wants(state, effect)) {
        const told = machine.skipped?.(state, effect);
        if (told) dispatch(told);
        return;
      }
      const scope = new CancellationScope({ cancellable: true });
      running = { effect, scope };
      const result = await scope.run(() => opts.perform(effect));
      if (result !== undefined) dispatch(result);
    } catch (err) {
      if (!isCancellation(err)) {
        // A poison pill (a value the database refuses) is the machine's to decide, never retried for ever.
        const failure = dataFailure(err);
        const recovery = failure !== null ? machine.recover?.(state, effect, failure) : null;
        if (recovery && patched(DATA_ERRORS_DECIDED)) {
          log.warn('an effect failed on its data: the machine decides', {
            effect: (effect as { type?: string }).type,
            failure,
          });
          running = null;
          try {
            if ('command' in recovery) dispatch(recovery.command);
            else {
              const result = await opts.perform(recovery.effect);
              if (result !== undefined) dispatch(result);
            }
          } catch (again) {
            broken = again;
            throw again;
          }
          done++;
          return;
        }
        broken = err;
        throw err;
      }
      log.info('effect cancelled: the state no longer wants it', {
        effect: (effect as { type?: string }).type,
      });
      const told = machine.skipped?.(state, effect);
      if (told) dispatch(told);
    } finally {
      running = null;
    }
    done++;
  };

  const loop = async (): Promise<S> => {
    for (;;) {
      if (queue.length > 0) {
        await performNext();
        continue;
      }
      if (machine.isFinal(state)) return state;
      const timer = machine.nextTimer(state);
      const v = version;
      const wait = timer ? Date.parse(timer.at) - Date.now() : undefined;
      if (wait !== undefined && wait <= 0) {
        const d = dispatch(timer!.command);
        // A timer the machine finds not yet due (clock rounding) must not spin the workflow task.
        if (d.ok && d.state === state && version === v)
          await condition(() => queue.length > 0 || version !== v, 1000);
        continue;
      }
      const changed = await condition(() => queue.length > 0 || version !== v, wait);
      if (!changed && timer) dispatch(timer.command);
    }
  };

  return {
    get state() {
      return state;
    },
    get busy() {
      return queue.length > 0 || running !== null;
    },
    dispatch,
    check(command) {
      const d = machine.transition(state, command, Date.now());
      if (!d.ok) throw refused(d.refused, d.kind);
    },
    async command(command) {
      const d = dispatch(command);
      if (!d.ok) throw refused(d.refused, d.kind);
      let last = 0;
      d.effects.forEach((e, i) => {
        if (opts.isWrite(e)) last = queued - d.effects.length + i + 1;
      });
      // Non-cancellable: the command was applied; a cancellation of the workflow must not cut its answer short.
      await CancellationScope.nonCancellable(() => condition(() => done >= last || broken !== null));
      if (done < last)
        throw refused(
          `the command could not be carried out: ${broken instanceof Error ? broken.message : String(broken)}`,
        );
      return state;
    },
    async run() {
      const cancel = opts.cancelCommand;
      if (cancel !== undefined) {
        CancellationScope.current().cancelRequested.catch(() => {
          dispatch(cancel);
        });
      }
      // Non-cancellable to the end, handlers included: the machine decides what a cancellation means.
      return CancellationScope.nonCancellable(async () => {
        const end = await loop();
        await condition(allHandlersFinished);
        return end;
      });
    },
  };
}
