import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BATCH_COMMAND_TYPES,
  BATCH_STATUSES,
  batchSkipped,
  batchWants,
  initialBatchState,
  isFinalBatch,
  nextBatchTimer,
  transitionBatch,
  type BatchCommand,
  type BatchCommandType,
  type BatchEffect,
  type BatchState,
  type BatchStatus,
} from '../../domain/batch-lifecycle';
import type { Actor } from '../../domain/operators';
import { createModel } from '../support/batch-model';

const T0 = Date.parse('2031-03-03T01:00:00Z'); // a Monday, 09:00 HKT
const PLANNED = '2031-03-10T00:00:00.000Z'; // the next Monday, 08:00 HKT
const REMINDER = '2031-03-07T01:00:00.000Z'; // Friday 09:00 HKT
const alice: Actor = { operator: 'alice', roles: ['planner'] };
const bob: Actor = { operator: 'bob', roles: ['approver'] };
/** Holds every role and shaped no plan: every refusal below is for the state, not for the actor. */
const dana: Actor = { operator: 'dana', roles: ['planner', 'approver', 'support'] };

const plan = (o: Partial<Parameters<typeof initialBatchState>[0]> = {}) =>
  initialBatchState({
    batchId: 'B9',
    name: 'n',
    requestedBy: 'alice',
    folders: ['SD1', 'SD2'],
    failurePolicy: 'continue',
    concurrency: 1,
    maxNotReady: null,
    readinessRecheckMs: 600_000,
    minNoticeMs: 3 * 86_400_000,
    plannedAt: PLANNED,
    reminderAt: REMINDER,
    ...o,
  });

/** Applies commands in order; each must be accepted. */
function drive(s: BatchState, ...steps: [BatchCommand, number][]): BatchState {
  for (const [c, now] of steps) {
    const d = transitionBatch(s, c, now);
    if (!d.ok) throw new Error(`${c.type} refused in ${s.status}: ${d.refused}`);
    s = d.state;
  }
  return s;
}
const at = (iso: string) => Date.parse(iso);
const fire = (s: BatchState): [BatchCommand, number] => {
  const t = nextBatchTimer(s)!;
  return [t.command, at(t.at)];
};

/** A reachable state in each status, built through the machine itself. */
function stateIn(status: BatchStatus): BatchState {
  const recorded = drive(plan(), [{ type: 'planRecorded' }, T0]);
  const approved = drive(recorded, [{ type: 'approve', by: bob }, T0]);
  const announced = drive(approved, [{ type: 'announced', plan: 0 }, T0]);
  const reminded = drive(announced, fire(announced));
  const running = drive(reminded, fire(reminded)); // SD1 running, SD2 pending (concurrency 1)
  switch (status) {
    case 'requested':
      return plan();
    case 'awaiting_approval':
      return recorded;
    case 'approved':
      return approved;
    case 'announced':
      return announced;
    case 'blocked_on_readiness': {
      const s = drive(
        plan({ maxNotReady: { count: 0 } }),
        [{ type: 'planRecorded' }, T0],
        [{ type: 'approve', by: bob }, T0],
        [{ type: 'announced', plan: 0 }, T0],
      );
      const r = drive(s, fire(s));
      const checking = drive(r, fire(r));
      return drive(checking, [
        { type: 'readinessChecked', plan: 0, ok: false, summary: '3 of 9 not ready' },
        at(PLANNED),
      ]);
    }
    case 'running':
      return running;
    case 'paused':
      return drive(running, [{ type: 'pause', by: alice }, at(PLANNED)]);
    case 'aborting':
      return drive(running, [{ type: 'abort', by: alice, reason: 'stop' }, at(PLANNED)]);
    case 'completed':
      return drive(
        running,
        [
          { type: 'folderFinished', code: 'SD1', outcome: 'live', failure: null, freezeWindowMs: 1 },
          at(PLANNED),
        ],
        [
          { type: 'folderFinished', code: 'SD2', outcome: 'live', failure: null, freezeWindowMs: 1 },
          at(PLANNED),
        ],
      );
    case 'completed_with_failures':
      return drive(
        running,
        [
          { type: 'folderFinished', code: 'SD1', outcome: 'failed', failure: 'x', freezeWindowMs: null },
          at(PLANNED),
        ],
        [
          { type: 'folderFinished', code: 'SD2', outcome: 'live', failure: null, freezeWindowMs: 1 },
          at(PLANNED),
        ],
      );
    case 'aborted':
      return drive(announced, [{ type: 'abort', by: alice, reason: 'stop' }, T0]);
    case 'rejected':
      return drive(recorded, [{ type: 'reject', by: bob, reason: 'no' }, T0]);
    case 'expired':
      return drive(recorded, fire(recorded));
    case 'refused':
      return drive(plan(), [{ type: 'planRefused', reason: 'SD1 is live' }, T0]);
  }
}

