import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { AppDeps, Operator } from '../app/context';
import { API, BODY_LIMIT, type RouteContract, type RouteKey } from '../contract/api';
import { ERRORS, errorStatuses } from '../contract/errors';
import { errorBody } from '../contract/views';
import { OPERATOR_NAME } from '../domain/operators';
import { HttpError } from '../http/errors';
import { createHttpServer, listen, sendError, type HttpLog } from '../http/server';
import { createRequestMetrics, registerDomainMetrics } from '../observability/metrics';
import { consolePlugin, renderConsoleError } from '../console/plugin';
import type { Authenticator } from './auth';
import { authenticateCounted, createSignInLimiter, type SignInLimiter } from './auth';
import { checkRoles, invoke } from './invoke';
import type { Call } from './routes';

export interface ControlApi {
  url: string;
  close(): Promise<void>;
}

export type ApiLog = HttpLog;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The contract's route this Fastify route serves. */
    key?: RouteKey;
  }
}

/**
 * The control API (HTTP + JSON, OpenAPI at /openapi.json) and, under /console, the console. With the worker,
 * it is the only process that holds write credentials for PostgreSQL and Temporal, and the key that signs
 * workflow commands. Every request but /healthz and /openapi.json is authenticated (the console: its
 * session); a role the operator lacks is 403; repeated failed sign-ins of a credential are 429.
 */
export interface ControlApiOptions {
  deps: AppDeps;
  auth: Authenticator;
  port?: number;
  host?: string;
  log?: ApiLog;
  signInLimit?: { max: number; windowMs: number };
}

export async function startControlApi(opts: ControlApiOptions): Promise<ControlApi> {
  const app = await buildControlApi(opts);
  const url = await listen(app, opts.port, opts.host);
  return { url, close: () => app.close() };
}

/** The control API's server, ready but not listening (the API reference is generated from it: scripts/docs.ts). */
export async function buildControlApi(opts: ControlApiOptions): Promise<FastifyInstance> {
  const { deps, auth } = opts;
  const limiter = createSignInLimiter(opts.signInLimit?.max, opts.signInLimit?.windowMs);
  const metrics = createRequestMetrics(
    'ecp_cutover_api_request_duration_seconds',
    'Control API requests by route template, method and status class.',
  );
  registerDomainMetrics(metrics.registry, deps.stores.metrics.facts);
  const { health } = deps.stores;
  const app = createHttpServer({
    bodyLimit: BODY_LIMIT,
    metrics,
    log: opts.log,
    trustProxy: deps.config.trustProxy,
    renderError: (err, request, reply) =>
      request.url === '/console' || request.url.startsWith('/console/') || request.url.startsWith('/console?')
        ? renderConsoleError(err, request, reply)
        : sendError(reply, err),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ECP cutover control API',
        version: '1',
        description:
          'Plan, approve, run and watch the move of submission folders from legacy ECP to ECP 2.0.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'an operator token (ecp-cutover operator add) or, in OIDC mode, a JWT of the identity provider',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.get('/healthz', { schema: { hide: true } }, async () => {
    await health.ping();
    return { ok: true };
  });
  let openapi: string | null = null;
  app.get('/openapi.json', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/json; charset=utf-8').send((openapi ??= JSON.stringify(app.swagger()))),
  );
  await app.register(apiRoutes, { deps, auth, limiter, metrics: () => metrics.render() });
  await app.register(consolePlugin, { deps, auth, limiter });
  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    op?: Operator;
  }
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** The contract's routes, each behind the operator's credential and the route's roles. */
async function apiRoutes(
  app: FastifyInstance,
  o: { deps: AppDeps; auth: Authenticator; limiter: SignInLimiter; metrics: () => Promise<string> },
) {
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  // Before the body is read: who, and may they.
  app.addHook('onRequest', async (request) => {
    const who = await authenticateCounted(o.auth, o.limiter, request.ip, request.headers.authorization);
    request.operatorName = who.name;
    const asserted = request.headers['x-ecp-as'];
    if (typeof asserted === 'string' && asserted !== '' && asserted !== who.name) {
      throw new HttpError(
        'not_allowed',
        `signed in as ${who.name}, not ${OPERATOR_NAME.test(asserted) ? asserted : 'that name'}: a command acts as the signed-in operator`,
      );
    }
    if (who.roles.length === 0) throw new HttpError('not_allowed', `operator '${who.name}' holds no role`);
    const key = request.routeOptions.config?.key;
    if (key) checkRoles(key, who);
    // The audit trail's source is the router that served the command, never a header.
    request.op = { ...who, source: 'api' };
  });

  // Prometheus, with a bearer token like any client: any operator with a role may scrape it.
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await o.metrics()),
  );

  for (const key of Object.keys(API) as RouteKey[]) {
    const c: RouteContract = API[key];
    const ok = c.status ?? 200;
    const errors = Object.fromEntries(
      errorStatuses({ body: Boolean(c.body), change: c.method === 'POST' }).map((s) => [
        s,
        errorBody.describe(
          Object.values(ERRORS)
            .filter((e) => e.status === s)
            .map((e) => e.description)
            .join('; '),
        ),
      ]),
    );
    const success = c.textReply
      ? { description: c.summary, content: { 'text/plain': { schema: c.reply } } }
      : c.reply.describe(c.method === 'POST' ? `the new state (${c.summary})` : c.summary);
    app.route({
      method: c.method,
      url: c.path.replace(/\{(\w+)\}/g, ':$1'),
      bodyLimit: c.limit ?? BODY_LIMIT,
      config: { key },
      schema: {
        summary: c.summary,
        description: c.roles.length ? `roles: ${c.roles.join(' or ')}` : 'any signed-in operator with a role',
        'x-roles': c.roles,
        ...(c.params ? { params: c.params } : {}),
        ...(c.query ? { querystring: c.query } : {}),
        ...(c.body ? { body: c.body } : {}),
        response: { [ok]: success, ...errors },
      },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const result = await invoke(key, {
          deps: o.deps,
          op: request.op!,
          params: request.params,
          query: request.query,
          body: request.body,
        } as Call<typeof key>);
        reply.code(ok);
        if (c.textReply)
          return reply
            .type('text/plain; charset=utf-8')
            .serializer((s) => String(s))
            .send(result);
        return reply.send(result);
      },
    });
  }
}
