import type { AppDeps, Operator } from '../app/context';
import { PlanRefused } from '../domain/batch-plan';
import { isDomainError } from '../domain/errors';
import { HttpError } from './http';
import { ROUTES, type Route } from './routes';

/**
 * One way to call a use-case through the route table, for the JSON API and the console alike: the route is
 * matched, its path parameters checked, the operator's roles checked, its query and body validated by the
 * route's own schemas, and only then is the use-case called. The console's forms go through here too, so a
 * change made in a browser passes exactly the checks of the same change made with the CLI.
 */
export const STATUS: Record<string, number> = { bad_input: 400, not_found: 404, not_allowed: 403, conflict: 409 };

/** A domain error as the HTTP error it is answered with; anything else unchanged. */
export function asHttpError(err: unknown): unknown {
  if (!isDomainError(err)) return err;
  // A refused plan also names each problem's field (a form shows it beside the field).
  return new HttpError(STATUS[err.code] ?? 400, err.code, err.message, {}, err instanceof PlanRefused ? { problems: err.problems } : {});
}

const PARAM: Record<string, [RegExp, string]> = {
  id: [/^[A-Za-z0-9_-]{1,32}$/, 'a batch id: 1-32 letters, digits, _ or -'],
  code: [/^[A-Za-z0-9-]{1,16}$/, 'a folder code: letters, digits and -, at most 16'],
  participant: [/^\d{5}$/, 'a participant code: 5 digits, leading zeros kept (e.g. 01234)'],
};

/** Compiled once: each route's path as a regular expression and its parameter names. */
const compiled = ROUTES.map((r) => ({ route: r, names: [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]), re: new RegExp(`^${r.path.replace(/\{\w+\}/g, '([^/]+)')}$`) }));

export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } {
  const candidates = compiled.filter((c) => c.re.test(path));
  if (candidates.length === 0) throw new HttpError(404, 'not_found', `no such endpoint: ${path.slice(0, 100)} (see /openapi.json)`);
  const hit = candidates.find((c) => c.route.method === method);
  if (!hit) throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here: use ${candidates.map((c) => c.route.method).join(' or ')}`);
  const values = hit.re.exec(path)!.slice(1);
  const params: Record<string, string> = {};
  hit.names.forEach((name, i) => {
    let v: string;
    try {
      v = decodeURIComponent(values[i]);
    } catch {
      throw new HttpError(400, 'bad_input', `the ${name} in the path is not valid URL encoding`);
    }
    const [re, what] = PARAM[name];
    if (!re.test(v)) throw new HttpError(400, 'bad_input', `'${v.slice(0, 40)}' is not ${what}`);
    params[name] = v;
  });
  return { route: hit.route, params };
}

function validate(schema: Route['body'], value: unknown, where: string): unknown {
  if (!schema) return value;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.join('.');
  const what = issue.code === 'unrecognized_keys' ? `unknown ${where} field(s) ${(issue as { keys: string[] }).keys.map((k) => `'${k}'`).join(', ')}` : `${where} field '${field}': ${issue.message}`;
  // Each field's problem, for a form to show beside it (as a refused plan's problems are).
  const problems = r.error.issues.filter((i) => i.path.length > 0).map((i) => ({ field: i.path.join('.'), message: i.message }));
  throw new HttpError(400, 'bad_input', what, {}, problems.length ? { problems } : {});
}

/** 403 unless the operator holds one of the route's roles (any role for a route open to all). */
export function checkRoles(route: Route, op: Pick<Operator, 'name' | 'roles'>): void {
  if (route.roles.length > 0 && !route.roles.some((r) => op.roles.includes(r))) {
    throw new HttpError(403, 'not_allowed', `operator '${op.name}' does not hold the ${route.roles.join(' or ')} role (has: ${op.roles.join(', ') || 'none'})`);
  }
  if (op.roles.length === 0) throw new HttpError(403, 'not_allowed', `operator '${op.name}' holds no role`);
}

/** Roles, then query and body (by the route's schemas), then the use-case. */
export async function invokeRoute(deps: AppDeps, op: Operator, hit: { route: Route; params: Record<string, string> }, input: { query: Record<string, string>; body?: () => Promise<unknown> }): Promise<unknown> {
  const { route, params } = hit;
  checkRoles(route, op);
  const query = validate(route.query, input.query, 'query');
  const body = route.method === 'POST' ? validate(route.body, input.body ? await input.body() : {}, 'body') : undefined;
  return route.handle({ deps, op, params, body: body as never, query: query as never });
}