/** The representative command of each type for a state, and the instant it is given at. */
function commandFor(type: BatchCommandType, s: BatchState): [BatchCommand, number] {
  const now =
    isFinalBatch(s.status) || ['running', 'paused', 'aborting', 'blocked_on_readiness'].includes(s.status)
      ? at(PLANNED) + 60_000
      : T0;
  const inFlight = Object.entries(s.folders).find(([, f]) => f.status === 'running')?.[0] ?? 'SD1';
  switch (type) {
    case 'approve':
      return [{ type, by: dana }, now];
    case 'reject':
      return [{ type, by: dana, reason: 'no' }, now];
    case 'reschedule':
      return [
        { type, by: dana, plannedAt: '2031-03-17T00:00:00.000Z', reminderAt: '2031-03-14T01:00:00.000Z' },
        now,
      ];
    case 'pause':
      return [{ type, by: dana }, now];
    case 'resume':
      return [{ type, by: dana }, now];
    case 'abort':
      return [{ type, by: dana, reason: 'stop' }, now];
    case 'overrideReadiness':
      return [{ type, by: dana, reason: 'accepted risk' }, now];
    case 'cancelRequested':
      return [{ type }, now];
    case 'planRecorded':
      return [{ type }, now];
    case 'planRefused':
      return [{ type, reason: 'conflict' }, now];
    case 'announced':
      return [{ type, plan: s.plan }, now];
    case 'timer':
      return nextBatchTimer(s)
        ? fire(s)
        : [{ type: 'timer', timer: 'start', plan: s.plan }, at(PLANNED) + 60_000];
    case 'readinessChecked':
      return [{ type, plan: s.plan, ok: true, summary: '0 of 9 not ready' }, now];
    case 'folderFinished':
      return [{ type, code: inFlight, outcome: 'live', failure: null, freezeWindowMs: 5 }, now];
    case 'folderNotStarted':
      return [{ type, code: inFlight }, now];
    case 'retirementDone':
      return [{ type }, now];
  }
}

// Every (status, command) pair, decided: ✗ refused (nothing changes), · ignored (a stale timer or feedback:
// nothing changes), or the status the batch is in afterwards. A new status or command fails the first test
// below until each of its pairs is decided here.
const X = '✗',
  I = '·';
