import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config';
import type { CallInput, ReplyIn, RouteKey } from '../contract/api';
import { ERRORS, isErrorCode, type ErrorKind } from '../contract/errors';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  UnauthenticatedError,
} from '../domain/errors';

/**
 * The CLI's way to the control API: every control and read command is a client of it, so the CLI holds no
 * database or Temporal credentials. Calls are named by the contract's routes (contract/api.ts) and typed by
 * them: a path, a parameter, a body field or a reply field that the contract does not have fails the build.
 * The credential comes from --token-file, ECP_CUTOVER_TOKEN, or the file `ecp-cutover login` wrote (mode 0600).
 */
export interface ApiClient {
  call<K extends RouteKey>(route: K, input?: CallInput<K>): Promise<ReplyIn<K>>;
}

export interface ClientOptions {
  tokenFile?: string;
  /** --as: asserts who the signed-in operator is; the API refuses the command if it is someone else. */
  as?: string;
}

export const credentialsFile = () =>
  path.join(
    process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'),
    'ecp-cutover',
    'credentials.json',
  );

export const NOT_SIGNED_IN = 'not signed in: set ECP_CUTOVER_TOKEN or run ecp-cutover login';

function readTokenFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    throw new InputError(`--token-file ${file}: no such file (or not readable)`);
  }
}

/** The API's address and the credential to send, from the most specific source given. */
export function credential(opts: ClientOptions): { apiUrl: string; token: string } {
  const config = loadConfig();
  if (opts.tokenFile) return { apiUrl: config.ECP_CUTOVER_API_URL, token: readTokenFile(opts.tokenFile) };
  if (process.env.ECP_CUTOVER_TOKEN)
    return { apiUrl: config.ECP_CUTOVER_API_URL, token: process.env.ECP_CUTOVER_TOKEN.trim() };
  try {
    const saved = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8')) as {
      apiUrl?: string;
      token?: string;
    };
    if (saved.token)
      return {
        apiUrl: process.env.ECP_CUTOVER_API_URL
          ? config.ECP_CUTOVER_API_URL
          : (saved.apiUrl ?? config.ECP_CUTOVER_API_URL),
        token: saved.token,
      };
  } catch {
    // not signed in
  }
  throw new UnauthenticatedError(NOT_SIGNED_IN);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** What the CLI makes of an error of the API (contract/errors.ts): exit 2 for these, 1 for a failure. */
const AS_ERROR: Record<Exclude<ErrorKind, 'failure'>, new (message: string) => Error> = {
  input: InputError,
  unauthenticated: UnauthenticatedError,
  not_allowed: NotAllowedError,
  not_found: NotFoundError,
  conflict: ConflictError,
};

/** The path of a route with its parameters filled in, each encoded: a folder code or batch id never changes the route. */
export function pathOf(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (params[name] === undefined) throw new InputError(`${template}: give the ${name}`);
    return encodeURIComponent(params[name]);
  });
}

export function apiClient(opts: ClientOptions, signedIn = credential(opts)): ApiClient {
  const { apiUrl, token } = signedIn;
  const target = new URL(apiUrl);
  if (
    target.protocol === 'http:' &&
    !LOOPBACK.has(target.hostname) &&
    process.env.ECP_CUTOVER_ALLOW_HTTP !== '1'
  ) {
    throw new InputError(
      `the control API at ${apiUrl} is plain http, and a token must not cross a network in clear: use https (or, inside a private network, set ECP_CUTOVER_ALLOW_HTTP=1)`,
    );
  }
  return {
    async call(route, input) {
      const space = route.indexOf(' ');
      const method = route.slice(0, space);
      const url = new URL(
        apiUrl + pathOf(route.slice(space + 1), input?.params as Record<string, string> | undefined),
      );
      for (const [k, v] of Object.entries((input?.query ?? {}) as Record<string, unknown>))
        if (v !== undefined) url.searchParams.set(k, String(v));
      const body = method === 'POST' ? JSON.stringify(input?.body ?? {}) : undefined;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(opts.as ? { 'x-ecp-as': opts.as } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body,
        });
      } catch (err) {
        throw new Error(
          `the control API at ${apiUrl} is not reachable (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}): start it with 'ecp-cutover dev up', or set ECP_CUTOVER_API_URL`,
          { cause: err },
        );
      }
      const text = await res.text();
      if (res.ok)
        return (
          /^text\/plain/.test(res.headers.get('content-type') ?? '') ? text : JSON.parse(text)
        ) as never;
      let code: unknown;
      let message = text.slice(0, 500);
      try {
        ({ code, message } = (JSON.parse(text) as { error: { code: unknown; message: string } }).error);
      } catch {
        // not our JSON (a proxy's page): the text as it came
      }
      const kind = isErrorCode(code)
        ? ERRORS[code].kind
        : Object.values(ERRORS).find((e) => e.status === res.status)?.kind;
      if (kind && kind !== 'failure') throw new AS_ERROR[kind](message);
      throw new Error(`the control API answered ${res.status}: ${message}`);
    },
  };
}

/** `ecp-cutover login`: checks the token with the API, then keeps it for the CLI (mode 0600). */
export async function login(
  token: string,
  apiUrl: string,
): Promise<{ name: string; roles: string[]; file: string }> {
  const me = await apiClient({}, { apiUrl, token }).call('GET /api/me');
  const file = credentialsFile();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify({ apiUrl, token }) + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { ...me, file };
}
