import { describe, expect, it } from 'vitest';
import {
  DECOMMISSION_COMMAND_TYPES,
  DECOMMISSION_STATUSES,
  initialDecommissionState,
  nextDecommissionTimer,
  transitionDecommission,
  type DecommissionCommand,
  type DecommissionState,
  type DecommissionStatus,
} from '../../domain/decommission-lifecycle';
import type { Actor } from '../../domain/operators';
import {
  initialSwitchBackState,
  SWITCH_BACK_COMMAND_TYPES,
  SWITCH_BACK_STATUSES,
  transitionSwitchBack,
  type SwitchBackCommand,
  type SwitchBackState,
  type SwitchBackStatus,
} from '../../domain/switch-back-lifecycle';

const T0 = Date.parse('2031-03-03T01:00:00Z');
const bob: Actor = { operator: 'bob', roles: ['approver'] };
const dana: Actor = { operator: 'dana', roles: ['planner', 'approver', 'support'] };
const X = '✗',
  I = '·';

function decide<S extends { status: string }, C>(
  transition: (
    s: S,
    c: C,
    now: number,
  ) => { ok: true; state: S; effects: unknown[] } | { ok: false; refused: string },
  s: S,
  c: C,
  now: number,
) {
  const d = transition(s, c, now);
  return !d.ok ? X : d.state === s && d.effects.length === 0 ? I : d.state.status;
}
function drive<S, C>(
  transition: (s: S, c: C, now: number) => { ok: true; state: S } | { ok: false; refused: string },
  s: S,
  ...steps: [C, number][]
): S {
  for (const [c, now] of steps) {
    const d = transition(s, c, now);
    if (!d.ok) throw new Error(d.refused);
    s = d.state;
  }
  return s;
}

describe('switch-back lifecycle: every (status, command) pair has a decided outcome', () => {
  const EXPIRES = '2031-03-04T01:00:00.000Z';
  const go = (s: SwitchBackState, ...steps: [SwitchBackCommand, number][]) =>
    drive(transitionSwitchBack, s, ...steps);
  const initial = initialSwitchBackState({
    folderCode: 'SD1',
    requestedBy: 'alice',
    reason: 'ECP 2.0 rejects SD-1 files',
    expiresAt: EXPIRES,
  });
  const waiting = go(initial, [{ type: 'recorded' }, T0]);
  const running = go(waiting, [{ type: 'approve', by: bob }, T0]);
  const states: Record<SwitchBackStatus, SwitchBackState> = {
    requested: initial,
    awaiting_approval: waiting,
    running,
    succeeded: go(running, [{ type: 'moveFinished', outcome: 'succeeded', failure: null }, T0]),
    compensated: go(running, [{ type: 'moveFinished', outcome: 'compensated', failure: '503' }, T0]),
    rejected: go(waiting, [{ type: 'reject', by: bob, reason: 'no' }, T0]),
    expired: go(waiting, [{ type: 'timer', timer: 'expiry' }, Date.parse(EXPIRES)]),
    cancelled: go(waiting, [{ type: 'cancelRequested' }, T0]),
    refused: go(initial, [{ type: 'refusedAtStart', reason: 'SD1 is legacy' }, T0]),
  };
  const commands: Record<SwitchBackCommand['type'], [SwitchBackCommand, number]> = {
    approve: [{ type: 'approve', by: dana }, T0],
    reject: [{ type: 'reject', by: dana, reason: 'no' }, T0],
    cancelRequested: [{ type: 'cancelRequested' }, T0],
    recorded: [{ type: 'recorded' }, T0],
    refusedAtStart: [{ type: 'refusedAtStart', reason: 'x' }, T0],
    timer: [{ type: 'timer', timer: 'expiry' }, Date.parse(EXPIRES)],
    moveFinished: [{ type: 'moveFinished', outcome: 'succeeded', failure: null }, T0],
  };
  const final = {
    approve: X,
    reject: X,
    cancelRequested: I,
    recorded: I,
    refusedAtStart: I,
    timer: I,
    moveFinished: I,
  };
  const TABLE: Record<SwitchBackStatus, Record<SwitchBackCommand['type'], string>> = {
    requested: {
      approve: X,
      reject: X,
      cancelRequested: I,
      recorded: 'awaiting_approval',
      refusedAtStart: 'refused',
      timer: I,
      moveFinished: I,
    },
    awaiting_approval: {
      approve: 'running',
      reject: 'rejected',
      cancelRequested: 'cancelled',
      recorded: I,
      refusedAtStart: I,
      timer: 'expired',
      moveFinished: I,
    },
    running: {
      approve: X,
      reject: X,
      cancelRequested: I,
      recorded: I,
      refusedAtStart: I,
      timer: I,
      moveFinished: 'succeeded',
    },
    succeeded: final,
    compensated: final,
    rejected: final,
    expired: final,
    cancelled: final,
    refused: final,
  };

  it('the table decides every pair', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...SWITCH_BACK_STATUSES].sort());
    for (const s of SWITCH_BACK_STATUSES)
      expect(Object.keys(TABLE[s]).sort()).toEqual([...SWITCH_BACK_COMMAND_TYPES].sort());
  });
  for (const status of SWITCH_BACK_STATUSES) {
    it(`in ${status}`, () => {
      expect(states[status].status).toBe(status);
      for (const type of SWITCH_BACK_COMMAND_TYPES)
        expect(decide(transitionSwitchBack, states[status], ...commands[type]), `${status} + ${type}`).toBe(
          TABLE[status][type],
        );
    });
  }

  it('four eyes: the requester may not approve, even holding the approver role; after expiry nobody may', () => {
    const both: Actor = { operator: 'alice', roles: ['planner', 'approver'] };
    expect(transitionSwitchBack(waiting, { type: 'approve', by: both }, T0)).toEqual({
      ok: false,
      refused:
        'four eyes: alice requested the switch-back of SD1 and cannot approve it; ask another approver',
      kind: 'forbidden',
    });
    expect(transitionSwitchBack(waiting, { type: 'approve', by: bob }, Date.parse(EXPIRES))).toEqual({
      ok: false,
      refused: expect.stringMatching(/expired/),
      kind: 'conflict',
    });
  });
});

