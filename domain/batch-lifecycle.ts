import { type Actor, SYSTEM } from './operators';
import { type Decision, type Recovery, accept, forbid, refuse, needsRole, stale } from './lifecycle';
import { ownWork } from './permissions';
import { notStored } from './text';

/**
 * The lifecycle of a batch, as a pure machine: `transition(state, command, now)` returns the
 * next state and the effects to run, or a refusal a person can read. The batch workflow keeps the state and
 * performs the effects; its Update validators and handlers call this same function, so they cannot disagree.
 *
 *   requested ─recorded─▶ awaiting_approval ─approve─▶ approved ─announced─▶ announced ─start─▶ running ⇄ paused
 *       │                   │  ▲      │                   │                     │ (readiness)     │ abort
 *       ▼                   │  └reschedule───────────────┴─────────────────────┤                 ▼
 *    refused       rejected ◀┘ expired            aborted ◀──abort────────blocked_on_readiness  aborting ─▶ aborted
 *                                                                            running/paused ─▶ completed | completed_with_failures
 *
 * Decided here, and in docs/architecture.md: `reject` is the approver's "no" to a plan awaiting approval; once a batch is
 * approved, `reject` is refused and the batch is stopped with `abort` (by a planner or an approver). A stop
 * before the start leaves every folder on legacy and, if firms were told, tells them it was called off.
 */
