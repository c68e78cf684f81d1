import type { Actor, Role } from './operators';

/**
 * A command to a workflow, as the control plane issues it: what, to which workflow (and run), by whom
 * (verified), when, and its arguments — signed with a key that only the control API and the workers hold
 * (security/command-signing.ts). A workflow acts only on commands whose signature an activity verified,
 * so a start or an Update sent straight to Temporal (a forged approver, a hand-started cutover) changes nothing.
 */
export const COMMAND_ACTIONS = [
  'batch.plan', 'batch.approve', 'batch.reject', 'batch.reschedule', 'batch.pause', 'batch.resume', 'batch.abort', 'batch.override_readiness',
  'switch_back.request', 'switch_back.approve', 'switch_back.reject',
  'repair.request', 'repair.approve', 'repair.reject',
  'decommission.schedule', 'decommission.approve', 'decommission.reschedule',
] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

/** Where a command was issued from, for the audit trail. */
export const COMMAND_SOURCES = ['cli', 'console', 'api'] as const;
export type CommandSource = (typeof COMMAND_SOURCES)[number];

export interface CommandClaims<A = unknown> {
  v: 1;
  /** Unique per command: a workflow applies a command id once. */
  id: string;
  action: CommandAction;
  /** The workflow id the command is for, and for an Update the run (a new run of the same id is another target). */
  workflowId: string;
  runId: string | null;
  operator: string;
  roles: Role[];
  /** The credential the operator proved their identity with (token id, or the identity provider's token id). */
  credentialId: string;
  source: CommandSource;
  issuedAt: string;
  args: A;
}

export interface SignedCommand<A = unknown> extends CommandClaims<A> {
  /** base64url HMAC-SHA256 over the canonical JSON of the claims. */
  sig: string;
}

export const actorOf = (c: Pick<CommandClaims, 'operator' | 'roles'>): Actor => ({ operator: c.operator, roles: c.roles });

/**
 * How long a signed Update stays good after it was issued (clocks of the API and the workers may differ a
 * little). A start is good for a day — its workflow may wait for a worker — and is used once at most (its
 * record is keyed by the command id).
 */
export const COMMAND_MAX_AGE_MS = 10 * 60_000;
export const START_COMMAND_MAX_AGE_MS = 24 * 3_600_000;

/** Arguments of each start. */
export interface BatchPlanArgs {
  batchId: string;
  name: string;
  folders: string[];
  failurePolicy: 'continue' | 'halt';
  concurrency: number;
  maxNotReady: { count: number } | { percent: number } | null;
  readinessRecheckMs: number;
  minNoticeMs: number;
  plannedAt: string;
  reminderAt: string;
  moveOptions: { freezeWindowMaxMs: number; drainTimeoutMs: number; maxAttempts?: number };
  /** Retired folders closed on legacy at the start (absent in plans made before retirement by batch). */
  retire?: string[];
}

export interface SwitchBackRequestArgs {
  folderCode: string;
  reason: string;
  approvalTimeoutMs: number;
  moveOptions: { freezeWindowMaxMs: number; drainTimeoutMs: number; maxAttempts?: number };
}

export interface DecommissionScheduleArgs {
  plannedAt: string;
  reminderAts: string[];
  quietPeriodMs: number;
  recheckMs: number;
}

/** A supervised repair of a stuck or drifted folder: drive both platforms to `to` and record it there. */
export interface RepairRequestArgs {
  folderCode: string;
  to: 'legacy' | 'live';
  reason: string;
  approvalTimeoutMs: number;
}
