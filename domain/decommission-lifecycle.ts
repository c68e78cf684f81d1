import { type Decision, type Recovery, accept, forbid, needsRole, refuse, stale } from './lifecycle';
import { ownWork } from './permissions';
import { notStored } from './text';
import { type Actor, SYSTEM } from './operators';

/**
 * The decommission of legacy ECP (one workflow, `decommission-legacy-ecp`), as a pure machine (FAQ E.30):
 *
 *   requested ─recorded─▶ awaiting_approval ─approve─▶ scheduled ─planned time, gate passes─▶ running ─switched off─▶ completed
 *       │                   ▲   │ reschedule             │  ▲  
 *       ▼                   │   ▼ (voids approval)       ▼  │ reschedule
 *    refused                └── gate passes after ── blocked (re-checks when a batch finishes and on an interval)
 *                               the date: a fresh approval
 *
 * It never proceeds partially: the switch-off is one idempotent call, made only after the gate passed.
 * A cancellation through Temporal before the switch-off ends it `cancelled`; once running it finishes.
 */
export const DECOMMISSION_STATUSES = [
  'requested',
  'awaiting_approval',
  'scheduled',
  'blocked',
  'running',
  'completed',
  'cancelled',
  'refused',
] as const;
export type DecommissionStatus = (typeof DECOMMISSION_STATUSES)[number];
export const FINAL_DECOMMISSION_STATUSES: readonly DecommissionStatus[] = [
  'completed',
  'cancelled',
  'refused',
];
/** A decommission row exists from `awaiting_approval` on. */
export const STORED_DECOMMISSION_STATUSES: readonly DecommissionStatus[] = DECOMMISSION_STATUSES.filter(
  (s) => s !== 'requested' && s !== 'refused',
);
export const isFinalDecommission = (s: DecommissionStatus) => FINAL_DECOMMISSION_STATUSES.includes(s);

export interface GateItem {
  item: 'folders' | 'batches' | 'switch_backs' | 'drift' | 'quiet_period';
  pass: boolean;
  detail: string;
}

export interface DecommissionState {
  status: DecommissionStatus;
  plannedAt: string;
  /** Reminder instants of the current plan (business days before, from the calendar the planner holds). */
  reminderAts: string[];
  requestedBy: string;
  editors: string[];
  approvedBy: string | null;
  plan: number;
  /** Reminders of the current plan sent, or skipped because they were past when it was approved. */
  remindersDone: string[];
  /** The planned instant firms were last told about (a fresh approval of the same date tells nobody twice). */
  announcedFor: string | null;
  gate: GateItem[] | null;
  gateCheck: 'idle' | 'checking';
  gateCheckedAt: string | null;
  /** The gate passed after the planned date: this approval lets it go ahead now (the firms were told and reminded). */
  freshApproval: boolean;
  recheckMs: number;
  reason: string | null;
  seq: number;
}

export type DecommissionCommand =
  /** `plannedAt`: the date the approver was shown; a decommission moved since is not approved. */
  | { type: 'approve'; by: Actor; plannedAt?: string }
  | { type: 'reschedule'; by: Actor; plannedAt: string; reminderAts: string[] }
  | { type: 'cancelRequested' }
  | { type: 'recorded' }
  | { type: 'refusedAtStart'; reason: string }
  | { type: 'timer'; timer: 'reminder' | 'planned' | 'recheck'; plan: number; at: string }
  | { type: 'gateChecked'; plan: number; purpose: 'reminder' | 'decide'; pass: boolean; items: GateItem[] }
  | { type: 'batchFinished' }
  | { type: 'switchedOff' };

export const DECOMMISSION_COMMAND_TYPES: readonly DecommissionCommand['type'][] = [
  'approve',
  'reschedule',
  'cancelRequested',
  'recorded',
  'refusedAtStart',
  'timer',
  'gateChecked',
  'batchFinished',
  'switchedOff',
];

export type DecommissionNoticeKind =
  'decommission_scheduled' | 'decommission_reminder' | 'legacy_decommissioned';

export type DecommissionEffect =
  | { type: 'recordRequest' }
  | {
      type: 'persist';
      seq: number;
      status: DecommissionStatus;
      actor: string;
      reason: string | null;
      plannedAt?: string;
      approvedBy?: string | null;
      plain?: true;
    }
  | { type: 'notify'; kind: DecommissionNoticeKind; plannedAt: string; tag: string }
  | { type: 'checkGate'; plan: number; purpose: 'reminder' | 'decide' }
  | { type: 'switchOff' };

export function initialDecommissionState(input: {
  plannedAt: string;
  reminderAts: string[];
  requestedBy: string;
  recheckMs: number;
}): DecommissionState {
  return {
    status: 'requested',
    plannedAt: input.plannedAt,
    reminderAts: [...input.reminderAts].sort(),
    requestedBy: input.requestedBy,
    editors: [input.requestedBy],
    approvedBy: null,
    plan: 0,
    remindersDone: [],
    announcedFor: null,
    gate: null,
    gateCheck: 'idle',
    gateCheckedAt: null,
    freshApproval: false,
    recheckMs: input.recheckMs,
    reason: null,
    seq: 0,
  };
}

