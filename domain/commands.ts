import type { Actor, Role } from './operators';

/**
 * A command to a workflow, as the control plane issues it: what, to which workflow (and run), by whom
 * (verified), when, and its arguments — signed with a key that only the control API and the workers hold
 * (security/command-signing.ts). A workflow acts only on commands whose signature an activity verified,
 * so a start or an Update sent straight to Temporal (a forged approver, a hand-started cutover) changes nothing.
 */
export const COMMAND_ACTIONS = [
  'batch.plan',
  'batch.approve',
  'batch.reject',
  'batch.reschedule',
  'batch.pause',
  'batch.resume',
  'batch.abort',
  'batch.override_readiness',
  'batch.rehearse',
  'switch_back.request',
  'switch_back.approve',
  'switch_back.reject',
  'repair.request',
  'repair.approve',
  'repair.reject',
  'decommission.schedule',
  'decommission.approve',
  'decommission.reschedule',
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

export const actorOf = (c: Pick<CommandClaims, 'operator' | 'roles'>): Actor => ({
  operator: c.operator,
  roles: c.roles,
});

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

/** A rehearsal (workflows/batch-rehearsal.ts): its id, the plan it rehearses and that plan's hash (domain/rehearsal.ts), where it runs. */
export interface BatchRehearseArgs {
  rehearsalId: string;
  plan: import('./rehearsal').RehearsedPlan;
  planHash: string;
  /** Where the rehearsal runs (REHEARSAL_PLATFORM_URL), for the record. */
  environment: string;
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

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown) => typeof v === 'string';
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isTexts = (v: unknown) => Array.isArray(v) && v.every(isText);
const isInstant = (v: unknown) => isText(v) && !Number.isNaN(Date.parse(v as string));
const isMoveOptions = (v: unknown) =>
  isObject(v) &&
  isNumber(v.freezeWindowMaxMs) &&
  isNumber(v.drainTimeoutMs) &&
  (v.maxAttempts === undefined || isNumber(v.maxAttempts));

/** The shape of each start's arguments, as the control API makes them. */
const START_ARGS: Partial<Record<CommandAction, (a: Record<string, unknown>) => boolean>> = {
  'batch.plan': (a) =>
    isText(a.batchId) &&
    isText(a.name) &&
    isTexts(a.folders) &&
    (a.failurePolicy === 'continue' || a.failurePolicy === 'halt') &&
    isNumber(a.concurrency) &&
    (a.maxNotReady === null || isObject(a.maxNotReady)) &&
    isNumber(a.readinessRecheckMs) &&
    (a.minNoticeMs === undefined || isNumber(a.minNoticeMs)) &&
    isInstant(a.plannedAt) &&
    isInstant(a.reminderAt) &&
    isMoveOptions(a.moveOptions) &&
    (a.retire === undefined || isTexts(a.retire)),
  // A rehearsal (workflows/batch-rehearsal.ts): its id, the plan it rehearses and that plan's hash, where it runs.
  'batch.rehearse': (a) =>
    isText(a.rehearsalId) &&
    isText(a.planHash) &&
    isText(a.environment) &&
    isObject(a.plan) &&
    isText(a.plan.batchId) &&
    isTexts(a.plan.folders) &&
    isTexts(a.plan.retire) &&
    isInstant(a.plan.plannedAt) &&
    (a.plan.failurePolicy === 'continue' || a.plan.failurePolicy === 'halt') &&
    isNumber(a.plan.concurrency) &&
    isMoveOptions(a.plan.moveOptions),
  'switch_back.request': (a) =>
    isText(a.folderCode) && isText(a.reason) && isNumber(a.approvalTimeoutMs) && isMoveOptions(a.moveOptions),
  'repair.request': (a) =>
    isText(a.folderCode) &&
    (a.to === 'legacy' || a.to === 'live') &&
    isText(a.reason) &&
    isNumber(a.approvalTimeoutMs),
  'decommission.schedule': (a) =>
    isInstant(a.plannedAt) &&
    isTexts(a.reminderAts) &&
    (a.reminderAts as string[]).every(isInstant) &&
    isNumber(a.quietPeriodMs) &&
    isNumber(a.recheckMs),
};

/**
 * What is wrong with a workflow's start input, or null: it must be `{ command }`, a signed command for this
 * action whose arguments have the shape the control API gives them. Checked before the workflow builds any
 * state from it, so a start by hand with garbage ends the run at once rather than failing its first task
 * for ever (and holding its fixed id). The signature itself is verified next, by an activity.
 */
export function malformedStart(input: unknown, action: CommandAction): string | null {
  const command = isObject(input) ? input.command : undefined;
  if (!isObject(command)) return 'the start carries no command';
  if (
    command.action !== action ||
    !isText(command.sig) ||
    !isText(command.id) ||
    !isText(command.operator) ||
    !Array.isArray(command.roles)
  )
    return `the start carries no signed ${action} command`;
  if (!isObject(command.args) || !(START_ARGS[action]?.(command.args) ?? false))
    return `the ${action} command's arguments are malformed`;
  return null;
}
