import Fastify, {
  type FastifyError,
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { visible } from '../domain/text';
import { asHttpError, HttpError, ValidationProblem } from './errors';
import type { RequestMetrics } from '../observability/metrics';
import { stringsWithoutTextRule } from './schema-walk';

/**
 * The one HTTP layer of the control API (with its console) and the portal, on Fastify: routes validated by
 * their zod schemas (params, query, body) before a handler runs and replies encoded through theirs; every
 * string a route takes checked by the edge's text rule (registration fails otherwise); one error type and
 * shape (`{"error": {"code", "message"}}`, contract/errors.ts); a method a path does not take is 405 with
 * `Allow`; bodies capped per route; bad URLs, bad JSON and oversized bodies are 4xx; nothing internal is
 * ever sent. Each request is timed into the server's metrics and, with a log, written as one access line.
 */
export interface HttpLog {
  info(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface HttpServerOptions {
  /** Largest request body unless a route says otherwise. */
  bodyLimit: number;
  metrics?: RequestMetrics;
  log?: HttpLog;
  /**
   * Which peers' X-Forwarded-For to believe for the client's address (Fastify's `trustProxy`): addresses or
   * CIDRs, a hop count, or none (the socket's address). Only a proxy of our own belongs here.
   */
  trustProxy?: string[] | number;
  /** Renders an error (JSON by default); the console answers with a page. */
  renderError?: (err: HttpError, request: FastifyRequest, reply: FastifyReply) => unknown;
  /**
   * Sees each request before Fastify does and answers it itself when it can (true: answered; Fastify, its
   * hooks, metrics and access log never see it). Only for replaying replies Fastify's own routes gave to the
   * same request: the portal's cache. With it, a host of `localhost` is bound on its first address only.
   */
  ahead?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request was made by, once verified (for the access log). */
    operatorName?: string;
  }
  interface FastifyContextConfig {
    /** What the body must be: JSON (default) or a form (the console). */
    accepts?: 'json' | 'form';
  }
}

export const sendError = (reply: FastifyReply, err: HttpError) =>
  reply.code(err.status).headers(err.headers).type('application/json; charset=utf-8').send(err.body());

export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const hops = opts.trustProxy;
  const options: FastifyHttpOptions<http.Server> = {
    bodyLimit: opts.bodyLimit,
    trustProxy: typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : (hops ?? false),
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: false, maxParamLength: 200 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: false,
    frameworkErrors: (error, request, reply) =>
      render(
        asHttpError(error) ?? new HttpError('bad_input', 'the request could not be read'),
        request,
        reply,
      ),
  };
  const ahead = opts.ahead;
  if (ahead)
    // Node's server as Fastify would make it (its timeouts included), with `ahead` in front of Fastify's handler.
    options.serverFactory = (handler, settled) => {
      // By then Fastify has filled in its defaults (keepAliveTimeout's 72 s).
      const o = settled as FastifyHttpOptions<http.Server> & {
        keepAliveTimeout: number;
        requestTimeout: number;
        connectionTimeout: number;
        maxRequestsPerSocket: number;
      };
      const server = http.createServer(o.http ?? {}, (req, res) => {
        let answered: boolean;
        try {
          answered = ahead(req, res);
        } catch {
          // A bug of ours: Fastify answers if nothing was written yet; otherwise the reply is cut, never half-right.
          answered = res.headersSent;
          if (answered) res.destroy();
        }
        if (!answered) handler(req, res);
      });
      server.keepAliveTimeout = o.keepAliveTimeout;
      server.requestTimeout = o.requestTimeout;
      server.setTimeout(o.connectionTimeout);
      if (o.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = o.maxRequestsPerSocket;
      return server;
    };
  const app: FastifyInstance = Fastify(options);
  const render = (err: HttpError, request: FastifyRequest, reply: FastifyReply) =>
    (opts.renderError ?? ((e, _q, r) => sendError(r, e)))(err, request, reply);

  app.setValidatorCompiler(({ schema }) => (data) => {
    const r = (schema as z.ZodType).safeParse(data);
    return r.success ? { value: r.data } : { error: new ValidationProblem(r.error) };
  });
  app.setSerializerCompiler(({ schema, url }) => {
    const s = schema as z.ZodType;
    return (data) => {
      const r = z.safeEncode(s, data);
      // The reply does not match the document: a bug of ours, never sent half-right.
      if (!r.success)
        throw Object.assign(new Error(`the reply of ${url} does not match its schema: ${r.error.message}`), {
          replySchema: true,
        });
      return JSON.stringify(r.data);
    };
  });

  // JSON bodies are parsed by Fastify's (prototype-poisoning-safe) parser; a form by URLSearchParams (the console); nothing else.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, new URLSearchParams(body as string)),
  );

  // Every string a route takes is checked by the edge's text rule: a route that would take raw text does not start.
  const patterns: { re: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    const where = {
      params: route.schema?.params,
      query: route.schema?.querystring,
      body: route.schema?.body,
    };
    for (const [part, schema] of Object.entries(where)) {
      if (!schema) continue;
      const raw = stringsWithoutTextRule(schema as z.ZodType);
      if (raw.length)
        throw new Error(
          `route ${String(route.method)} ${route.url}: ${part} field(s) ${raw.join(', ')} take text without the edge's text rule (contract/text.ts)`,
        );
    }
    const re = new RegExp(
      `^${route.url
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/:[A-Za-z0-9_]+/g, '[^/]+')
        .replace(/\\\*/g, '.*')}/?$`,
    );
    const methods = [route.method].flat().map(String);
    const known = patterns.find((p) => p.re.source === re.source);
    if (known) methods.forEach((m) => known.methods.add(m));
    else patterns.push({ re, methods: new Set(methods) });
  });

  // A path that exists, asked with another method: 405 and what it takes.
  const noRoute = (request: FastifyRequest) => {
    const path = request.url.split('?')[0];
    const allowed = new Set(patterns.filter((p) => p.re.test(path)).flatMap((p) => [...p.methods]));
    if (allowed.has('GET')) allowed.add('HEAD');
    if (allowed.size === 0) return new HttpError('not_found', `no such endpoint: ${visible(path, 100)}`);
    const allow = [...allowed].sort().join(', ');
    return new HttpError(
      'method_not_allowed',
      `${visible(request.method, 16)} is not allowed here: use ${allow}`,
      { allow },
    );
  };
  app.setNotFoundHandler((request, reply) => render(noRoute(request), request, reply));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A method with a body that no route takes (QUERY, say) fails in body parsing before "not found".
    if (request.routeOptions.url === undefined && /^FST_ERR_(CTP|ROUTE)_/.test(error.code ?? ''))
      return render(noRoute(request), request, reply);
    const known = asHttpError(error);
    if (known) return render(known, request, reply);
    opts.log?.error(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        err: error instanceof Error ? error.stack : String(error),
      },
      'unexpected error',
    );
    return render(
      new HttpError('internal', 'the server failed; its operators can find the details in its log'),
      request,
      reply,
    );
  });

  // A query is percent-encoded UTF-8 or refused (a path is, by the router): a lone surrogate or a broken byte
  // is never quietly taken as other text.
  app.addHook('onRequest', async (request) => {
    const q = request.url.indexOf('?');
    if (q < 0) return;
    try {
      for (const part of request.url.slice(q + 1).split(/[&;]/)) decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new HttpError('bad_input', 'the query is not valid percent-encoded UTF-8');
    }
  });

  // A route takes the body type it says (JSON unless a form); anything else is 415 before it is validated.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined) return;
    const form = request.body instanceof URLSearchParams;
    const wants = request.routeOptions.config?.accepts ?? 'json';
    if (form !== (wants === 'form'))
      throw new HttpError(
        'unsupported_media_type',
        wants === 'form'
          ? 'send the form as application/x-www-form-urlencoded'
          : 'send the body as application/json',
      );
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    opts.metrics?.observe(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    // The access log: route templates and the verified operator, never a body or a credential.
    opts.log?.info(
      {
        method: request.method,
        route,
        status: reply.statusCode,
        operator: request.operatorName ?? null,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  return app;
}

/** Listens on loopback (or `host`) and answers the server's own URL. */
export async function listen(app: FastifyInstance, port = 0, host = '127.0.0.1'): Promise<string> {
  await app.listen({ port, host });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
