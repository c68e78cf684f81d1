/**
 * Every error the control API (and the console and the portal) answers with: its code, its HTTP status, and
 * what the CLI makes of it (exit code 2 — bad input or refused — or 1). One table: the server answers from
 * it, the CLI reads answers by it, the OpenAPI document lists it.
 */
export const ERRORS = {
  bad_input: {
    status: 400,
    kind: 'input',
    description: 'bad JSON, a bad field (named), or text that cannot be taken',
  },
  bad_json: { status: 400, kind: 'input', description: 'the body is not valid JSON' },
  unauthorized: {
    status: 401,
    kind: 'unauthenticated',
    description: 'no credential, or one that was refused',
  },
  not_allowed: { status: 403, kind: 'not_allowed', description: 'a role the operator lacks, or four eyes' },
  csrf: {
    status: 403,
    kind: 'not_allowed',
    description: "a console form without its session's token, or from another site",
  },
  not_found: { status: 404, kind: 'not_found', description: 'no such thing, or no such endpoint' },
  method_not_allowed: { status: 405, kind: 'input', description: 'the path takes other methods (see Allow)' },
  conflict: { status: 409, kind: 'conflict', description: 'not in this state' },
  too_large: { status: 413, kind: 'input', description: 'the body is over the route limit' },
  unsupported_media_type: {
    status: 415,
    kind: 'input',
    description: 'the body is not of the type the route takes',
  },
  too_many_failures: {
    status: 429,
    kind: 'input',
    description: 'this credential (or, for unknown credentials, this address) failed to sign in too often',
  },
  busy: { status: 429, kind: 'input', description: 'too many sign-ins at once' },
  internal: {
    status: 500,
    kind: 'failure',
    description: 'an unexpected failure (logged by the server, never sent)',
  },
  unavailable: { status: 503, kind: 'failure', description: 'a dependency (PostgreSQL) does not answer' },
} as const;

export type ErrorCode = keyof typeof ERRORS;
/** What a caller does about it: the CLI's error classes (exit 2) or a failure (exit 1). */
export type ErrorKind = (typeof ERRORS)[ErrorCode]['kind'];

export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && Object.hasOwn(ERRORS, code);

/** A refused field: a form shows it beside the field. */
export interface Problem {
  field: string;
  message: string;
}

/** Statuses by what a route can meet (every route: 400, 401, 403, 404, 429, 500; a body: 413, 415; a change: 409). */
export function errorStatuses(opts: { body: boolean; change: boolean }): number[] {
  return [400, 401, 403, 404, ...(opts.change ? [409] : []), ...(opts.body ? [413, 415] : []), 429, 500, 503];
}
