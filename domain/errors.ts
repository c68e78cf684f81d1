/**
 * The domain's error classes. The CLI maps every one of them to exit code 2 ("bad input or refused by a
 * rule"); anything else is unexpected and exits 1. Messages say what went wrong and, where there is one,
 * the next command to run.
 */
export class DomainError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The input is malformed: a bad flag, date, code or file. */
export class InputError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'bad_input', options);
  }
}

/** The thing named does not exist. */
export class NotFoundError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'not_found', options);
  }
}

/** The request clashes with the current state (already planned, not live, already running...). */
export class ConflictError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'conflict', options);
  }
}

/** The actor may not do this (wrong role, self-approval). */
export class NotAllowedError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'not_allowed', options);
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

/** The CLI is not signed in to the control API, or its credential was refused. */
export class UnauthenticatedError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'unauthenticated', options);
  }
}