export const BATCH_STATUSES = [
  'requested',
  'awaiting_approval',
  'approved',
  'announced',
  'blocked_on_readiness',
  'running',
  'paused',
  'aborting',
  'completed',
  'completed_with_failures',
  'aborted',
  'rejected',
  'expired',
  'refused',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = [
  'completed',
  'completed_with_failures',
  'aborted',
  'rejected',
  'expired',
  'refused',
];
/** A batch row exists from `awaiting_approval` on; `requested` and `refused` live only in the workflow. */
export const STORED_BATCH_STATUSES: readonly BatchStatus[] = BATCH_STATUSES.filter(
  (s) => s !== 'requested' && s !== 'refused',
);
/** A batch is public (portal, appendix) once approved; a rejected or expired one never was. */
export const PUBLIC_BATCH_STATUSES: readonly BatchStatus[] = STORED_BATCH_STATUSES.filter(
  (s) => !['awaiting_approval', 'rejected', 'expired'].includes(s),
);
/** Not started yet: a batch in one of these may still be rescheduled (voiding its approval) or rejected. */
export const BEFORE_START: readonly BatchStatus[] = [
  'awaiting_approval',
  'approved',
  'announced',
  'blocked_on_readiness',
];

export const BATCH_FOLDER_STATUSES = ['pending', 'running', 'live', 'failed', 'skipped', 'aborted'] as const;
export type BatchFolderStatus = (typeof BATCH_FOLDER_STATUSES)[number];

export const isFinalBatch = (s: BatchStatus) => FINAL_BATCH_STATUSES.includes(s);

/** Above this many (or this share of) affected firms not ready at the start, the batch waits, blocked. */
export type ReadinessPolicy = { count: number } | { percent: number } | null;

export interface BatchPlan {
  batchId: string;
  name: string;
  requestedBy: string;
  folders: string[];
  failurePolicy: 'continue' | 'halt';
  concurrency: number;
  maxNotReady: ReadinessPolicy;
  /** How often a batch blocked on readiness checks again (it also goes on at once when overridden). */
  readinessRecheckMs: number;
  /** Firms are told at the approval: it must come at least this long before the planned time (MIN_NOTICE, or --min-notice). */
  minNoticeMs: number;
  /** ISO instants; the reminder instant comes from the business-day calendar, which workflows cannot hold. */
  plannedAt: string;
  reminderAt: string;
  /** Retired folders closed and hidden on legacy when the batch starts (a rule of this tool, not the FAQ's). */
  retire?: string[];
  /**
   * At the end, every firm concerned is told every folder's outcome in one notice (moved, not moved, retired);
   * batches begun before this (their histories) told only what went live, or that a stop called it off.
   */
  outcomeNotices?: boolean;
}

export interface FolderProgress {
  status: BatchFolderStatus;
  failure: string | null;
  freezeWindowMs: number | null;
}

export interface BatchState {
  batchId: string;
  status: BatchStatus;
  requestedBy: string;
  /** Whoever shaped the current plan (the planner, and anyone who rescheduled it): none of them may approve it. */
  editors: string[];
  approvedBy: string | null;
  plannedAt: string;
  reminderAt: string;
  /** Bumped by every reschedule: timers and feedback that belong to an older plan are stale. */
  plan: number;
  remindedPlan: number | null;
  /** Firms were told about this batch at least once (so a stop tells them it was called off). */
  everAnnounced: boolean;
  readinessCheck: 'idle' | 'checking';
  readinessCheckedAt: string | null;
  readinessOverridden: boolean;
  failurePolicy: 'continue' | 'halt';
  concurrency: number;
  maxNotReady: ReadinessPolicy;
  readinessRecheckMs: number;
  minNoticeMs: number;
  /** A cancellation through Temporal came while the plan was being recorded: the batch stops once it is. */
  cancelPending: boolean;
  halted: boolean;
  order: string[];
  folders: Record<string, FolderProgress>;
  retire: string[];
  /** The retirement (an effect at the start) has not come back yet: the batch does not end before it does. */
  retiring: boolean;
  /** Why the batch is in its status (a refusal of the plan, a stop, an outcome). */
  reason: string | null;
  /** Numbers the persisted transitions, for their events' idempotency keys. */
  seq: number;
  /** See BatchPlan.outcomeNotices. */
  outcomeNotices: boolean;
}

export type BatchCommand =
  // From the control plane (verified operators).
  /** `plannedAt`: the plan the approver was shown; a plan changed since is not approved. */
  | { type: 'approve'; by: Actor; plannedAt?: string }
  | { type: 'reject'; by: Actor; reason: string }
  | { type: 'reschedule'; by: Actor; plannedAt: string; reminderAt: string }
  | { type: 'pause'; by: Actor }
  | { type: 'resume'; by: Actor }
  | { type: 'abort'; by: Actor; reason: string }
  | { type: 'overrideReadiness'; by: Actor; reason: string }
  // From Temporal: a cancellation request (an engineer in the Web UI) is an abort by the system.
  | { type: 'cancelRequested' }
  // From the effects (feedback) and the timers.
  | { type: 'planRecorded' }
  | { type: 'planRefused'; reason: string }
  | { type: 'announced'; plan: number }
  | { type: 'timer'; timer: 'deadline' | 'reminder' | 'start' | 'recheck'; plan: number }
  | { type: 'readinessChecked'; plan: number; ok: boolean; summary: string }
  | {
      type: 'folderFinished';
      code: string;
      outcome: 'live' | 'failed';
      failure: string | null;
      freezeWindowMs: number | null;
    }
  /** A folder's start was dropped because the batch no longer runs (aborted, paused or halted before it began). */
  | { type: 'folderNotStarted'; code: string }
  /** The retirement came back (done, or dropped by an abort that came first). */
  | { type: 'retirementDone' };

export type BatchCommandType = BatchCommand['type'];
export const BATCH_COMMAND_TYPES: readonly BatchCommandType[] = [
  'approve',
  'reject',
  'reschedule',
  'pause',
  'resume',
  'abort',
  'overrideReadiness',
  'cancelRequested',
  'planRecorded',
  'planRefused',
  'announced',
  'timer',
  'readinessChecked',
  'folderFinished',
  'folderNotStarted',
  'retirementDone',
];

export type BatchNoticeKind =
  'batch_announced' | 'batch_reminder' | 'folders_live' | 'batch_cancelled' | 'batch_outcome';

export type BatchEffect =
  /** Record the plan (batch row, its folders, the event); answered by planRecorded or planRefused. */
  | { type: 'recordPlan' }
  /** Write a status (and what changes with it) and its event, keyed by `seq`. */
  | {
      type: 'persist';
      seq: number;
      status: BatchStatus;
      actor: string;
      reason: string | null;
      change?: 'approve' | 'void_approval' | 'start';
      plannedAt?: string;
      startedAt?: string;
      plain?: true;
    }
  | { type: 'notify'; kind: BatchNoticeKind; plan: number }
  | { type: 'checkReadiness'; plan: number }
  | { type: 'startFolder'; code: string }
  /** Announcements and reminders still queued for a stopped batch are withdrawn (never sent). */
  | { type: 'withdrawNotices' }
  /** At the start: the batch's retired folders are closed and hidden on legacy. */
  | { type: 'retireFolders' }
  /** The end: final status, each folder's outcome, folders never started back to legacy, the plan released (I4). */
  | { type: 'finish'; seq: number; status: BatchStatus; actor: string; reason: string; plain?: true };

export function initialBatchState(p: BatchPlan): BatchState {
  return {
    batchId: p.batchId,
    status: 'requested',
    requestedBy: p.requestedBy,
    editors: [p.requestedBy],
    approvedBy: null,
    plannedAt: p.plannedAt,
    reminderAt: p.reminderAt,
    plan: 0,
    remindedPlan: null,
    everAnnounced: false,
    readinessCheck: 'idle',
    readinessCheckedAt: null,
    readinessOverridden: false,
    failurePolicy: p.failurePolicy,
    concurrency: p.concurrency,
    maxNotReady: p.maxNotReady,
    readinessRecheckMs: p.readinessRecheckMs,
    minNoticeMs: p.minNoticeMs,
    cancelPending: false,
    halted: false,
    order: [...p.folders],
    folders: Object.fromEntries(
      p.folders.map((c) => [c, { status: 'pending', failure: null, freezeWindowMs: null }]),
    ),
    retire: [...(p.retire ?? [])],
    retiring: false,
    reason: null,
    seq: 0,
    outcomeNotices: Boolean(p.outcomeNotices),
  };
}

type Result = Decision<BatchState, BatchEffect>;
const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoString: string) => Date.parse(isoString);

