import { z } from 'zod';
import { ERRORS, type ErrorCode, type Problem } from '../contract/errors';
import { PlanRefused } from '../domain/batch-plan';
import { isDomainError } from '../domain/errors';

/**
 * The one error type of the HTTP layer (control API, console, portal): a code from contract/errors.ts (which
 * fixes the status), one line a person reads, and optionally each field's problem. Nothing internal is ever
 * in it: an unexpected error becomes `internal` and is logged by the server, not sent.
 */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.status = ERRORS[code].status;
  }
  body() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.problems.length ? { problems: this.problems } : {}),
      },
    };
  }
}

/** A request that failed a route's schema (params, query or body): the first problem in the line, each problem listed. */
export class ValidationProblem extends Error {
  /** Which part of the request: Fastify sets it (body, querystring, params, headers). */
  validationContext?: string;
  constructor(readonly zod: z.ZodError) {
    super(zod.message);
  }
}

const WHERE: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

function validationError(err: ValidationProblem, context: string): HttpError {
  const where = WHERE[context] ?? context;
  const issue = err.zod.issues[0];
  const field = issue.path.join('.');
  const noun = where === 'query' ? 'query parameter' : where === 'path' ? 'path parameter' : `${where} field`;
  const line =
    issue.code === 'unrecognized_keys'
      ? `unknown ${noun}(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`
      : field
        ? `${noun} '${field}': ${issue.message}`
        : `the ${where === 'path' ? 'path' : where} ${issue.message.startsWith('Invalid input: expected object') ? `must be a JSON object${where === 'body' ? ' (send {} when there is nothing to say)' : ''}` : issue.message}`;
  const problems = err.zod.issues
    .filter((i) => i.path.length > 0)
    .map((i) => ({ field: i.path.join('.'), message: i.message }));
  return new HttpError('bad_input', line, {}, problems);
}

/** Fastify's own refusals (body parsing, limits, URLs) as ours; codes from its documentation. */
const FASTIFY: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['too_large', 'the request body is over the limit of this route'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['bad_input', 'the request body is not as long as Content-Length says'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    'bad_input',
    'the body is empty: send a JSON object ({} when there is nothing to say)',
  ],
  FST_ERR_CTP_INVALID_JSON_BODY: ['bad_json', 'the request body is not valid JSON'],
  FST_ERR_BAD_URL: ['bad_input', 'the request target is not a valid URL path (bad percent-encoding?)'],
  FST_ERR_ASYNC_CONSTRAINT: ['bad_input', 'the request does not match a route'],
};

/** Any error as the HttpError it is answered with, or null for an unexpected one (a 500, logged). */
export function asHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (isDomainError(err)) {
    const code: ErrorCode = Object.hasOwn(ERRORS, err.code)
      ? (err.code as ErrorCode)
      : err.code === 'unauthenticated'
        ? 'unauthorized'
        : 'bad_input';
    // A refused plan also names each problem's field (a form shows it beside the field).
    return new HttpError(code, err.message, {}, err instanceof PlanRefused ? err.problems : []);
  }
  const e = err as {
    code?: string;
    statusCode?: number;
    validation?: unknown;
    validationContext?: string;
  } & Error;
  if (e instanceof ValidationProblem) return validationError(e, e.validationContext ?? 'body');
  if (e && typeof e === 'object' && e.code && Object.hasOwn(FASTIFY, e.code))
    return new HttpError(FASTIFY[e.code][0], FASTIFY[e.code][1]);
  // Body parsing that failed in the parser (bad JSON, a prototype-poisoning key): a client's fault.
  if (
    e instanceof SyntaxError ||
    (e &&
      e.statusCode === 400 &&
      typeof e.message === 'string' &&
      /JSON|__proto__|constructor/i.test(e.message))
  )
    return new HttpError('bad_json', 'the request body is not valid JSON');
  return null;
}