describe('decommission lifecycle: every (status, command) pair has a decided outcome', () => {
  const PLANNED = '2031-06-30T10:00:00.000Z';
  const REMINDERS = ['2031-05-19T01:00:00.000Z', '2031-06-20T01:00:00.000Z', '2031-06-27T01:00:00.000Z'];
  const go = (s: DecommissionState, ...steps: [DecommissionCommand, number][]) =>
    drive(transitionDecommission, s, ...steps);
  const fire = (s: DecommissionState): [DecommissionCommand, number] => {
    const t = nextDecommissionTimer(s)!;
    return [t.command, Date.parse(t.at)];
  };
  const initial = initialDecommissionState({
    plannedAt: PLANNED,
    reminderAts: REMINDERS,
    requestedBy: 'alice',
    recheckMs: 3_600_000,
  });
  const waiting = go(initial, [{ type: 'recorded' }, T0]);
  const scheduled = go(waiting, [{ type: 'approve', by: bob }, T0]);
  const noReminders = go(
    initialDecommissionState({
      plannedAt: PLANNED,
      reminderAts: [],
      requestedBy: 'alice',
      recheckMs: 3_600_000,
    }),
    [{ type: 'recorded' }, T0],
    [{ type: 'approve', by: bob }, T0],
  );
  const deciding = go(noReminders, fire(noReminders));
  const failing = [{ item: 'folders' as const, pass: false, detail: '1 folder(s) not moved: SD3' }];
  const blocked = go(deciding, [
    { type: 'gateChecked', plan: 0, purpose: 'decide', pass: false, items: failing },
    Date.parse(PLANNED),
  ]);
  const running = go(deciding, [
    { type: 'gateChecked', plan: 0, purpose: 'decide', pass: true, items: [] },
    Date.parse(PLANNED),
  ]);
  const states: Record<DecommissionStatus, DecommissionState> = {
    requested: initial,
    awaiting_approval: waiting,
    scheduled,
    blocked,
    running,
    completed: go(running, [{ type: 'switchedOff' }, Date.parse(PLANNED)]),
    cancelled: go(waiting, [{ type: 'cancelRequested' }, T0]),
    refused: go(initial, [{ type: 'refusedAtStart', reason: 'already decommissioned' }, T0]),
  };
  const commandFor = (
    type: DecommissionCommand['type'],
    s: DecommissionState,
  ): [DecommissionCommand, number] => {
    const now = s.status === 'blocked' || s.status === 'running' ? Date.parse(PLANNED) + 60_000 : T0;
    switch (type) {
      case 'approve':
        return [{ type, by: dana }, now];
      case 'reschedule':
        return [{ type, by: dana, plannedAt: '2031-07-31T10:00:00.000Z', reminderAts: [] }, now];
      case 'cancelRequested':
        return [{ type }, now];
      case 'recorded':
        return [{ type }, now];
      case 'refusedAtStart':
        return [{ type, reason: 'x' }, now];
      case 'timer':
        return nextDecommissionTimer(s)
          ? fire(s)
          : [{ type: 'timer', timer: 'planned', plan: s.plan, at: PLANNED }, Date.parse(PLANNED)];
      case 'gateChecked':
        return [{ type, plan: s.plan, purpose: 'decide', pass: true, items: [] }, now];
      case 'batchFinished':
        return [{ type }, now];
      case 'switchedOff':
        return [{ type }, now];
    }
  };
  const final = {
    approve: X,
    reschedule: X,
    cancelRequested: I,
    recorded: I,
    refusedAtStart: I,
    timer: I,
    gateChecked: I,
    batchFinished: I,
    switchedOff: I,
  };
  const TABLE: Record<DecommissionStatus, Record<DecommissionCommand['type'], string>> = {
    requested: {
      approve: X,
      reschedule: X,
      cancelRequested: I,
      recorded: 'awaiting_approval',
      refusedAtStart: 'refused',
      timer: I,
      gateChecked: I,
      batchFinished: I,
      switchedOff: I,
    },
    awaiting_approval: {
      approve: 'scheduled',
      reschedule: 'awaiting_approval',
      cancelRequested: 'cancelled',
      recorded: I,
      refusedAtStart: I,
      timer: I,
      gateChecked: I,
      batchFinished: I,
      switchedOff: I,
    },
    scheduled: {
      approve: X,
      reschedule: 'awaiting_approval',
      cancelRequested: 'cancelled',
      recorded: I,
      refusedAtStart: I,
      timer: 'scheduled',
      gateChecked: I,
      batchFinished: I,
      switchedOff: I,
    },
    blocked: {
      approve: X,
      reschedule: 'awaiting_approval',
      cancelRequested: 'cancelled',
      recorded: I,
      refusedAtStart: I,
      timer: 'blocked',
      gateChecked: I,
      batchFinished: 'blocked',
      switchedOff: I,
    },
    running: {
      approve: X,
      reschedule: X,
      cancelRequested: I,
      recorded: I,
      refusedAtStart: I,
      timer: I,
      gateChecked: I,
      batchFinished: I,
      switchedOff: 'completed',
    },
    completed: final,
    cancelled: final,
    refused: final,
  };

  it('the table decides every pair', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...DECOMMISSION_STATUSES].sort());
    for (const s of DECOMMISSION_STATUSES)
      expect(Object.keys(TABLE[s]).sort()).toEqual([...DECOMMISSION_COMMAND_TYPES].sort());
  });
  for (const status of DECOMMISSION_STATUSES) {
    it(`in ${status}`, () => {
      expect(states[status].status).toBe(status);
      for (const type of DECOMMISSION_COMMAND_TYPES)
        expect(
          decide(transitionDecommission, states[status], ...commandFor(type, states[status])),
          `${status} + ${type}`,
        ).toBe(TABLE[status][type]);
    });
  }

  it('blocked, then the gate passes after the date: a fresh approval, without telling the firms again', () => {
    // A batch finishing within a minute of the last check does not check again (the signal is anyone's to send).
    expect(transitionDecommission(blocked, { type: 'batchFinished' }, Date.parse(PLANNED) + 30_000)).toEqual({
      ok: true,
      state: blocked,
      effects: [],
    });
    const checking = go(blocked, [{ type: 'batchFinished' }, Date.parse(PLANNED) + 120_000]);
    const again = go(checking, [
      { type: 'gateChecked', plan: 0, purpose: 'decide', pass: true, items: [] },
      Date.parse(PLANNED) + 121_000,
    ]);
    expect(again).toMatchObject({
      status: 'awaiting_approval',
      approvedBy: null,
      reason: expect.stringMatching(/fresh approval/),
    });
    const d = transitionDecommission(again, { type: 'approve', by: bob }, Date.parse(PLANNED) + 122_000);
    if (!d.ok) throw new Error(d.refused);
    expect(d.effects.map((e) => e.type)).toEqual(['persist']);
    expect(nextDecommissionTimer(d.state)?.command).toMatchObject({ timer: 'planned' });
  });

  it('an approval after the planned date is refused (it would switch legacy off at once, every reminder skipped): reschedule first', () => {
    expect(transitionDecommission(waiting, { type: 'approve', by: bob }, Date.parse(PLANNED))).toEqual({
      ok: false,
      kind: 'conflict',
      refused: expect.stringMatching(/its planned time .* has passed: reschedule it first/),
    });
  });

  it('four eyes: the one who scheduled (or rescheduled) it may not approve it', () => {
    const both: Actor = { operator: 'alice', roles: ['planner', 'approver'] };
    expect(transitionDecommission(waiting, { type: 'approve', by: both }, T0)).toEqual({
      ok: false,
      refused: 'four eyes: alice scheduled the decommission and cannot approve it; ask another approver',
      kind: 'forbidden',
    });
  });

  it('reminders past at the approval are not sent late; each one still ahead is sent once, with a gate check', () => {
    const late = go(waiting, [{ type: 'approve', by: bob }, Date.parse(REMINDERS[1]) + 1]);
    const t = nextDecommissionTimer(late)!;
    expect(t.at).toBe(REMINDERS[2]);
    const d = transitionDecommission(late, t.command, Date.parse(t.at));
    if (!d.ok) throw new Error(d.refused);
    expect(d.effects.map((e) => e.type)).toEqual(['checkGate', 'notify']);
    expect(nextDecommissionTimer(d.state)?.command).toMatchObject({ timer: 'planned' });
  });
});
