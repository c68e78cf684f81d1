import {
  nextBatchTimer,
  transitionBatch,
  type BatchCommand,
  type BatchEffect,
  type BatchState,
} from '../../domain/batch-lifecycle';

export interface ModelStep {
  command: BatchCommand;
  /** Time that passes after the command (timers due in it fire, in order). */
  advanceMs: number;
}

export interface ModelRun {
  state: BatchState;
  now: number;
  /** Every accepted transition: the command, the state before and after, and the effects. */
  trace: {
    command: BatchCommand;
    at: number;
    before: BatchState;
    after: BatchState;
    effects: BatchEffect[];
  }[];
  /** For each operator command given, whether the machine accepted it. */
  answers: boolean[];
}

/**
 * The pure batch machine in an environment that answers every effect at once: an announcement is sent, a
 * readiness check finds the firms `ready` or not, each folder finishes as `folderOk` says. Timers fire as
 * time passes. The model the real workflow is held against (unit and integration property tests).
 */
export function createModel(initial: BatchState, t0: number, env: { ready: boolean; folderOk: boolean }) {
  const run: ModelRun = { state: initial, now: t0, trace: [], answers: [] };
  const apply = (c: BatchCommand): boolean => {
    const queue: BatchCommand[] = [c];
    let first: boolean | null = null;
    while (queue.length) {
      const command = queue.shift()!;
      const d = transitionBatch(run.state, command, run.now);
      first ??= d.ok;
      if (!d.ok) continue;
      run.trace.push({ command, at: run.now, before: run.state, after: d.state, effects: d.effects });
      run.state = d.state;
      for (const e of d.effects) {
        if (e.type === 'notify' && e.kind === 'batch_announced')
          queue.push({ type: 'announced', plan: e.plan });
        if (e.type === 'checkReadiness')
          queue.push({ type: 'readinessChecked', plan: e.plan, ok: env.ready, summary: '' });
        if (e.type === 'startFolder')
          queue.push({
            type: 'folderFinished',
            code: e.code,
            outcome: env.folderOk ? 'live' : 'failed',
            failure: env.folderOk ? null : 'x',
            freezeWindowMs: null,
          });
      }
    }
    return first!;
  };
  const advance = (ms: number) => {
    const until = run.now + ms;
    for (let t = nextBatchTimer(run.state); t && Date.parse(t.at) <= until; t = nextBatchTimer(run.state)) {
      run.now = Math.max(run.now, Date.parse(t.at));
      const before = run.state;
      apply(t.command);
      if (run.state === before) break;
    }
    run.now = until;
  };
  return {
    run,
    step(s: ModelStep): boolean {
      const ok = apply(s.command);
      run.answers.push(ok);
      advance(s.advanceMs);
      return ok;
    },
    apply,
    advance,
  };
}