type Result = Decision<DecommissionState, DecommissionEffect>;
const ms = (iso: string) => Date.parse(iso);

export function transitionDecommission(s: DecommissionState, c: DecommissionCommand, now: number): Result {
  const why = (text: string) => refuse(`the decommission is ${s.status}: ${text}`);
  const step = (next: DecommissionState) => ({ ...next, seq: next.seq + 1 });
  if ('by' in c && isFinalDecommission(s.status))
    return why('it has ended, so there is nothing left to change');
  if ('by' in c && s.status === 'requested') return why('it is still being recorded; try again in a moment');

  switch (c.type) {
    case 'recorded':
      return s.status === 'requested' ? accept({ ...s, status: 'awaiting_approval' }) : stale(s);
    case 'refusedAtStart':
      return s.status === 'requested' ? accept({ ...s, status: 'refused', reason: c.reason }) : stale(s);

    case 'approve': {
      const role = needsRole(c.by, 'decommission.approve');
      if (role) return forbid(role);
      if (s.status !== 'awaiting_approval') {
        return why(
          s.status === 'blocked'
            ? 'it goes ahead when its gate passes (then it asks for a fresh approval)'
            : `it was approved by ${s.approvedBy ?? 'someone'} already`,
        );
      }
      if (ownWork('decommission.approve', c.by.operator, s.editors)) {
        return forbid(
          `four eyes: ${c.by.operator} ${c.by.operator === s.requestedBy ? 'scheduled' : 'rescheduled'} the decommission and cannot approve it; ask another approver`,
        );
      }
      if (c.plannedAt !== undefined && ms(c.plannedAt) !== ms(s.plannedAt)) {
        return why(
          `it changed since you looked: it is planned for ${s.plannedAt} now, not ${c.plannedAt}; look at it again, then approve`,
        );
      }
      // Approved late, it would switch legacy off at once, with every reminder skipped: reschedule instead.
      if (!s.freshApproval && now >= ms(s.plannedAt))
        return why(`its planned time ${s.plannedAt} has passed: reschedule it first`);
      const by = c.by.operator;
      const next = step({
        ...s,
        status: 'scheduled',
        approvedBy: by,
        freshApproval: false,
        remindersDone: s.reminderAts.filter((r) => ms(r) <= now),
        announcedFor: s.plannedAt,
      });
      const effects: DecommissionEffect[] = [
        { type: 'persist', seq: next.seq, status: 'scheduled', actor: by, reason: null, approvedBy: by },
      ];
      if (s.announcedFor !== s.plannedAt)
        effects.push({ type: 'notify', kind: 'decommission_scheduled', plannedAt: s.plannedAt, tag: '' });
      return accept(next, effects);
    }

    case 'reschedule': {
      const role = needsRole(c.by, 'decommission.reschedule');
      if (role) return forbid(role);
      if (s.status === 'running') return why('legacy is being switched off; it can no longer be rescheduled');
      if (!(ms(c.plannedAt) > now)) return refuse(`the new time ${c.plannedAt} is not in the future`);
      const next = step({
        ...s,
        status: 'awaiting_approval',
        approvedBy: null,
        plan: s.plan + 1,
        plannedAt: c.plannedAt,
        reminderAts: [...c.reminderAts].sort(),
        remindersDone: [],
        freshApproval: false,
        editors: s.editors.includes(c.by.operator) ? s.editors : [...s.editors, c.by.operator],
        gateCheck: 'idle',
      });
      return accept(next, [
        {
          type: 'persist',
          seq: next.seq,
          status: 'awaiting_approval',
          actor: c.by.operator,
          reason: `rescheduled to ${c.plannedAt}; approval voided`,
          plannedAt: c.plannedAt,
          approvedBy: null,
        },
      ]);
    }

    case 'cancelRequested': {
      if (isFinalDecommission(s.status) || s.status === 'running' || s.status === 'requested')
        return stale(s);
      const next = step({ ...s, status: 'cancelled', reason: 'cancellation requested through Temporal' });
      return accept(next, [
        { type: 'persist', seq: next.seq, status: 'cancelled', actor: SYSTEM, reason: next.reason },
      ]);
    }

    case 'timer': {
      const due = nextDecommissionTimer(s);
      if (
        !due ||
        due.command.type !== 'timer' ||
        due.command.timer !== c.timer ||
        due.at !== c.at ||
        c.plan !== s.plan ||
        now < ms(c.at)
      )
        return stale(s);
      if (c.timer === 'reminder') {
        return accept({ ...s, remindersDone: [...s.remindersDone, c.at] }, [
          { type: 'checkGate', plan: s.plan, purpose: 'reminder' },
          { type: 'notify', kind: 'decommission_reminder', plannedAt: s.plannedAt, tag: `:${c.at}` },
        ]);
      }
      return accept({ ...s, gateCheck: 'checking' }, [
        { type: 'checkGate', plan: s.plan, purpose: 'decide' },
      ]);
    }

    case 'batchFinished':
      // Anyone may send this signal: a flood of them costs one gate check a minute at most.
      if (
        s.status !== 'blocked' ||
        s.gateCheck === 'checking' ||
        (s.gateCheckedAt && now - ms(s.gateCheckedAt) < 60_000)
      )
        return stale(s);
      return accept({ ...s, gateCheck: 'checking' }, [
        { type: 'checkGate', plan: s.plan, purpose: 'decide' },
      ]);

    case 'gateChecked': {
      if (c.plan !== s.plan) return stale(s);
      const checked = { ...s, gate: c.items, gateCheckedAt: new Date(now).toISOString() };
      if (c.purpose === 'reminder') return accept(checked);
      if (s.gateCheck !== 'checking' || (s.status !== 'scheduled' && s.status !== 'blocked')) return stale(s);
      const idle = { ...checked, gateCheck: 'idle' as const };
      const failing = c.items
        .filter((i) => !i.pass)
        .map((i) => `${i.item}: ${i.detail}`)
        .join('; ');
      if (!c.pass) {
        if (s.status === 'blocked') return accept(idle);
        const next = step({ ...idle, status: 'blocked', reason: failing });
        return accept(next, [
          { type: 'persist', seq: next.seq, status: 'blocked', actor: SYSTEM, reason: failing },
        ]);
      }
      if (s.status === 'blocked') {
        // Past its date: it goes ahead only with a fresh approval.
        const reason = 'gate passes now; the planned date has passed, so a fresh approval is needed';
        const next = step({
          ...idle,
          status: 'awaiting_approval',
          approvedBy: null,
          plan: s.plan + 1,
          freshApproval: true,
          reason,
        });
        return accept(next, [
          {
            type: 'persist',
            seq: next.seq,
            status: 'awaiting_approval',
            actor: SYSTEM,
            reason,
            approvedBy: null,
          },
        ]);
      }
      const next = step({ ...idle, status: 'running', reason: 'gate passed' });
      return accept(next, [
        {
          type: 'persist',
          seq: next.seq,
          status: 'running',
          actor: s.approvedBy ?? SYSTEM,
          reason: 'gate passed',
        },
        { type: 'switchOff' },
      ]);
    }

    case 'switchedOff': {
      if (s.status !== 'running') return stale(s);
      const next = step({ ...s, status: 'completed', reason: 'legacy ECP decommissioned' });
      return accept(next, [
        { type: 'persist', seq: next.seq, status: 'completed', actor: SYSTEM, reason: next.reason },
        { type: 'notify', kind: 'legacy_decommissioned', plannedAt: s.plannedAt, tag: ':done' },
      ]);
    }
  }
}

