import http from 'node:http';
import { domainMetrics, Histogram, timeRequests } from '../observability/metrics';
import type { AddressInfo } from 'node:net';
import type { AppDeps, Operator } from '../app/context';
import { COMMAND_SOURCES, type CommandSource } from '../domain/commands';
import type { Authenticator } from './auth';
import { authenticateCounted, createSignInLimiter } from './auth';
import { BODY_LIMIT, HttpError, readJson, send, sendError } from './http';
import { createConsole } from '../console/handler';
import { createOidcLogin } from '../console/oidc';
import { asHttpError, invokeRoute, matchRoute } from './invoke';
import { openApiDocument } from './routes';

export interface ControlApi {
  url: string;
  close(): Promise<void>;
}

/**
 * The control API (HTTP + JSON). With the worker, it is the only process that holds write credentials for
 * PostgreSQL and Temporal, and the key that signs workflow commands. Every request but /healthz and
 * /openapi.json is authenticated; a role the operator lacks is 403; bodies over 1 MiB are 413; repeated failed
 * sign-ins from one address are 429; errors never carry internals.
 */
/** Where the API logs: each request (who, what, how it ended) at info, unexpected errors at error. */
export interface ApiLog {
  info(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export async function startControlApi(opts: { deps: AppDeps; auth: Authenticator; port?: number; host?: string; log?: ApiLog; signInLimit?: { max: number; windowMs: number } }): Promise<ControlApi> {
  const { deps, auth } = opts;
  const limiter = createSignInLimiter(opts.signInLimit?.max, opts.signInLimit?.windowMs);
  const openapi = JSON.stringify(openApiDocument());
  const { config } = deps;
  const secure = config.CONSOLE_PUBLIC_URL?.startsWith('https:') ?? false;
  const consoleHandle = createConsole({
    deps, auth, limiter, idleMs: config.consoleIdleMs, secure,
    oidc: auth.mode === 'oidc' && config.OIDC_CLIENT_ID && config.OIDC_ISSUER
      ? createOidcLogin({ issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, clientSecret: config.OIDC_CLIENT_SECRET, publicUrl: config.CONSOLE_PUBLIC_URL, auth, secure })
      : undefined,
    onOperator: (req, name) => operatorOf.set(req, name),
    logError: (err, req) => opts.log?.error({ method: req.method, route: '/console', err: err instanceof Error ? err.stack : String(err) }, 'unexpected error'),
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://api');
    } catch {
      throw new HttpError(400, 'bad_input', 'the request target is not a URL path');
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' && req.method === 'GET') {
      await deps.db.raw('select 1');
      return send(res, 200, { ok: true });
    }
    if (path === '/openapi.json' && req.method === 'GET') return send(res, 200, openapi, { 'content-type': 'application/json; charset=utf-8' });
    if (path === '/console' || path.startsWith('/console/')) {
      routeOf.set(req, '/console');
      return consoleHandle(req, res, url, path);
    }
    // /metrics (Prometheus, with a bearer token like any client): any operator with a role may scrape it.
    const metrics = path === '/metrics' && req.method === 'GET';
    const { route, params } = metrics ? { route: null, params: {} } : matchRoute(req.method ?? 'GET', path);
    if (route) routeOf.set(req, route.path);
    const who = await authenticateCounted(auth, limiter, req.socket.remoteAddress ?? 'unknown', req.headers.authorization);
    const asserted = req.headers['x-ecp-as'];
    if (typeof asserted === 'string' && asserted !== '' && asserted !== who.name) {
      throw new HttpError(403, 'not_allowed', `signed in as ${who.name}, not ${asserted.slice(0, 64)}: a command acts as the signed-in operator`);
    }
    if (!route) {
      if (who.roles.length === 0) throw new HttpError(403, 'not_allowed', `operator '${who.name}' holds no role`);
      routeOf.set(req, '/metrics');
      return send(res, 200, (await domainMetrics(deps.db)) + requests.render(), { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    }
    const client = String(req.headers['x-ecp-client'] ?? 'api');
    const op: Operator = { ...who, source: (COMMAND_SOURCES as readonly string[]).includes(client) ? (client as CommandSource) : 'api' };
    operatorOf.set(req, op.name);
    const result = await invokeRoute(deps, op, { route, params }, { query: Object.fromEntries(url.searchParams), body: () => readJson(req, route.limit ?? BODY_LIMIT) });
    if (route.text) return send(res, 200, String(result));
    return send(res, route.created ? 201 : 200, result);
  }

  const requests = new Histogram('ecp_cutover_api_request_duration_seconds', 'Control API requests by route template, method and status class.');
  const routeOf = new WeakMap<http.IncomingMessage, string>();
  const operatorOf = new WeakMap<http.IncomingMessage, string>();
  const time = timeRequests(requests, (req) => routeOf.get(req) ?? 'unmatched');
  const server = http.createServer((req, res) => {
    time(req, res);
    const started = Date.now();
    // The access log: route templates and the verified operator, never a body or a credential.
    res.once('finish', () => opts.log?.info({ method: req.method, route: routeOf.get(req) ?? 'unmatched', status: res.statusCode, operator: operatorOf.get(req) ?? null, ms: Date.now() - started }, 'request'));
    // A request refused before its body was read is answered and its connection closed (never drained).
    res.on('finish', () => {
      if (!req.complete) req.destroy();
    });
    handle(req, res).catch((err: unknown) => {
      if (!req.complete) res.setHeader('connection', 'close');
      err = asHttpError(err);
      if (err instanceof HttpError) return sendError(res, err);
      // Unexpected: logged here, never sent (no stack, no SQL).
      opts.log?.error({ method: req.method, route: routeOf.get(req) ?? 'unmatched', err: err instanceof Error ? err.stack : String(err) }, 'unexpected error');
      sendError(res, new HttpError(500, 'internal', 'the control API failed; the operators of the tool can find the details in its log'));
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  server.maxHeadersCount = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