/** One transition of a batch. Pure: the same state, command and instant always give the same answer. */
export function transitionBatch(s: BatchState, c: BatchCommand, now: number): Result {
  const who = (by: Actor) => by.operator;
  const is = (...statuses: BatchStatus[]) => statuses.includes(s.status);
  const why = (text: string) => refuse(`batch ${s.batchId} is ${s.status}: ${text}`);
  if ('by' in c && isFinalBatch(s.status)) return why('it has finished, so there is nothing left to change');
  if ('by' in c && s.status === 'requested')
    return why('its plan is still being recorded; try again in a moment');

  switch (c.type) {
    case 'planRecorded':
      if (!is('requested')) return stale(s);
      if (s.cancelPending)
        return stopBeforeStart({ ...s, status: 'awaiting_approval' }, 'aborted', SYSTEM, CANCELLED);
      return accept({ ...s, status: 'awaiting_approval' });
    case 'planRefused':
      return is('requested') ? accept({ ...s, status: 'refused', reason: c.reason }) : stale(s);

    case 'approve': {
      const role = needsRole(c.by, 'batch.approve');
      if (role) return forbid(role);
      if (!is('awaiting_approval')) {
        return why(
          s.approvedBy
            ? `it was approved by ${s.approvedBy} already`
            : 'only a batch awaiting approval can be approved',
        );
      }
      if (ownWork('batch.approve', who(c.by), s.editors)) {
        const did = who(c.by) === s.requestedBy ? 'planned' : 'rescheduled';
        return forbid(
          `four eyes: ${who(c.by)} ${did} batch ${s.batchId} and cannot approve it; ask another approver`,
        );
      }
      if (c.plannedAt !== undefined && ms(c.plannedAt) !== ms(s.plannedAt)) {
        return why(
          `it changed since you looked: it is planned for ${s.plannedAt} now, not ${c.plannedAt}; look at it again, then approve`,
        );
      }
      if (now >= ms(s.plannedAt))
        return why(`its planned time ${s.plannedAt} has passed: reschedule it first`);
      if (ms(s.plannedAt) - now < s.minNoticeMs) {
        return why(
          `firms are told at the approval, and ${s.plannedAt} is now less than the notice period (${Math.round(s.minNoticeMs / 3_600_000)} h) away: reschedule it first`,
        );
      }
      const next = step({
        ...s,
        status: 'approved',
        approvedBy: who(c.by),
        everAnnounced: true,
        remindedPlan: now >= ms(s.reminderAt) ? s.plan : s.remindedPlan,
      });
      return accept(next, [
        persist(next, 'approved', who(c.by), null, { change: 'approve' }),
        { type: 'notify', kind: 'batch_announced', plan: s.plan },
      ]);
    }

    case 'reject': {
      const role = needsRole(c.by, 'batch.reject');
      if (role) return forbid(role);
      if (!is('awaiting_approval'))
        return why(
          `it was approved already: an approved batch is stopped with 'ecp-cutover batch abort ${s.batchId} --reason ...'`,
        );
      return stopBeforeStart(s, 'rejected', who(c.by), `rejected by ${who(c.by)}: ${c.reason}`);
    }

    case 'reschedule': {
      const role = needsRole(c.by, 'batch.reschedule');
      if (role) return forbid(role);
      if (!is(...BEFORE_START)) return why('only a batch that has not started can be rescheduled');
      if (!(ms(c.plannedAt) > now)) return refuse(`the new time ${c.plannedAt} is not in the future`);
      const next = step({
        ...s,
        status: 'awaiting_approval',
        approvedBy: null,
        plan: s.plan + 1,
        plannedAt: c.plannedAt,
        reminderAt: c.reminderAt,
        editors: s.editors.includes(who(c.by)) ? s.editors : [...s.editors, who(c.by)],
        readinessCheck: 'idle',
        readinessCheckedAt: null,
        readinessOverridden: false,
      });
      return accept(next, [
        persist(next, 'awaiting_approval', who(c.by), `rescheduled to ${c.plannedAt}; approval voided`, {
          change: 'void_approval',
          plannedAt: c.plannedAt,
        }),
      ]);
    }

    case 'pause': {
      const role = needsRole(c.by, 'batch.pause');
      if (role) return forbid(role);
      if (!is('running'))
        return why(is('paused') ? 'it is paused already' : 'only a running batch can be paused');
      const next = step({ ...s, status: 'paused' });
      return accept(next, [persist(next, 'paused', who(c.by), 'no new folder starts; running ones finish')]);
    }

    case 'resume': {
      const role = needsRole(c.by, 'batch.resume');
      if (role) return forbid(role);
      if (!is('paused')) return why('only a paused batch can be resumed');
      const next = step({ ...s, status: 'running' });
      return advance(next, [persist(next, 'running', who(c.by), 'resumed')]);
    }

    case 'abort':
    case 'cancelRequested': {
      const actor = c.type === 'abort' ? who(c.by) : SYSTEM;
      const reason = c.type === 'abort' ? `aborted by ${actor}: ${c.reason}` : CANCELLED;
      if (c.type === 'cancelRequested' && is('requested')) return accept({ ...s, cancelPending: true });
      const role = c.type === 'abort' ? needsRole(c.by, 'batch.abort') : null;
      if (role) return forbid(role);
      if (isFinalBatch(s.status) || is('requested'))
        return c.type === 'abort' ? why('there is nothing left to abort') : stale(s);
      if (is('aborting')) return c.type === 'abort' ? why('it is being aborted already') : stale(s);
      if (is(...BEFORE_START)) return stopBeforeStart(s, 'aborted', actor, reason);
      // Running or paused: folders not started stay on legacy; started ones finish or compensate.
      const folders = mapPending(s, 'aborted');
      const next = step({ ...s, status: 'aborting', folders, reason });
      return advance(next, [persist(next, 'aborting', actor, reason), { type: 'withdrawNotices' }]);
    }

    case 'overrideReadiness': {
      const role = needsRole(c.by, 'batch.override_readiness');
      if (role) return forbid(role);
      if (!is('blocked_on_readiness')) return why('only a batch blocked on readiness can be overridden');
      if (ownWork('batch.override_readiness', who(c.by), s.editors))
        return forbid(
          `four eyes: ${who(c.by)} planned batch ${s.batchId} and cannot override its readiness; ask another approver`,
        );
      return run(
        { ...s, readinessOverridden: true, readinessCheck: 'idle' },
        who(c.by),
        `readiness overridden by ${who(c.by)}: ${c.reason}`,
        now,
      );
    }

    case 'announced':
      if (c.plan !== s.plan || !is('approved')) return stale(s);
      {
        const next = step({ ...s, status: 'announced' });
        return accept(next, [persist(next, 'announced', SYSTEM, 'participants told')]);
      }

    case 'timer':
      return fire(s, c.timer, c.plan, now);

    case 'readinessChecked': {
      if (
        c.plan !== s.plan ||
        s.readinessCheck !== 'checking' ||
        !is('approved', 'announced', 'blocked_on_readiness')
      )
        return stale(s);
      const checked = { ...s, readinessCheck: 'idle' as const, readinessCheckedAt: iso(now) };
      if (c.ok) return run(checked, SYSTEM, `readiness within the limit: ${c.summary}`, now);
      if (is('blocked_on_readiness')) return accept(checked);
      const next = step({ ...checked, status: 'blocked_on_readiness' });
      return accept(next, [persist(next, 'blocked_on_readiness', SYSTEM, c.summary)]);
    }

    case 'folderNotStarted': {
      const f = s.folders[c.code];
      if (!f || f.status !== 'running') return stale(s);
      return advance(
        {
          ...s,
          folders: { ...s.folders, [c.code]: { ...f, status: is('aborting') ? 'aborted' : 'pending' } },
        },
        [],
      );
    }

    case 'retirementDone':
      return s.retiring ? advance({ ...s, retiring: false }, []) : stale(s);

    case 'folderFinished': {
      const f = s.folders[c.code];
      if (!f || f.status !== 'running') return stale(s);
      const folders = {
        ...s.folders,
        [c.code]: { status: c.outcome, failure: c.failure, freezeWindowMs: c.freezeWindowMs },
      };
      const halted = s.halted || (c.outcome === 'failed' && s.failurePolicy === 'halt');
      return advance({ ...s, folders, halted }, []);
    }
  }
}

