import { createHash } from 'node:crypto';
import type http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { FastifyRequest, FastifySchema } from 'fastify';
import { Counter } from 'prom-client';
import { z } from 'zod';
import { folderCode, text } from '../contract/text';
import type { Db } from '../db/connection';
import { appendixCsv, appendixHtml, appendixMarkdown } from '../domain/appendix';
import { PLACEMENTS } from '../domain/placement';
import { HttpError } from '../http/errors';
import { createHttpServer, listen } from '../http/server';
import { createRequestMetrics } from '../observability/metrics';
import { appendixRows } from '../stores/appendix';
import { createHealthStore } from '../stores/health-store';
import { PORTAL_PAGE } from './page';
import { publicFolder, publicFolders, publicSchedule } from './store';

/**
 * The public, read-only portal, on the same HTTP layer as the control API (queries and paths by the edge's
 * text rule, one error shape, 405 with Allow). It reads PostgreSQL only (never Temporal), exposes no
 * participant data, contacts or operator names, and answers with ETags so that polling on cutover day is cheap.
 */
export interface Portal {
  url: string;
  close(): Promise<void>;
}

type Reply = { status: number; type: string; body: string };
const json = (status: number, value: unknown): Reply => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});

/** A reply ready to write: the body as bytes and gzipped (when worth it), each with its headers, the ETag — computed once. */
interface Prepared {
  status: number;
  etag: string;
  /** Headers of a 304. */
  notModified: Record<string, string>;
  plain: { body: Buffer; headers: Record<string, string | number> };
  gzip: { body: Buffer; headers: Record<string, string | number> } | null;
}

function prepare(reply: Reply): Prepared {
  const body = Buffer.from(reply.body);
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  const headers = {
    'content-type': reply.type,
    etag,
    'cache-control': 'public, max-age=5',
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
  };
  const gzip = body.length > 1024 ? gzipSync(body) : null;
  return {
    status: reply.status,
    etag,
    notModified: headers,
    plain: { body, headers: { ...headers, 'content-length': body.length } },
    gzip: gzip && {
      body: gzip,
      headers: { ...headers, 'content-encoding': 'gzip', 'content-length': gzip.length },
    },
  };
}

const foldersQuery = z.strictObject({
  placement: z.enum(PLACEMENTS, { error: `placement must be one of ${PLACEMENTS.join(', ')}` }).optional(),
  market: text({ max: 100 }).optional(),
  q: text({ max: 100 }).optional(),
});
const none = z.strictObject({});
/** URLs whose replies are kept at most (a reply is a few KiB). */
const MAX_CACHED = 1000;
const APPENDIX = {
  '': ['text/html; charset=utf-8', appendixHtml],
  '.html': ['text/html; charset=utf-8', appendixHtml],
  '.md': ['text/markdown; charset=utf-8', appendixMarkdown],
  '.csv': ['text/csv; charset=utf-8', appendixCsv],
} as const;

/**
 * Replies are kept for `cacheMs` (default 1 s) per URL: thousands of participants polling on cutover day
 * then cost one query a second, and the page is at most that stale. A request is served from memory without
 * any work but a lookup (the body precompressed, the ETag precomputed); a reply in its last half-life is
 * refreshed in the background by one query, so under load no request waits for PostgreSQL (BENCHMARKS.md).
 */
