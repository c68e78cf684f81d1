/** Operator roles (DESIGN.md §4). One operator may hold several. */
export const ROLES = ['planner', 'approver', 'support'] as const;
export type Role = (typeof ROLES)[number];

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