/** The earliest timer the batch waits for in its state, if any. */
export function nextBatchTimer(s: BatchState): { at: string; command: BatchCommand } | null {
  const timer = (t: 'deadline' | 'reminder' | 'start' | 'recheck', at: string) => ({
    at,
    command: { type: 'timer' as const, timer: t, plan: s.plan },
  });
  switch (s.status) {
    case 'awaiting_approval':
      return timer('deadline', s.plannedAt);
    case 'approved':
    case 'announced':
      if (s.readinessCheck === 'checking') return null;
      if (s.remindedPlan !== s.plan && ms(s.reminderAt) < ms(s.plannedAt))
        return timer('reminder', s.reminderAt);
      return timer('start', s.plannedAt);
    case 'blocked_on_readiness':
      return s.readinessCheck === 'checking'
        ? null
        : timer('recheck', iso(ms(s.readinessCheckedAt ?? s.plannedAt) + s.readinessRecheckMs));
    default:
      return null;
  }
}

/**
 * Whether an effect still serves the batch: an announcement or reminder of a stopped or replaced plan does
 * not, nor the start of a folder once the batch is stopped, paused or halted (batchSkipped tells the machine).
 */
export function batchWants(s: BatchState, e: BatchEffect): boolean {
  if (e.type === 'notify' && (e.kind === 'batch_announced' || e.kind === 'batch_reminder'))
    return e.plan === s.plan && s.status !== 'aborting' && !isFinalBatch(s.status);
  if (e.type === 'checkReadiness') return e.plan === s.plan && s.readinessCheck === 'checking';
  if (e.type === 'startFolder')
    return s.status === 'running' && !s.halted && s.folders[e.code]?.status === 'running';
  // An abort that came before the retirement ran stops it too.
  if (e.type === 'retireFolders') return s.retiring && (s.status === 'running' || s.status === 'paused');
  return true;
}