export async function startPortal(opts: {
  db: Db;
  port?: number;
  host?: string;
  cacheMs?: number;
}): Promise<Portal> {
  const { db } = opts;
  const cacheMs = opts.cacheMs ?? 1000;
  /** A URL's reply, until when it is served, and how to read it again (route and query as first asked). */
  type Entry = { until: number; route: string; compute: () => Promise<Reply>; reply: Prepared };
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Prepared>>();
  /** One query per URL at a time, whoever asks. */
  function refresh(key: string, route: string, compute: () => Promise<Reply>): Promise<Prepared> {
    let p = inflight.get(key);
    if (!p) {
      p = compute()
        .then((reply) => {
          const prepared = prepare(reply);
          cache.delete(key);
          // Many distinct searches (or spellings of a URL): the least recently asked go first, so a page in
          // use stays unless a thousand other URLs were asked since.
          if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
          cache.set(key, { until: Date.now() + cacheMs, route, compute, reply: prepared });
          return prepared;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p;
  }
  /** A URL's reply while it lasts; in its last half-life, one query reads it again in the background. */
  function lookup(key: string): Entry | undefined {
    const hit = cache.get(key);
    const left = hit ? hit.until - Date.now() : 0;
    if (!hit || left <= 0) return undefined;
    cache.delete(key); // the Map's order is the order of use: most recent last
    cache.set(key, hit);
    if (left < cacheMs / 2) refresh(key, hit.route, hit.compute).catch(() => undefined); // a failure shows at expiry
    return hit;
  }
  async function cached(key: string, route: string, compute: () => Promise<Reply>): Promise<Prepared> {
    if (cacheMs <= 0) return prepare(await compute());
    return lookup(key)?.reply ?? refresh(key, route, compute);
  }
  /**
   * What to write for a request to a prepared reply: a 304 to a matching ETag, gzip when taken. A HEAD gets the
   * body too, which Node drops, keeping the GET's Content-Length as HTTP asks.
   */
  function pick(prepared: Prepared, headers: http.IncomingHttpHeaders) {
    if (prepared.status === 200 && headers['if-none-match'] === prepared.etag)
      return { status: 304, headers: prepared.notModified, body: undefined };
    const form =
      prepared.gzip && headers['accept-encoding']?.includes('gzip') ? prepared.gzip : prepared.plain;
    return { status: prepared.status, headers: form.headers, body: form.body };
  }
  /**
   * A page served from the cache, keyed by its URL (query included, validated before). The cache keeps what the
   * reply is read from (the validated query and path parameters), not the request. GET and HEAD are declared
   * together: Fastify's own HEAD route would say `Content-Length: 0` where nothing was sent (a 304).
   */
  const served = (
    url: string,
    schema: FastifySchema,
    compute: (asked: Pick<FastifyRequest, 'query' | 'params'>) => Promise<Reply>,
  ) =>
    app.route({
      method: ['GET', 'HEAD'],
      url,
      schema,
      handler: async (request, reply) => {
        const asked = { query: request.query, params: request.params };
        const prepared = await cached(request.url, request.routeOptions.url!, () => compute(asked));
        const out = pick(prepared, request.headers);
        return reply.code(out.status).headers(out.headers).send(out.body);
      },
    });
  /**
   * A request for a URL whose reply is cached and current is answered here, before Fastify: the same bytes
   * and headers its route gave for that very URL (only a URL a route answered with 200, its query validated,
   * is ever cached), for less CPU per request (BENCHMARKS.md). Anything else — another method, a URL not
   * cached or expired, a portal closing — goes to Fastify as before.
   */
  let open = true;
  function ahead(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (!open || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const hit = lookup(req.url!);
    if (!hit) return false;
    const started = performance.now();
    const out = pick(hit.reply, req.headers);
    res.writeHead(out.status, out.headers);
    res.end(out.body);
    metrics.observe(hit.route, req.method, out.status, (performance.now() - started) / 1000);
    answeredAhead.inc();
    return true;
  }

  // Its own request durations and process metrics only (public): the project's state is the control API's /metrics, which needs a token.
  const metrics = createRequestMetrics(
    'ecp_cutover_portal_request_duration_seconds',
    'Portal requests by page, method and status class.',
  );
  const answeredAhead = new Counter({
    name: 'ecp_cutover_portal_answered_from_memory_total',
    help: 'Portal requests answered from the reply cache before the framework (all are also in the request durations).',
    registers: [metrics.registry],
  });
  const app = createHttpServer({ bodyLimit: 1024, metrics, ahead });
  const health = createHealthStore(db);
  app.addHook('onSend', async (_request, reply) => {
    if (reply.statusCode >= 400)
      reply.headers({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  });
  const noQuery = { schema: { querystring: none } };
  app.get('/healthz', noQuery, async () => {
    await health.ping();
    return { ok: true };
  });
  app.get('/metrics', noQuery, async (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(await metrics.render()),
  );
  const page = async (): Promise<Reply> => ({
    status: 200,
    type: 'text/html; charset=utf-8',
    body: PORTAL_PAGE,
  });
  served('/', { querystring: none }, page);
  served('/index.html', { querystring: none }, page);
  served('/api/folders', { querystring: foldersQuery }, async (asked) => {
    const q = asked.query as z.output<typeof foldersQuery>;
    return json(200, {
      folders: await publicFolders(db, { placement: q.placement, market: q.market, text: q.q }),
    });
  });
  served(
    '/api/folders/:code',
    { querystring: none, params: z.strictObject({ code: folderCode }) },
    async (asked) => {
      const code = (asked.params as { code: string }).code.toUpperCase();
      const f = await publicFolder(db, code);
      if (!f) throw new HttpError('not_found', `no folder ${code}`);
      return json(200, f);
    },
  );
  served('/api/batches', { querystring: none }, async () => json(200, await publicSchedule(db)));
  for (const [ext, [type, render]] of Object.entries(APPENDIX))
    served(`/appendix/7.3${ext}`, { querystring: none }, async () => ({
      status: 200,
      type,
      body: render(await appendixRows(db)),
    }));
  await app.ready();
  const url = await listen(app, opts.port, opts.host);
  return {
    url,
    close: () => {
      open = false;
      return app.close();
    },
  };
}
