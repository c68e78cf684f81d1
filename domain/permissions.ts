import type { CommandAction } from './commands';
import { ROLES, type Role } from './operators';

/**
 * Who may do what: every command of the control plane → the roles that may issue it. The one table of it:
 * the control API's routes take their `roles` from here (contract/api.ts), the application layer refuses by
 * it before asking Temporal (app/context.ts), the lifecycle machines decide by it where the change is made
 * (domain/lifecycle.ts), and the console shows only what the operator may do (console/can.ts).
 * The workflow commands are named as they are signed (domain/commands.ts); the rest are the control plane's own.
 * Version 1 of the workflows (workflows/v1) keeps the checks it was recorded with: it only replays old histories.
 */
export const PERMISSIONS = {
  'batch.plan': ['planner'],
  'batch.approve': ['approver'],
  'batch.reject': ['approver'],
  'batch.reschedule': ['planner'],
  'batch.pause': ['planner'],
  'batch.resume': ['planner'],
  'batch.abort': ['planner', 'approver'],
  'batch.override_readiness': ['approver'],
  /** A rehearsal of the batch's moves against the platforms' rehearsal environment: the planner's, the week before. */
  'batch.rehearse': ['planner'],
  'switch_back.request': ['planner'],
  'switch_back.approve': ['approver'],
  'switch_back.reject': ['approver'],
  'repair.request': ['planner'],
  'repair.approve': ['approver'],
  'repair.reject': ['approver'],
  'decommission.schedule': ['planner'],
  'decommission.approve': ['approver'],
  'decommission.reschedule': ['planner'],
  'directory.import': ['planner'],
  /** A reconciler pass now: the platform team's (it may disable a folder on a platform). */
  'reconcile.run': ['planner', 'approver'],
  /** Every read (folders, batches, participants, events, drifts, the decommission): any role. */
  read: ROLES,
  /** Who am I: any signed-in operator, one without a role too (so that they learn they have none). */
  whoami: [],
} as const satisfies { [A in CommandAction]: readonly Role[] } & Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * Four eyes: a change is approved by someone else than who made it. Whoever planned or rescheduled a batch or
 * the decommission (its editors), or requested a switch-back or a repair, may not approve it; nor may the
 * editors of a batch override its readiness.
 */
export const FOUR_EYES: readonly Permission[] = [
  'batch.approve',
  'batch.override_readiness',
  'switch_back.approve',
  'repair.approve',
  'decommission.approve',
];

/** The roles that may issue `command` ([]: any signed-in operator). */
export const rolesFor = (command: Permission): readonly Role[] => PERMISSIONS[command];

/** Whether roles `held` allow `command` (by role alone). */
export const allows = (held: readonly Role[], command: Permission): boolean =>
  holdsAny(held, rolesFor(command));

/** Whether `held` has one of `roles` ([]: anyone does). */
const holdsAny = (held: readonly Role[], roles: readonly Role[]): boolean =>
  roles.length === 0 || roles.some((r) => held.includes(r));

/** Whether four eyes keeps `operator` from `command` on something `editors` made. */
export const ownWork = (command: Permission, operator: string, editors: readonly string[]): boolean =>
  FOUR_EYES.includes(command) && editors.includes(operator);

/** Whether `op` may issue `command` on something made by `editors` (role and four eyes). */
export function may(
  op: { name: string; roles: readonly Role[] },
  command: Permission,
  editors: readonly string[] = [],
): boolean {
  return allows(op.roles, command) && !ownWork(command, op.name, editors);
}

/**
 * The refusal of an operator who holds none of `roles` (a command's: `rolesFor`), in one line; null if they
 * hold one. The application layer and the control API's routes answer with it.
 */
export function roleRefusal(
  op: { name: string; roles: readonly Role[] },
  roles: readonly Role[],
): string | null {
  if (holdsAny(op.roles, roles)) return null;
  return `operator '${op.name}' does not hold the ${roles.join(' or ')} role (has: ${op.roles.join(', ') || 'none'})`;
}