const TABLE: Record<BatchStatus, Record<BatchCommandType, string>> = {
  //                      approve             reject       reschedule           pause     resume     abort        override   cancel        recorded             refused    announced     timer                   readiness  folderFinished
  requested: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: X,
    abort: X,
    overrideReadiness: X,
    cancelRequested: 'requested',
    planRecorded: 'awaiting_approval',
    planRefused: 'refused',
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  awaiting_approval: {
    approve: 'approved',
    reject: 'rejected',
    reschedule: 'awaiting_approval',
    pause: X,
    resume: X,
    abort: 'aborted',
    overrideReadiness: X,
    cancelRequested: 'aborted',
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: 'expired',
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  approved: {
    approve: X,
    reject: X,
    reschedule: 'awaiting_approval',
    pause: X,
    resume: X,
    abort: 'aborted',
    overrideReadiness: X,
    cancelRequested: 'aborted',
    planRecorded: I,
    planRefused: I,
    announced: 'announced',
    timer: 'approved',
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  announced: {
    approve: X,
    reject: X,
    reschedule: 'awaiting_approval',
    pause: X,
    resume: X,
    abort: 'aborted',
    overrideReadiness: X,
    cancelRequested: 'aborted',
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: 'announced',
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  blocked_on_readiness: {
    approve: X,
    reject: X,
    reschedule: 'awaiting_approval',
    pause: X,
    resume: X,
    abort: 'aborted',
    overrideReadiness: 'running',
    cancelRequested: 'aborted',
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: 'blocked_on_readiness',
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  running: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: 'paused',
    resume: X,
    abort: 'aborting',
    overrideReadiness: X,
    cancelRequested: 'aborting',
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: 'running',
    folderNotStarted: 'running',
    retirementDone: I,
  },
  paused: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: 'running',
    abort: 'aborting',
    overrideReadiness: X,
    cancelRequested: 'aborting',
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: 'paused',
    folderNotStarted: 'paused',
    retirementDone: I,
  },
  aborting: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: X,
    abort: X,
    overrideReadiness: X,
    cancelRequested: I,
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: 'aborted',
    folderNotStarted: 'aborted',
    retirementDone: I,
  },
  completed: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: X,
    abort: X,
    overrideReadiness: X,
    cancelRequested: I,
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  completed_with_failures: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: X,
    abort: X,
    overrideReadiness: X,
    cancelRequested: I,
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  aborted: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: X,
    abort: X,
    overrideReadiness: X,
    cancelRequested: I,
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  rejected: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: X,
    abort: X,
    overrideReadiness: X,
    cancelRequested: I,
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  expired: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: X,
    abort: X,
    overrideReadiness: X,
    cancelRequested: I,
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
  refused: {
    approve: X,
    reject: X,
    reschedule: X,
    pause: X,
    resume: X,
    abort: X,
    overrideReadiness: X,
    cancelRequested: I,
    planRecorded: I,
    planRefused: I,
    announced: I,
    timer: I,
    readinessChecked: I,
    folderFinished: I,
    folderNotStarted: I,
    retirementDone: I,
  },
};

describe('batch lifecycle: every (status, command) pair has a decided outcome', () => {
  it('the table decides every pair of the machine, no more, no less', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...BATCH_STATUSES].sort());
    for (const status of BATCH_STATUSES)
      expect(Object.keys(TABLE[status]).sort(), status).toEqual([...BATCH_COMMAND_TYPES].sort());
  });

  for (const status of BATCH_STATUSES) {
    it(`in ${status}`, () => {
      const s = stateIn(status);
      expect(s.status).toBe(status);
      for (const type of BATCH_COMMAND_TYPES) {
        const [c, now] = commandFor(type, s);
        const d = transitionBatch(s, c, now);
        const got = !d.ok ? X : d.state === s && d.effects.length === 0 ? I : d.state.status;
        expect(got, `${status} + ${type}${d.ok ? '' : ` (${d.refused})`}`).toBe(TABLE[status][type]);
        if (!d.ok) expect(d.refused, `${status} + ${type}`).toMatch(/\w{3,}.*\w{3,}/);
      }
    });
  }
});

const effectsOf = (s: BatchState, c: BatchCommand, now: number): BatchEffect[] => {
  const d = transitionBatch(s, c, now);
  if (!d.ok) throw new Error(d.refused);
  return d.effects;
};

