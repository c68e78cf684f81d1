import { createHash } from 'node:crypto';
import http from 'node:http';
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

type Reply = { status: number; type: string; body: string; etag?: string };
const json = (status: number, value: unknown): Reply => ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify(value) });

function onlyParams(url: URL, allowed: string[]): void {
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key)) throw new BadRequest(`unknown query parameter '${key}'${allowed.length ? `: use ${allowed.join(', ')}` : ''}`);
  }
}

/**
 * Replies are kept for `cacheMs` (default 1 s) per URL: thousands of participants polling on cutover day
 * then cost one query a second, and the page is at most that stale.
 */
export async function startPortal(opts: { db: Db; port?: number; host?: string; cacheMs?: number }): Promise<Portal> {
  const { db } = opts;
  const cacheMs = opts.cacheMs ?? 1000;
  const cache = new Map<string, { until: number; reply: Reply }>();
  async function cached(url: URL): Promise<Reply> {
    if (url.pathname === '/healthz' || cacheMs <= 0) return route(url);
    const key = url.pathname + url.search;
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.reply;
    const reply = await route(url);
    if (cache.size > 1000) cache.clear(); // many distinct searches: start over rather than grow
    cache.set(key, { until: Date.now() + cacheMs, reply });
    return reply;
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

  const server = http.createServer((req, res) => {
    void (async () => {
      let reply: Reply;
      try {
        const url = new URL(req.url ?? '/', 'http://portal');
        if (req.method !== 'GET' && req.method !== 'HEAD') reply = json(405, { error: 'read-only: use GET' });
        else reply = await cached(url);
      } catch (err) {
        reply = err instanceof BadRequest ? json(400, { error: err.message }) : json(500, { error: 'internal error' });
      }
      // Computed once per cached reply, not per request.
      const etag = (reply.etag ??= `"${createHash('sha1').update(reply.body).digest('base64url')}"`);
      const headers = { 'content-type': reply.type, etag, 'cache-control': 'public, max-age=5', 'x-content-type-options': 'nosniff' };
      if (reply.status === 200 && req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        return res.end();
      }
      res.writeHead(reply.status, headers);
      res.end(req.method === 'HEAD' ? undefined : reply.body);
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
