import type { Refusal } from '../../domain/intake-rules';

/**
 * An answer the simulator gives on purpose: an HTTP status and `{ code, message }`, where `code` is the
 * platform's error code (4505, 2000, …) or one of the simulator's own words (bad_request, not_found, …), and the
 * message says what happened and what to do. Nothing internal is ever put in one.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const refuse = (r: Refusal) => new HttpError(r.status, r.code, r.message);
export const bad = (message: string) => new HttpError(400, 'bad_request', message);
