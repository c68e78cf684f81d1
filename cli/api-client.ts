import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config';
import { ConflictError, InputError, NotAllowedError, NotFoundError, UnauthenticatedError } from '../domain/errors';

/**
 * The CLI's way to the control API: every control and read command is a client of it, so the CLI holds no
 * database or Temporal credentials. The credential comes from --token-file, ECP_CUTOVER_TOKEN, or the file
 * `ecp-cutover login` wrote (mode 0600).
 */
export interface ApiClient {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  text(path: string, query?: Record<string, string | undefined>): Promise<string>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

export interface ClientOptions {
  tokenFile?: string;
  /** --as: asserts who the signed-in operator is; the API refuses the command if it is someone else. */
  as?: string;
}

export const credentialsFile = () => path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'ecp-cutover', 'credentials.json');

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
  if (process.env.ECP_CUTOVER_TOKEN) return { apiUrl: config.ECP_CUTOVER_API_URL, token: process.env.ECP_CUTOVER_TOKEN.trim() };
  try {
    const saved = JSON.parse(fs.readFileSync(credentialsFile(), 'utf8')) as { apiUrl?: string; token?: string };
    if (saved.token) return { apiUrl: process.env.ECP_CUTOVER_API_URL ? config.ECP_CUTOVER_API_URL : saved.apiUrl ?? config.ECP_CUTOVER_API_URL, token: saved.token };
  } catch {
    // not signed in
  }
  throw new UnauthenticatedError(NOT_SIGNED_IN);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function apiClient(opts: ClientOptions, signedIn = credential(opts)): ApiClient {
  const { apiUrl, token } = signedIn;
  const target = new URL(apiUrl);
  if (target.protocol === 'http:' && !LOOPBACK.has(target.hostname) && process.env.ECP_CUTOVER_ALLOW_HTTP !== '1') {
    throw new InputError(`the control API at ${apiUrl} is plain http, and a token must not cross a network in clear: use https (or, inside a private network, set ECP_CUTOVER_ALLOW_HTTP=1)`);
  }
  const call = async (method: string, p: string, query?: Record<string, string | number | undefined>, body?: unknown) => {
    const url = new URL(apiUrl + p);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`, 'x-ecp-client': 'cli', ...(opts.as ? { 'x-ecp-as': opts.as } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(`the control API at ${apiUrl} is not reachable (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}): start it with 'ecp-cutover dev up', or set ECP_CUTOVER_API_URL`, { cause: err });
    }
    if (res.ok) return res;
    const text = await res.text();
    let message = text.slice(0, 500);
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      // not our JSON (a proxy's page): the text as it came
    }
    switch (res.status) {
      case 400: case 413: case 415: case 429: throw new InputError(message);
      case 401: throw new UnauthenticatedError(message);
      case 403: throw new NotAllowedError(message);
      case 404: throw new NotFoundError(message);
      case 409: throw new ConflictError(message);
      default: throw new Error(`the control API answered ${res.status}: ${message}`);
    }
  };
  return {
    get: async (p, query) => (await call('GET', p, query)).json() as never,
    text: async (p, query) => (await call('GET', p, query)).text(),
    post: async (p, body) => (await call('POST', p, undefined, body ?? {})).json() as never,
  };
}

/** `ecp-cutover login`: checks the token with the API, then keeps it for the CLI (mode 0600). */
export async function login(token: string, apiUrl: string): Promise<{ name: string; roles: string[]; file: string }> {
  const me = await apiClient({}, { apiUrl, token }).get<{ name: string; roles: string[] }>('/api/me');
  const file = credentialsFile();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify({ apiUrl, token }) + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { ...me, file };
}

/** Path segments are encoded: a folder code or batch id never changes the route. */
export const seg = (s: string) => encodeURIComponent(s);