/** A notice about a plan that was replaced, or a gate check of one, is no longer wanted. */
/** The schedule refused if it cannot be recorded; a status written again without the text it was given. */
export function recoverDecommission(
  _s: DecommissionState,
  e: DecommissionEffect,
  failure: string,
): Recovery<DecommissionCommand, DecommissionEffect> | null {
  if (e.type === 'recordRequest')
    return { command: { type: 'refusedAtStart', reason: `the schedule could not be recorded: ${failure}` } };
  if (e.type === 'persist' && !e.plain) return { effect: { ...e, reason: notStored(failure), plain: true } };
  return null;
}

export function decommissionWants(s: DecommissionState, e: DecommissionEffect): boolean {
  if (e.type === 'notify' && e.kind !== 'legacy_decommissioned')
    return e.plannedAt === s.plannedAt && (s.status === 'scheduled' || s.status === 'blocked');
  if (e.type === 'checkGate') return e.plan === s.plan;
  return true;
}

export function nextDecommissionTimer(
  s: DecommissionState,
): { at: string; command: DecommissionCommand } | null {
  const timer = (t: 'reminder' | 'planned' | 'recheck', at: string) => ({
    at,
    command: { type: 'timer' as const, timer: t, plan: s.plan, at },
  });
  if (s.gateCheck === 'checking') return null;
  if (s.status === 'scheduled') {
    const reminder = s.reminderAts.find((r) => !s.remindersDone.includes(r) && ms(r) < ms(s.plannedAt));
    return reminder ? timer('reminder', reminder) : timer('planned', s.plannedAt);
  }
  if (s.status === 'blocked')
    return timer('recheck', new Date(ms(s.gateCheckedAt ?? s.plannedAt) + s.recheckMs).toISOString());
  return null;
}