describe('batch lifecycle: decisions a person relies on', () => {
  it('an approved batch is not rejected: the refusal says to abort it; abort stops it, tells the firms it is off, and it never starts', () => {
    const announced = stateIn('announced');
    const r = transitionBatch(announced, { type: 'reject', by: bob, reason: 'changed our minds' }, T0);
    expect(r).toEqual({
      ok: false,
      refused: expect.stringMatching(
        /batch B9 is announced: it was approved already: an approved batch is stopped with 'ecp-cutover batch abort B9/,
      ),
      kind: 'conflict',
    });
    const d = transitionBatch(announced, { type: 'abort', by: bob, reason: 'changed our minds' }, T0);
    if (!d.ok) throw new Error(d.refused);
    expect(d.state).toMatchObject({ status: 'aborted', reason: 'aborted by bob: changed our minds' });
    expect(d.effects.map((e) => (e.type === 'notify' ? `notify:${e.kind}` : e.type))).toEqual([
      'withdrawNotices',
      'finish',
      'notify:batch_cancelled',
    ]);
    expect(nextBatchTimer(d.state)).toBeNull();
    expect(transitionBatch(d.state, { type: 'timer', timer: 'start', plan: 0 }, at(PLANNED))).toEqual({
      ok: true,
      state: d.state,
      effects: [],
    });
  });

  it('four eyes: the planner may not approve even holding the approver role, nor may anyone who rescheduled the plan', () => {
    const recorded = stateIn('awaiting_approval');
    const both: Actor = { operator: 'alice', roles: ['planner', 'approver'] };
    expect(transitionBatch(recorded, { type: 'approve', by: both }, T0)).toEqual({
      ok: false,
      refused: 'four eyes: alice planned batch B9 and cannot approve it; ask another approver',
      kind: 'forbidden',
    });
    const moved = drive(recorded, [
      {
        type: 'reschedule',
        by: dana,
        plannedAt: '2031-03-17T00:00:00.000Z',
        reminderAt: '2031-03-14T01:00:00.000Z',
      },
      T0,
    ]);
    expect(transitionBatch(moved, { type: 'approve', by: dana }, T0)).toEqual({
      ok: false,
      refused: 'four eyes: dana rescheduled batch B9 and cannot approve it; ask another approver',
      kind: 'forbidden',
    });
    expect(transitionBatch(moved, { type: 'approve', by: bob }, T0).ok).toBe(true);
    const blocked = stateIn('blocked_on_readiness');
    expect(
      transitionBatch(blocked, { type: 'overrideReadiness', by: both, reason: 'fine' }, at(PLANNED) + 1),
    ).toEqual({
      ok: false,
      refused: expect.stringMatching(/^four eyes: alice planned batch B9 and cannot override its readiness/),
      kind: 'forbidden',
    });
  });

  it('roles: a support operator cannot approve, pause or abort', () => {
    const carol: Actor = { operator: 'carol', roles: ['support'] };
    expect(transitionBatch(stateIn('awaiting_approval'), { type: 'approve', by: carol }, T0)).toEqual({
      ok: false,
      refused: "operator 'carol' does not hold the approver role (has: support)",
      kind: 'forbidden',
    });
    expect(transitionBatch(stateIn('running'), { type: 'pause', by: carol }, at(PLANNED))).toEqual({
      ok: false,
      refused: "operator 'carol' does not hold the planner role (has: support)",
      kind: 'forbidden',
    });
    expect(
      transitionBatch(stateIn('running'), { type: 'abort', by: carol, reason: 'x' }, at(PLANNED)).ok,
    ).toBe(false);
  });

  it('approval after the reminder time: announced once, no reminder the same day', () => {
    const recorded = drive(plan({ minNoticeMs: 86_400_000 }), [{ type: 'planRecorded' }, T0]);
    const late = drive(recorded, [{ type: 'approve', by: bob }, at(REMINDER) + 3_600_000]);
    expect(nextBatchTimer(late)).toEqual({
      at: PLANNED,
      command: { type: 'timer', timer: 'start', plan: 0 },
    });
  });

  it('an approval names the plan the approver looked at: a plan changed since is not approved', () => {
    const moved = drive(stateIn('awaiting_approval'), [
      {
        type: 'reschedule',
        by: dana,
        plannedAt: '2031-03-17T00:00:00.000Z',
        reminderAt: '2031-03-14T01:00:00.000Z',
      },
      T0,
    ]);
    expect(transitionBatch(moved, { type: 'approve', by: bob, plannedAt: PLANNED }, T0)).toEqual({
      ok: false,
      kind: 'conflict',
      refused: expect.stringMatching(
        /it changed since you looked: it is planned for 2031-03-17T00:00:00.000Z now/,
      ),
    });
    expect(
      transitionBatch(moved, { type: 'approve', by: bob, plannedAt: '2031-03-17T00:00:00.000Z' }, T0).ok,
    ).toBe(true);
  });

  it('an approval after the planned time is refused (the deadline has passed; reschedule first)', () => {
    expect(transitionBatch(stateIn('awaiting_approval'), { type: 'approve', by: bob }, at(PLANNED))).toEqual({
      ok: false,
      refused: expect.stringMatching(/has passed: reschedule it first/),
      kind: 'conflict',
    });
  });

  it('halt: after a failure no new folder starts, and the rest are skipped', () => {
    const s = drive(
      plan({ failurePolicy: 'halt', folders: ['SD1', 'SD2', 'SD3'] }),
      [{ type: 'planRecorded' }, T0],
      [{ type: 'approve', by: bob }, T0],
      [{ type: 'announced', plan: 0 }, T0],
    );
    const running = drive(drive(s, fire(s)), fire(drive(s, fire(s))));
    const d = transitionBatch(
      running,
      { type: 'folderFinished', code: 'SD1', outcome: 'failed', failure: 'x', freezeWindowMs: null },
      at(PLANNED),
    );
    if (!d.ok) throw new Error(d.refused);
    expect(d.state.status).toBe('completed_with_failures');
    expect(d.state.folders).toMatchObject({
      SD1: { status: 'failed' },
      SD2: { status: 'skipped' },
      SD3: { status: 'skipped' },
    });
    expect(d.effects.some((e) => e.type === 'startFolder')).toBe(false);
  });

  it('a stop withdraws what is queued: an announcement of a replaced or stopped plan is not wanted', () => {
    const approved = stateIn('approved');
    const announcement: BatchEffect = { type: 'notify', kind: 'batch_announced', plan: 0 };
    expect(batchWants(approved, announcement)).toBe(true);
    const effects = effectsOf(approved, { type: 'abort', by: alice, reason: 'stop' }, T0);
    expect(effects[0]).toEqual({ type: 'withdrawNotices' });
    expect(
      batchWants(drive(approved, [{ type: 'abort', by: alice, reason: 'stop' }, T0]), announcement),
    ).toBe(false);
    expect(
      batchWants(
        drive(approved, [
          {
            type: 'reschedule',
            by: alice,
            plannedAt: '2031-03-17T00:00:00.000Z',
            reminderAt: '2031-03-14T01:00:00.000Z',
          },
          T0,
        ]),
        announcement,
      ),
    ).toBe(false);
  });

  it('folders queued to start when the batch is aborted or paused are not started: the machine is told and accounts for them', () => {
    const s = drive(
      plan({ folders: ['SD1', 'SD2', 'SD3'], concurrency: 2 }),
      [{ type: 'planRecorded' }, T0],
      [{ type: 'approve', by: bob }, T0],
      [{ type: 'announced', plan: 0 }, T0],
    );
    const d = transitionBatch(drive(s, fire(s)), nextBatchTimer(drive(s, fire(s)))!.command, at(PLANNED));
    if (!d.ok) throw new Error(d.refused);
    const starts = d.effects.filter((e) => e.type === 'startFolder');
    expect(starts.map((e) => e.type === 'startFolder' && e.code)).toEqual(['SD1', 'SD2']);
    // The abort lands while the starts are still queued behind the status write.
    const aborted = drive(d.state, [{ type: 'abort', by: alice, reason: 'stop' }, at(PLANNED)]);
    expect(aborted.status).toBe('aborting');
    for (const e of starts) expect(batchWants(aborted, e)).toBe(false);
    const told = starts.map((e) => batchSkipped(aborted, e)!);
    const end = drive(aborted, ...told.map((c): [BatchCommand, number] => [c, at(PLANNED)]));
    expect(end).toMatchObject({
      status: 'aborted',
      folders: { SD1: { status: 'aborted' }, SD2: { status: 'aborted' }, SD3: { status: 'aborted' } },
    });
    // Paused instead: they go back to pending, and start on resume.
    const paused = drive(
      d.state,
      [{ type: 'pause', by: alice }, at(PLANNED)],
      ...starts.map((e): [BatchCommand, number] => [batchSkipped(d.state, e)!, at(PLANNED)]),
    );
    expect(paused).toMatchObject({
      status: 'paused',
      folders: { SD1: { status: 'pending' }, SD2: { status: 'pending' } },
    });
    expect(
      effectsOf(paused, { type: 'resume', by: alice }, at(PLANNED)).filter((e) => e.type === 'startFolder'),
    ).toHaveLength(2);
  });

  it('an approval inside the notice period is refused: firms are told at the approval', () => {
    const recorded = stateIn('awaiting_approval');
    expect(transitionBatch(recorded, { type: 'approve', by: bob }, at(PLANNED) - 86_400_000)).toEqual({
      ok: false,
      kind: 'conflict',
      refused: expect.stringMatching(/less than the notice period \(72 h\) away: reschedule it first/),
    });
  });

  it('a cancellation through Temporal while the plan is being recorded stops the batch once it is recorded', () => {
    const pending = drive(plan(), [{ type: 'cancelRequested' }, T0]);
    const d = transitionBatch(pending, { type: 'planRecorded' }, T0);
    if (!d.ok) throw new Error(d.refused);
    expect(d.state).toMatchObject({
      status: 'aborted',
      reason: expect.stringMatching(/not a command of an operator/),
    });
    expect(d.effects.map((e) => e.type)).toEqual(['withdrawNotices', 'finish']);
  });

  it('retired folders are closed at the start, after the first starts, once; the batch waits for it; an abort first stops it; a stop before the start retires nothing', () => {
    const retiring = drive(
      plan({ retire: ['SDPDF'] }),
      [{ type: 'planRecorded' }, T0],
      [{ type: 'approve', by: bob }, T0],
      [{ type: 'announced', plan: 0 }, T0],
    );
    const reminded = drive(retiring, fire(retiring));
    const [start, when] = fire(reminded);
    const started = transitionBatch(reminded, start, when);
    if (!started.ok) throw new Error(started.refused);
    expect(started.effects.map((e) => e.type)).toEqual(['persist', 'startFolder', 'retireFolders']);
    const paused = drive(started.state, [{ type: 'pause', by: alice }, when]);
    const resumed = transitionBatch(paused, { type: 'resume', by: alice }, when);
    expect(resumed.ok && resumed.effects.some((e) => e.type === 'retireFolders')).toBe(false);
    // Both folders done, the retirement not back yet: the batch has not ended.
    const moved = drive(
      started.state,
      [{ type: 'folderFinished', code: 'SD1', outcome: 'live', failure: null, freezeWindowMs: 1 }, when],
      [{ type: 'folderFinished', code: 'SD2', outcome: 'live', failure: null, freezeWindowMs: 1 }, when],
    );
    expect(moved.status).toBe('running');
    const ended = transitionBatch(moved, { type: 'retirementDone' }, when);
    expect(ended.ok && ended.state.status).toBe('completed');
    expect(ended.ok && ended.effects).toContainEqual({ type: 'notify', kind: 'folders_live', plan: 0 });
    expect(transitionBatch(ended.ok ? ended.state : moved, { type: 'retirementDone' }, when)).toMatchObject({
      ok: true,
      effects: [],
    });
    // An abort before the retirement ran: it is not wanted any more, and its skip lets the batch end.
    const aborting = drive(started.state, [{ type: 'abort', by: alice, reason: 'stop' }, when]);
    expect(batchWants(aborting, { type: 'retireFolders' })).toBe(false);
    expect(batchSkipped(aborting, { type: 'retireFolders' })).toEqual({ type: 'retirementDone' });
    const stopped = drive(
      aborting,
      [{ type: 'folderFinished', code: 'SD1', outcome: 'failed', failure: 'x', freezeWindowMs: null }, when],
      [{ type: 'retirementDone' }, when],
    );
    expect(stopped.status).toBe('aborted');
    const early = transitionBatch(retiring, { type: 'abort', by: alice, reason: 'stop' }, T0);
    expect(early.ok && early.effects.map((e) => e.type)).toEqual(['withdrawNotices', 'finish', 'notify']);
  });
});

