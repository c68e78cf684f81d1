import { afterAll } from 'vitest';
import type { AppDeps } from '../../app/context';
import { createTokenAuthenticator } from '../../api/auth';
import { startControlApi } from '../../api/server';
import type { Db } from '../../db/connection';
import type { Role } from '../../domain/operators';
import { addOperator } from '../../stores/operator-store';

/** The standard test operators: alice plans, bob approves, carol supports (each with a token). */
export const TEST_OPERATORS: [string, Role[]][] = [
  ['alice', ['planner']],
  ['bob', ['approver']],
  ['carol', ['support']],
];

/**
 * Signs in to the console over plain HTTP (its sign-in form, with the pre-session cookie) and returns a GET
 * that carries the session cookie: for pages checked without a browser.
 */
export async function consoleSession(apiUrl: string, token: string) {
  const form = await fetch(`${apiUrl}/console/sign-in`);
  const pre = /ecp_console_pre=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1];
  const signedIn = await fetch(`${apiUrl}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: `ecp_console_pre=${pre}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, _pre: pre, next: '/console/batches' }),
  });
  const session = /ecp_console=([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')?.[1];
  if (signedIn.status !== 303 || !session) throw new Error(`console sign-in failed: ${signedIn.status}`);
  return async (path: string) =>
    (await fetch(apiUrl + path, { headers: { cookie: `ecp_console=${session}` } })).text();
}

/** A control API for this test file, in token mode, and the test operators' tokens. */
export async function controlApi(app: AppDeps, db: Db) {
  const tokens: Record<string, string> = {};
  for (const [name, roles] of TEST_OPERATORS)
    tokens[name] = (await addOperator(db, name, roles, 'test')).token;
  // Many tests sign in badly on purpose from one address: the limit on failed sign-ins (429) is tested on an API of its own.
  const api = await startControlApi({
    deps: app,
    auth: createTokenAuthenticator(app.stores.operators),
    log: { info: () => undefined, error: (fields, msg) => console.error(msg, fields) },
    signInLimit: { max: 10_000, windowMs: 60_000 },
  });
  afterAll(() => api.close());
  return { url: api.url, tokens };
}
