import { type Decision, accept, forbid, needsRole, refuse, stale } from './lifecycle';
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
 * cancellation through Temporal no longer stops it.
 */
export const SWITCH_BACK_STATUSES = ['requested', 'awaiting_approval', 'running', 'succeeded', 'compensated', 'rejected', 'expired', 'cancelled', 'refused'] as const;
export type SwitchBackStatus = (typeof SWITCH_BACK_STATUSES)[number];
export const FINAL_SWITCH_BACK_STATUSES: readonly SwitchBackStatus[] = ['succeeded', 'compensated', 'rejected', 'expired', 'cancelled', 'refused'];
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
}

export type SwitchBackCommand =
  | { type: 'approve'; by: Actor }
  | { type: 'reject'; by: Actor; reason: string }
  | { type: 'cancelRequested' }
  | { type: 'recorded' }
  | { type: 'refusedAtStart'; reason: string }
  | { type: 'timer'; timer: 'expiry' }
  | { type: 'moveFinished'; outcome: 'succeeded' | 'compensated' | 'refused'; failure: string | null };

export const SWITCH_BACK_COMMAND_TYPES: readonly SwitchBackCommand['type'][] = ['approve', 'reject', 'cancelRequested', 'recorded', 'refusedAtStart', 'timer', 'moveFinished'];

export type SwitchBackEffect =
  /** Check the request (signature, folder live) and record it; answered by recorded or refusedAtStart. */
  | { type: 'recordRequest' }
  /** An event on the folder's audit trail: rollback_approved, rollback_rejected, ... */
  | { type: 'record'; to: string; actor: string; reason: string | null }
  /** The saga ECP 2.0 → legacy; answered by moveFinished. */
  | { type: 'move'; actor: string; reason: string }
  /** The firms that use the folder are told it is back on legacy. */
  | { type: 'notify' };

export function initialSwitchBackState(input: { folderCode: string; requestedBy: string; reason: string; expiresAt: string }): SwitchBackState {
  return { ...input, status: 'requested', approvedBy: null, rejectedBy: null, outcome: null };
}

type Result = Decision<SwitchBackState, SwitchBackEffect>;

export function transitionSwitchBack(s: SwitchBackState, c: SwitchBackCommand, now: number): Result {
  const why = (text: string) => refuse(`the switch-back of ${s.folderCode} is ${s.status}: ${text}`);
  switch (c.type) {
    case 'recorded':
      return s.status === 'requested' ? accept({ ...s, status: 'awaiting_approval' }) : stale(s);
    case 'refusedAtStart':
      return s.status === 'requested' ? accept({ ...s, status: 'refused', outcome: c.reason }) : stale(s);

    case 'approve': {
      if (s.status !== 'awaiting_approval') return why('only a switch-back awaiting approval can be approved');
      const role = needsRole(c.by, 'approver');
      if (role) return forbid(role);
      if (c.by.operator === s.requestedBy) {
        return forbid(`four eyes: ${c.by.operator} requested the switch-back of ${s.folderCode} and cannot approve it; ask another approver`);
      }
      if (now >= Date.parse(s.expiresAt)) return why(`the request expired at ${s.expiresAt}`);
      const by = c.by.operator;
      return accept({ ...s, status: 'running', approvedBy: by }, [
        { type: 'record', to: 'rollback_approved', actor: by, reason: null },
        { type: 'move', actor: by, reason: `switch-back requested by ${s.requestedBy} (${s.reason}), approved by ${by}` },
      ]);
    }

    case 'reject': {
      if (s.status !== 'awaiting_approval') return why('only a switch-back awaiting approval can be rejected');
      const role = needsRole(c.by, 'approver');
      if (role) return forbid(role);
      return accept({ ...s, status: 'rejected', rejectedBy: c.by.operator, outcome: `rejected by ${c.by.operator}: ${c.reason}` }, [
        { type: 'record', to: 'rollback_rejected', actor: c.by.operator, reason: c.reason },
      ]);
    }

    case 'cancelRequested':
      if (s.status !== 'awaiting_approval') return stale(s);
      return accept({ ...s, status: 'cancelled', outcome: 'cancelled through Temporal before approval' }, [
        { type: 'record', to: 'rollback_cancelled', actor: SYSTEM, reason: 'cancellation requested through Temporal' },
      ]);

    case 'timer':
      if (s.status !== 'awaiting_approval' || now < Date.parse(s.expiresAt)) return stale(s);
      return accept({ ...s, status: 'expired', outcome: `not approved by ${s.expiresAt}` }, [
        { type: 'record', to: 'rollback_expired', actor: SYSTEM, reason: `no approval by ${s.expiresAt}` },
      ]);

    case 'moveFinished':
      if (s.status !== 'running') return stale(s);
      return accept({ ...s, status: c.outcome, outcome: c.failure }, c.outcome === 'succeeded' ? [{ type: 'notify' }] : []);
  }
}

export function nextSwitchBackTimer(s: SwitchBackState): { at: string; command: SwitchBackCommand } | null {
  return s.status === 'awaiting_approval' ? { at: s.expiresAt, command: { type: 'timer', timer: 'expiry' } } : null;
}