/**
 * A write refused for good on its data: the plan is refused (nothing was recorded); a status or the end is
 * written again with every free text replaced (`plain`), so an abort still ends the batch and its notices
 * still go; a plain write that fails too fails the workflow.
 */
export function recoverBatch(
  _s: BatchState,
  e: BatchEffect,
  failure: string,
): Recovery<BatchCommand, BatchEffect> | null {
  if (e.type === 'recordPlan')
    return { command: { type: 'planRefused', reason: `the plan could not be recorded: ${failure}` } };
  if ((e.type === 'persist' || e.type === 'finish') && !e.plain)
    return { effect: { ...e, reason: notStored(failure), plain: true } };
  return null;
}

export function batchSkipped(_s: BatchState, e: BatchEffect): BatchCommand | null {
  if (e.type === 'startFolder') return { type: 'folderNotStarted', code: e.code };
  if (e.type === 'retireFolders') return { type: 'retirementDone' };
  return null;
}

const CANCELLED = 'aborted: a cancellation was requested through Temporal (not a command of an operator)';

/** What a query shows and an Update answers. */
export interface BatchProgress {
  batchId: string;
  status: BatchStatus;
  plannedAt: string;
  approvedBy: string | null;
  reason: string | null;
  folders: Record<string, FolderProgress>;
}

