import { type Decision, type Recovery, accept, forbid, needsRole, refuse, stale } from './lifecycle';
import { ownWork } from './permissions';
import { notStored } from './text';
import { type Actor, SYSTEM } from './operators';

/**
 * A switch-back request for one live folder (workflow `rollback-<folder>`), as a pure machine:
 *
 *   requested ─recorded─▶ awaiting_approval ─approve (a second operator)─▶ running ─▶ succeeded | compensated
 *        │                  │     │     │
 *        ▼                  ▼     ▼     ▼
 *     refused          rejected expired cancelled (a cancellation through Temporal before the approval)
 *
 * Once approved, the move runs to its end: a failure compensates it (the folder stays live), and a
 * cancellation through Temporal no longer stops it. A supervised repair (`repair` set) is the same request
 * and approval, four eyes included; its move drives both platforms to the side it names.
 */
export const SWITCH_BACK_STATUSES = [
  'requested',
  'awaiting_approval',
  'running',
  'succeeded',
  'compensated',
  'rejected',
  'expired',
  'cancelled',
  'refused',
] as const;
export type SwitchBackStatus = (typeof SWITCH_BACK_STATUSES)[number];
export const FINAL_SWITCH_BACK_STATUSES: readonly SwitchBackStatus[] = [
  'succeeded',
  'compensated',
  'rejected',
  'expired',
  'cancelled',
  'refused',
];
export const isFinalSwitchBack = (s: SwitchBackStatus) => FINAL_SWITCH_BACK_STATUSES.includes(s);

export interface SwitchBackState {
  folderCode: string;
  status: SwitchBackStatus;
  requestedBy: string;
  reason: string;
  /** The request expires unapproved at this instant. */
  expiresAt: string;
  approvedBy: string | null;
  rejectedBy: string | null;
  /** Why it ended (a refusal, a rejection, the move's failure). */
  outcome: string | null;
  /**
   * The same approval, for a supervised repair of a stuck or drifted folder (workflow `repair-<folder>`,
   * `folder repair CODE --to legacy|live`): absent for a switch-back.
   */
  repair?: { to: 'legacy' | 'live' };
}

/** How the request is named in messages, and the prefix of its events (rollback_approved, repair_approved, …). */
const noun = (s: SwitchBackState) => (s.repair ? `repair (to ${s.repair.to})` : 'switch-back');
const prefix = (s: SwitchBackState) => (s.repair ? 'repair' : 'rollback');

export type SwitchBackCommand =
  | { type: 'approve'; by: Actor }
  | { type: 'reject'; by: Actor; reason: string }
  | { type: 'cancelRequested' }
  | { type: 'recorded' }
  | { type: 'refusedAtStart'; reason: string }
  | { type: 'timer'; timer: 'expiry' }
  | { type: 'moveFinished'; outcome: 'succeeded' | 'compensated' | 'refused'; failure: string | null };

export const SWITCH_BACK_COMMAND_TYPES: readonly SwitchBackCommand['type'][] = [
  'approve',
  'reject',
  'cancelRequested',
  'recorded',
  'refusedAtStart',
  'timer',
  'moveFinished',
];

export type SwitchBackEffect =
  /** Check the request (signature, folder live) and record it; answered by recorded or refusedAtStart. */
  | { type: 'recordRequest' }
  /** An event on the folder's audit trail: rollback_approved, rollback_rejected, ... */
  | { type: 'record'; to: string; actor: string; reason: string | null; plain?: true }
  /** The saga ECP 2.0 → legacy; answered by moveFinished. */
  | { type: 'move'; actor: string; reason: string }
  /** The firms that use the folder are told it is back on legacy. */
  | { type: 'notify' };

export function initialSwitchBackState(input: {
  folderCode: string;
  requestedBy: string;
  reason: string;
  expiresAt: string;
  repair?: { to: 'legacy' | 'live' };
}): SwitchBackState {
  return { ...input, status: 'requested', approvedBy: null, rejectedBy: null, outcome: null };
}

type Result = Decision<SwitchBackState, SwitchBackEffect>;

