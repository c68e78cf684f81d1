/** Operator roles. One operator may hold several. */
export const ROLES = ['planner', 'approver', 'support'] as const;
export type Role = (typeof ROLES)[number];

/** An operator's name: lower-case letters, digits, '.', '_' or '-', at most 64 (what four eyes compares). */
export const OPERATOR_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Who issues a command, as verified by the control plane: the operator's name and the roles their
 * credential carried when the command was issued. Lifecycle machines decide with these, never with a name
 * typed on a command line.
 */
export interface Actor {
  operator: string;
  roles: readonly Role[];
}

/** The actor of what a workflow does by itself (timers, child outcomes). */
export const SYSTEM = 'system';