export const batchProgress = (s: BatchState): BatchProgress => ({
  batchId: s.batchId,
  status: s.status,
  plannedAt: s.plannedAt,
  approvedBy: s.approvedBy,
  reason: s.reason,
  folders: s.folders,
});

// ---- helpers ----

function fire(
  s: BatchState,
  timer: 'deadline' | 'reminder' | 'start' | 'recheck',
  plan: number,
  now: number,
): Result {
  const due = nextBatchTimer(s);
  if (
    plan !== s.plan ||
    !due ||
    due.command.type !== 'timer' ||
    due.command.timer !== timer ||
    now < ms(due.at)
  )
    return stale(s);
  switch (timer) {
    case 'deadline':
      return stopBeforeStart(s, 'expired', SYSTEM, `not approved before ${s.plannedAt}`);
    case 'reminder':
      return accept(
        { ...s, remindedPlan: s.plan },
        now < ms(s.plannedAt) ? [{ type: 'notify', kind: 'batch_reminder', plan: s.plan }] : [],
      );
    case 'start':
      if (s.maxNotReady && !s.readinessOverridden)
        return accept({ ...s, readinessCheck: 'checking' }, [{ type: 'checkReadiness', plan: s.plan }]);
      return run(s, SYSTEM, `cutover started at the planned time ${s.plannedAt}`, now);
    case 'recheck':
      return accept({ ...s, readinessCheck: 'checking' }, [{ type: 'checkReadiness', plan: s.plan }]);
  }
}

/** Rejected, aborted or expired before the start: every folder stays on legacy; firms told are told it is off. */
function stopBeforeStart(
  s: BatchState,
  status: 'rejected' | 'aborted' | 'expired',
  actor: string,
  reason: string,
): Result {
  const next = step({
    ...s,
    status,
    reason,
    folders: status === 'aborted' ? mapPending(s, 'aborted') : s.folders,
  });
  const effects: BatchEffect[] = [
    { type: 'withdrawNotices' },
    { type: 'finish', seq: next.seq, status, actor, reason },
  ];
  if (s.everAnnounced) effects.push({ type: 'notify', kind: 'batch_cancelled', plan: s.plan });
  return accept(next, effects);
}

