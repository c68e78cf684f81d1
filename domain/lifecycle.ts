import type { Actor } from './operators';
import { allows, rolesFor, type Permission } from './permissions';

/**
 * What a lifecycle machine answers to a command: the next state and the effects to perform, or a refusal
 * with the reason a person reads. "Ignored" (a stale timer, feedback of a replaced plan) is an accepted
 * decision that returns the very same state object and no effects.
 */
/** `forbidden`: this operator may not (a role, four eyes); `conflict`: nobody may, in this state. */
export type Refusal = { ok: false; refused: string; kind: 'forbidden' | 'conflict' };
export type Decision<S, E> = { ok: true; state: S; effects: E[] } | Refusal;

export const accept = <S, E>(state: S, effects: E[] = []): Decision<S, E> => ({ ok: true, state, effects });
export const refuse = (reason: string): Refusal => ({ ok: false, refused: reason, kind: 'conflict' });
export const forbid = (reason: string): Refusal => ({ ok: false, refused: reason, kind: 'forbidden' });
/** Nothing to do: the command belongs to an earlier plan or a state already left. */
export const stale = <S, E>(state: S): Decision<S, E> => ({ ok: true, state, effects: [] });

/** The refusal for an actor whose roles do not allow `command` (domain/permissions.ts), or null. */
export function needsRole(by: Actor, command: Permission): string | null {
  if (allows(by.roles, command)) return null;
  const roles = rolesFor(command);
  const has = by.roles.join(', ') || 'none';
  return roles.length === 1
    ? `operator '${by.operator}' does not hold the ${roles[0]} role (has: ${has})`
    : `operator '${by.operator}' holds neither the ${roles.join(' nor the ')} role (has: ${has})`;
}

/** A machine as the workflows interpret it (workflows/interpreter.ts). */
export interface Machine<S, C, E> {
  transition(state: S, command: C, now: number): Decision<S, E>;
  /** The earliest timer the state waits for, as the command to dispatch when it fires. */
  nextTimer(state: S): { at: string; command: C } | null;
  isFinal(state: S): boolean;
  /** False for an effect that no longer serves the state (it is skipped, or cancelled if running). */
  wants(state: S, effect: E): boolean;
  /** The command that tells the machine an effect was skipped, if it needs to know (a folder not started). */
  skipped?(state: S, effect: E): C | null;
  /**
   * An effect failed for good on its data (a value PostgreSQL refuses, say): what to do instead — the same
   * write without the text it was given, a command (a request refused), or null (the workflow fails).
   */
  recover?(state: S, effect: E, failure: string): Recovery<C, E> | null;
}

export type Recovery<C, E> = { effect: E } | { command: C };