/** Commands a random operator session may send, with random gaps of time between them. */
const arbCommand = fc.oneof(
  fc.constantFrom<BatchCommand>(
    { type: 'approve', by: bob },
    { type: 'approve', by: alice },
    { type: 'reject', by: bob, reason: 'no' },
    { type: 'pause', by: alice },
    { type: 'resume', by: alice },
    { type: 'abort', by: alice, reason: 'stop' },
    { type: 'overrideReadiness', by: bob, reason: 'ok' },
    { type: 'cancelRequested' },
  ),
  fc.integer({ min: 1, max: 20 }).map((days): BatchCommand => ({
    type: 'reschedule',
    by: alice,
    plannedAt: new Date(T0 + days * 86_400_000).toISOString(),
    reminderAt: new Date(T0 + days * 86_400_000 - 70 * 3_600_000).toISOString(),
  })),
);
const arbStep = fc.record({
  command: arbCommand,
  advanceMs: fc.integer({ min: 0, max: 9 * 86_400_000 }),
  folderOk: fc.boolean(),
  ready: fc.boolean(),
});

/** A random session against the pure machine (test/support/batch-model.ts), with what happened. */
function simulate(
  steps: { command: BatchCommand; advanceMs: number; folderOk: boolean; ready: boolean }[],
  policy: BatchState['maxNotReady'],
) {
  const initial = drive(plan({ maxNotReady: policy, folders: ['SD1', 'SD2', 'SD3'] }), [
    { type: 'planRecorded' },
    T0,
  ]);
  const env = { ready: steps[0]?.ready ?? true, folderOk: steps[0]?.folderOk ?? true };
  const model = createModel(initial, T0, env);
  for (const step of steps) {
    Object.assign(env, { ready: step.ready, folderOk: step.folderOk });
    model.step(step);
  }
  return { final: model.run.state, trace: model.run.trace };
}