export function transitionSwitchBack(s: SwitchBackState, c: SwitchBackCommand, now: number): Result {
  const why = (text: string) => refuse(`the ${noun(s)} of ${s.folderCode} is ${s.status}: ${text}`);
  switch (c.type) {
    case 'recorded':
      return s.status === 'requested' ? accept({ ...s, status: 'awaiting_approval' }) : stale(s);
    case 'refusedAtStart':
      return s.status === 'requested' ? accept({ ...s, status: 'refused', outcome: c.reason }) : stale(s);

    case 'approve': {
      if (s.status !== 'awaiting_approval') return why(`only a ${noun(s)} awaiting approval can be approved`);
      const role = needsRole(c.by, s.repair ? 'repair.approve' : 'switch_back.approve');
      if (role) return forbid(role);
      if (ownWork(s.repair ? 'repair.approve' : 'switch_back.approve', c.by.operator, [s.requestedBy])) {
        return forbid(
          `four eyes: ${c.by.operator} requested the ${noun(s)} of ${s.folderCode} and cannot approve it; ask another approver`,
        );
      }
      if (now >= Date.parse(s.expiresAt)) return why(`the request expired at ${s.expiresAt}`);
      const by = c.by.operator;
      return accept({ ...s, status: 'running', approvedBy: by }, [
        { type: 'record', to: `${prefix(s)}_approved`, actor: by, reason: null },
        {
          type: 'move',
          actor: by,
          reason: `${noun(s)} requested by ${s.requestedBy} (${s.reason}), approved by ${by}`,
        },
      ]);
    }

    case 'reject': {
      if (s.status !== 'awaiting_approval') return why(`only a ${noun(s)} awaiting approval can be rejected`);
      const role = needsRole(c.by, s.repair ? 'repair.reject' : 'switch_back.reject');
      if (role) return forbid(role);
      return accept(
        {
          ...s,
          status: 'rejected',
          rejectedBy: c.by.operator,
          outcome: `rejected by ${c.by.operator}: ${c.reason}`,
        },
        [{ type: 'record', to: `${prefix(s)}_rejected`, actor: c.by.operator, reason: c.reason }],
      );
    }

    case 'cancelRequested':
      if (s.status !== 'awaiting_approval') return stale(s);
      return accept({ ...s, status: 'cancelled', outcome: 'cancelled through Temporal before approval' }, [
        {
          type: 'record',
          to: `${prefix(s)}_cancelled`,
          actor: SYSTEM,
          reason: 'cancellation requested through Temporal',
        },
      ]);

    case 'timer':
      if (s.status !== 'awaiting_approval' || now < Date.parse(s.expiresAt)) return stale(s);
      return accept({ ...s, status: 'expired', outcome: `not approved by ${s.expiresAt}` }, [
        {
          type: 'record',
          to: `${prefix(s)}_expired`,
          actor: SYSTEM,
          reason: `no approval by ${s.expiresAt}`,
        },
      ]);

    case 'moveFinished':
      if (s.status !== 'running') return stale(s);
      // A switch-back tells the firms; a repair puts the folder where its record (re)says, which they were told.
      return accept(
        { ...s, status: c.outcome, outcome: c.failure },
        c.outcome === 'succeeded' && !s.repair ? [{ type: 'notify' }] : [],
      );
  }
}

/** The request refused if it cannot be recorded; an event written again without the text it was given. */
export function recoverSwitchBack(
  _s: SwitchBackState,
  e: SwitchBackEffect,
  failure: string,
): Recovery<SwitchBackCommand, SwitchBackEffect> | null {
  if (e.type === 'recordRequest')
    return { command: { type: 'refusedAtStart', reason: `the request could not be recorded: ${failure}` } };
  if (e.type === 'record' && !e.plain) return { effect: { ...e, reason: notStored(failure), plain: true } };
  return null;
}

export function nextSwitchBackTimer(s: SwitchBackState): { at: string; command: SwitchBackCommand } | null {
  return s.status === 'awaiting_approval'
    ? { at: s.expiresAt, command: { type: 'timer', timer: 'expiry' } }
    : null;
}
