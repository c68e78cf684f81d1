import { createHash } from 'node:crypto';
import http from 'node:http';
import { Histogram, timeRequests } from '../observability/metrics';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/connection';
import { appendixCsv, appendixHtml, appendixMarkdown } from '../domain/appendix';
import { isPlacement, PLACEMENTS } from '../domain/placement';
import { appendixRows } from '../stores/appendix';
import { publicFolder, publicFolders, publicSchedule } from './store';
import { PORTAL_PAGE } from './page';

/**
 * The public, read-only portal. It reads PostgreSQL only (never Temporal), exposes no participant data,
 * contacts or operator names, and answers with ETags so that polling on cutover day is cheap.
 */
export interface Portal {
  url: string;
  close(): Promise<void>;
}

class BadRequest extends Error {}

type Reply = { status: number; type: string; body: string };
const json = (status: number, value: unknown): Reply => ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify(value) });

function parse(target: string): URL {
  try {
    return new URL(target, 'http://portal');
  } catch {
    throw new BadRequest('not a valid path');
  }
}

function onlyParams(url: URL, allowed: string[]): void {
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key)) throw new BadRequest(`unknown query parameter '${key}'${allowed.length ? `: use ${allowed.join(', ')}` : ''}`);
  }
}

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
  const headers = { 'content-type': reply.type, etag, 'cache-control': 'public, max-age=5', 'x-content-type-options': 'nosniff', vary: 'accept-encoding' };
  const gzip = body.length > 1024 ? gzipSync(body) : null;
  return {
    status: reply.status,
    etag,
    notModified: headers,
    plain: { body, headers: { ...headers, 'content-length': body.length } },
    gzip: gzip && { body: gzip, headers: { ...headers, 'content-encoding': 'gzip', 'content-length': gzip.length } },
  };
}

/**
 * Replies are kept for `cacheMs` (default 1 s) per URL: thousands of participants polling on cutover day
 * then cost one query a second, and the page is at most that stale. A request is served from memory without
 * any work but a lookup (the body precompressed, the ETag precomputed); a reply in its last half-life is
 * refreshed in the background by one query, so under load no request waits for PostgreSQL (BENCHMARKS.md).
 */
export async function startPortal(opts: { db: Db; port?: number; host?: string; cacheMs?: number }): Promise<Portal> {
  const { db } = opts;
  const cacheMs = opts.cacheMs ?? 1000;
  const cache = new Map<string, { until: number; reply: Prepared }>();
  const inflight = new Map<string, Promise<Prepared>>();
  /** One query per URL at a time, whoever asks. */
  function refresh(key: string): Promise<Prepared> {
    let p = inflight.get(key);
    if (!p) {
      p = route(parse(key))
        .then((reply) => {
          const prepared = prepare(reply);
          if (cache.size > 1000) cache.clear(); // many distinct searches: start over rather than grow
          cache.set(key, { until: Date.now() + cacheMs, reply: prepared });
          return prepared;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p;
  }
  async function cached(key: string): Promise<Prepared> {
    if (cacheMs <= 0 || key === '/healthz') return prepare(await route(parse(key)));
    const hit = cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) {
      if (hit.until - now < cacheMs / 2) refresh(key).catch(() => undefined); // ahead of expiry; a failure shows at expiry
      return hit.reply;
    }
    return refresh(key);
  }

  async function route(url: URL): Promise<Reply> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz') {
      await db.raw('select 1');
      return json(200, { ok: true });
    }
    if (path === '/' || path === '/index.html') return { status: 200, type: 'text/html; charset=utf-8', body: PORTAL_PAGE };
    if (path === '/api/folders') {
      onlyParams(url, ['placement', 'market', 'q']);
      const placement = url.searchParams.get('placement') ?? undefined;
      if (placement !== undefined && !isPlacement(placement)) throw new BadRequest(`placement must be one of ${PLACEMENTS.join(', ')}`);
      const text = url.searchParams.get('q') ?? undefined;
      if (text !== undefined && text.length > 100) throw new BadRequest('q must be at most 100 characters');
      const market = url.searchParams.get('market') ?? undefined;
      if (market !== undefined && market.length > 100) throw new BadRequest('market must be at most 100 characters');
      return json(200, { folders: await publicFolders(db, { placement, market, text }) });
    }
    const one = /^\/api\/folders\/([^/]+)$/.exec(path);
    if (one) {
      onlyParams(url, []);
      const code = decodeURIComponent(one[1]).toUpperCase();
      if (!/^[A-Z0-9-]{1,16}$/.test(code)) throw new BadRequest('a folder code is letters, digits and -');
      const f = await publicFolder(db, code);
      return f ? json(200, f) : json(404, { error: `no folder ${code}` });
    }
    if (path === '/api/batches') {
      onlyParams(url, []);
      return json(200, await publicSchedule(db));
    }
    const appendix = /^\/appendix\/7\.3(\.md|\.csv|\.html)?$/.exec(path);
    if (appendix) {
      onlyParams(url, []);
      const rows = await appendixRows(db);
      if (appendix[1] === '.md') return { status: 200, type: 'text/markdown; charset=utf-8', body: appendixMarkdown(rows) };
      if (appendix[1] === '.csv') return { status: 200, type: 'text/csv; charset=utf-8', body: appendixCsv(rows) };
      return { status: 200, type: 'text/html; charset=utf-8', body: appendixHtml(rows) };
    }
    return json(404, { error: 'not found: see / , /api/folders, /api/batches or /appendix/7.3' });
  }

  // Its own request durations only (public): the project's state is the control API's /metrics, which needs a token.
  const requests = new Histogram('ecp_cutover_portal_request_duration_seconds', 'Portal requests by page, method and status class.');
  const time = timeRequests(requests, (req) => portalRoute(req.url ?? '/'));
  const server = http.createServer((req, res) => {
    time(req, res);
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(requests.render());
    }
    void (async () => {
      let reply: Prepared;
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD') reply = prepare(json(405, { error: 'read-only: use GET' }));
        else reply = await cached(req.url ?? '/');
      } catch (err) {
        reply = prepare(err instanceof BadRequest ? json(400, { error: err.message }) : json(500, { error: 'internal error' }));
      }
      if (reply.status === 200 && req.headers['if-none-match'] === reply.etag) {
        res.writeHead(304, reply.notModified);
        return res.end();
      }
      const form = reply.gzip && req.headers['accept-encoding']?.includes('gzip') ? reply.gzip : reply.plain;
      res.writeHead(reply.status, form.headers);
      res.end(req.method === 'HEAD' ? undefined : form.body);
    })();
  });
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

/** A request's page for the metrics: a fixed set, whatever the URL says. */
function portalRoute(url: string): string {
  const path = url.split('?')[0];
  for (const known of ['/api/folders', '/api/batches', '/appendix/7.3', '/healthz', '/metrics']) if (path === known || path.startsWith(known + '.') || path.startsWith(known + '/')) return known;
  return path === '/' ? '/' : 'other';
}