describe('batch lifecycle: properties over random sessions', () => {
  const policy = fc.constantFrom<BatchState['maxNotReady']>(null, { count: 0 });
  it('a status once final never changes; a batch stopped before its start never starts a folder; nothing is announced or reminded after a stop', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 12 }), policy, (steps, p) => {
        const { trace } = simulate(steps, p);
        let stopped = false;
        let started = false;
        for (const t of trace) {
          if (isFinalBatch(t.before.status)) expect(t.after.status).toBe(t.before.status);
          if (t.effects.some((e) => e.type === 'startFolder')) {
            expect(stopped).toBe(false);
            started = true;
          }
          if (stopped)
            expect(
              t.effects.filter(
                (e) => e.type === 'notify' && (e.kind === 'batch_announced' || e.kind === 'batch_reminder'),
              ),
            ).toEqual([]);
          if (!started && ['aborted', 'rejected', 'expired'].includes(t.after.status)) stopped = true;
          if (t.after.status === 'aborting') stopped = true;
        }
      }),
      { numRuns: 2000, seed: 20261129 },
    );
  });

  it('every session ends in a final status or waits on a timer or an operator, never stuck in between', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 12 }), policy, (steps, p) => {
        const { final } = simulate(steps, p);
        const waiting =
          nextBatchTimer(final) !== null || ['paused', 'awaiting_approval'].includes(final.status);
        expect(isFinalBatch(final.status) || waiting).toBe(true);
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});

