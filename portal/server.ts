import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/connection';
import { appendixCsv, appendixHtml, appendixMarkdown } from '../domain/appendix';
import { PUBLIC_BATCH_STATUSES } from '../domain/batch-lifecycle';
import { isPlacement, PLACEMENTS } from '../domain/placement';
import { appendixRows } from '../stores/appendix';
import { createFolderStore, type FolderView } from '../stores/folder-store';
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

/** What the public may see of a folder. */
function publicFolder(f: FolderView) {
  return {
    code: f.code,
    name: { en: f.nameEn, 'zh-Hant': f.nameZh },
    market: f.market,
    direction: f.direction,
    placement: f.placement,
    liveSince: f.liveSince,
    plannedMove: f.plannedBatch && (PUBLIC_BATCH_STATUSES as readonly string[]).includes(f.plannedBatch.status) ? { batch: f.plannedBatch.id, at: f.plannedBatch.plannedAt } : null,
  };
}

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
  const store = createFolderStore(db);
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
      return json(200, { folders: (await store.list({ placement, market, text })).map(publicFolder) });
    }
    const one = /^\/api\/folders\/([^/]+)$/.exec(path);
    if (one) {
      onlyParams(url, []);
      const code = decodeURIComponent(one[1]).toUpperCase();
      if (!/^[A-Z0-9-]{1,16}$/.test(code)) throw new BadRequest('a folder code is letters, digits and -');
      const f = await store.get(code);
      return f ? json(200, publicFolder(f)) : json(404, { error: `no folder ${code}` });
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

/** Planned and past batches with their folders, and the legacy folders not yet planned ("to be announced", FAQ D.28). */
async function publicSchedule(db: Db) {
  const batches = await db('batches').whereIn('status', PUBLIC_BATCH_STATUSES).orderBy('planned_at').select('id', 'name', 'planned_at', 'status');
  const members = await db('batch_folders').whereIn('batch_id', batches.map((b) => b.id)).orderBy('folder_code').select('batch_id', 'folder_code', 'status');
  const planned = new Set(members.filter((m) => batches.find((b) => b.id === m.batch_id && !['completed', 'completed_with_failures', 'aborted'].includes(b.status))).map((m) => m.folder_code));
  const legacy = await db('folders').where({ placement: 'legacy' }).orderBy('code').pluck('code');
  return {
    batches: batches.map((b) => ({
      id: b.id, name: b.name, plannedAt: (b.planned_at as Date).toISOString(), status: b.status,
      folders: members.filter((m) => m.batch_id === b.id).map((m) => ({ code: m.folder_code, status: m.status })),
    })),
    toBeAnnounced: legacy.filter((code: string) => !planned.has(code)),
  };
}