function run(s: BatchState, actor: string, reason: string, now: number): Result {
  const next = step({ ...s, status: 'running' });
  if (!s.retire.length)
    return advance(next, [persist(next, 'running', actor, reason, { change: 'start', startedAt: iso(now) })]);
  // The retirement goes after the first wave of starts (a slow platform does not hold them up); the batch
  // does not end before it comes back.
  const d = advance({ ...next, retiring: true }, [
    persist(next, 'running', actor, reason, { change: 'start', startedAt: iso(now) }),
  ]);
  return d.ok ? accept(d.state, [...d.effects, { type: 'retireFolders' }]) : d;
}

/** Starts folders while there is room, and ends the batch once nothing runs and nothing more may start. */
function advance(s: BatchState, effects: BatchEffect[]): Result {
  const folders = { ...s.folders };
  const out = [...effects];
  let inFlight = s.order.filter((c) => folders[c].status === 'running').length;
  if (s.status === 'running' && !s.halted) {
    for (const code of s.order) {
      if (inFlight >= s.concurrency) break;
      if (folders[code].status !== 'pending') continue;
      folders[code] = { ...folders[code], status: 'running' };
      out.push({ type: 'startFolder', code });
      inFlight++;
    }
  }
  const next = { ...s, folders };
  if (inFlight > 0 || s.retiring) return accept(next, out);
  const pending = s.order.some((c) => folders[c].status === 'pending');
  if (s.status === 'aborting') return finish(next, 'aborted', s.reason ?? 'aborted', out);
  if ((s.status === 'running' || s.status === 'paused') && (!pending || s.halted)) {
    const done = { ...next, folders: s.halted ? mapPending(next, 'skipped') : folders };
    const live = s.order.filter((c) => done.folders[c].status === 'live').length;
    const status = live === s.order.length ? 'completed' : 'completed_with_failures';
    return finish(
      done,
      status,
      `${live} of ${s.order.length} folders live${s.retire.length ? `; ${s.retire.length} retired` : ''}${s.halted && pending ? '; halted after a failure' : ''}`,
      out,
    );
  }
  return accept(next, out);
}

function finish(s: BatchState, status: BatchStatus, reason: string, effects: BatchEffect[]): Result {
  const next = step({ ...s, status, reason });
  const out: BatchEffect[] = [...effects, { type: 'finish', seq: next.seq, status, actor: SYSTEM, reason }];
  // Every firm concerned is told each of its folders' outcome once (telling them is this tool's rule; what a
  // moved or unmoved folder means for them is FAQ D.27's).
  if (s.outcomeNotices)
    return accept(next, [...out, { type: 'notify', kind: 'batch_outcome', plan: s.plan }]);
  // Before that: firms were told what moved, and what was retired (it was, at the start).
  const live = s.order.some((c) => s.folders[c].status === 'live');
  if (live || s.retire.length) out.push({ type: 'notify', kind: 'folders_live', plan: s.plan });
  if (status === 'aborted' && s.everAnnounced && s.order.some((c) => s.folders[c].status !== 'live'))
    out.push({ type: 'notify', kind: 'batch_cancelled', plan: s.plan });
  return accept(next, out);
}

function mapPending(s: BatchState, to: BatchFolderStatus): Record<string, FolderProgress> {
  return Object.fromEntries(
    Object.entries(s.folders).map(([c, f]) => [c, f.status === 'pending' ? { ...f, status: to } : f]),
  );
}

const step = (s: BatchState): BatchState => ({ ...s, seq: s.seq + 1 });

function persist(
  s: BatchState,
  status: BatchStatus,
  actor: string,
  reason: string | null,
  extra: { change?: 'approve' | 'void_approval' | 'start'; plannedAt?: string; startedAt?: string } = {},
): BatchEffect {
  return { type: 'persist', seq: s.seq, status, actor, reason, ...extra };
}