describe('the outcome told at the end (batches planned with outcomeNotices)', () => {
  const running = () => {
    const s = drive(
      plan({ outcomeNotices: true }),
      [{ type: 'planRecorded' }, T0],
      [{ type: 'approve', by: bob }, T0],
      [{ type: 'announced', plan: 0 }, T0],
    );
    const reminded = drive(s, fire(s));
    return drive(reminded, fire(reminded)); // SD1 running, SD2 pending (concurrency 1)
  };
  const end = (s: BatchState, code: string, outcome: 'live' | 'failed') =>
    transitionBatch(
      s,
      {
        type: 'folderFinished',
        code,
        outcome,
        failure: outcome === 'failed' ? 'x' : null,
        freezeWindowMs: 1,
      },
      at(PLANNED),
    );

  it('one outcome notice whatever moved — all, some or none — and neither folders-live nor called-off', () => {
    for (const [first, second, status] of [
      ['live', 'live', 'completed'],
      ['failed', 'live', 'completed_with_failures'],
      ['failed', 'failed', 'completed_with_failures'],
    ] as const) {
      const one = end(running(), 'SD1', first);
      if (!one.ok) throw new Error(one.refused);
      const two = end(one.state, 'SD2', second);
      expect(two.ok && two.state.status, `${first}/${second}`).toBe(status);
      const notices = two.ok ? two.effects.filter((e) => e.type === 'notify') : [];
      expect(notices, `${first}/${second}`).toEqual([{ type: 'notify', kind: 'batch_outcome', plan: 0 }]);
    }
  });

  it('aborted while running: the outcome too (what moved, what did not); aborted before the start: called off, as before', () => {
    const aborting = drive(running(), [{ type: 'abort', by: alice, reason: 'stop' }, at(PLANNED)]);
    const ended = end(aborting, 'SD1', 'live');
    expect(ended.ok && ended.state.status).toBe('aborted');
    expect(ended.ok && ended.effects.filter((e) => e.type === 'notify')).toEqual([
      { type: 'notify', kind: 'batch_outcome', plan: 0 },
    ]);
    const early = drive(
      plan({ outcomeNotices: true }),
      [{ type: 'planRecorded' }, T0],
      [{ type: 'approve', by: bob }, T0],
      [{ type: 'announced', plan: 0 }, T0],
    );
    const stopped = transitionBatch(early, { type: 'abort', by: alice, reason: 'stop' }, T0);
    expect(stopped.ok && stopped.effects.filter((e) => e.type === 'notify')).toEqual([
      { type: 'notify', kind: 'batch_cancelled', plan: 0 },
    ]);
  });
});
