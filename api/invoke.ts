import type { AppDeps, Operator } from '../app/context';
import { API, type RouteKey } from '../contract/api';
import { roleRefusal } from '../domain/permissions';
import { HttpError, ValidationProblem } from '../http/errors';
import { HANDLERS, type Call } from './routes';

/**
 * One way to call a route of the contract, for the JSON API and the console alike: the operator's roles are
 * checked against the route's, and only then is its use-case called. The API's input has been validated by
 * Fastify with the route's schemas; the console's forms are validated here with the same ones (`parse`), so a
 * change made in a browser passes exactly the checks of the same change made with the CLI.
 */

/** 403 unless the operator holds one of the route's roles (any role for a route open to all). */
export function checkRoles(key: RouteKey, op: Pick<Operator, 'name' | 'roles'>): void {
  const refusal = roleRefusal(op, API[key].roles);
  if (refusal) throw new HttpError('not_allowed', refusal);
}

export function invoke<K extends RouteKey>(key: K, call: Call<K>): Promise<unknown> {
  checkRoles(key, call.op);
  return (HANDLERS[key] as (c: Call<K>) => Promise<unknown>)(call);
}

/** A part of a request (its path parameters, query or body) validated by the route's schema, as Fastify would. */
export function parse<K extends RouteKey>(key: K, part: 'params' | 'query' | 'body', data: unknown): unknown {
  const schema = (API[key] as { params?: unknown; query?: unknown; body?: unknown })[part] as
    import('zod').ZodType | undefined;
  if (!schema) return {};
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  throw Object.assign(new ValidationProblem(r.error), {
    validationContext: part === 'query' ? 'querystring' : part,
  });
}

/** Runs a route as the console does: roles, then path parameters and body validated here, then the use-case. */
export function invokeWith<K extends RouteKey>(
  key: K,
  deps: AppDeps,
  op: Operator,
  input: { params: unknown; body: unknown },
): Promise<unknown> {
  checkRoles(key, op);
  const params = parse(key, 'params', input.params);
  const body = parse(key, 'body', input.body);
  return invoke(key, { deps, op, params, query: {}, body } as Call<K>);
}

export type { AppDeps };
