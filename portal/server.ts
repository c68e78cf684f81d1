import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/connection';
import { isPlacement, PLACEMENTS } from '../domain/placement';
import { createFolderStore, type FolderView } from '../stores/folder-store';

/**
 * The public, read-only portal. It reads PostgreSQL only (never Temporal), exposes no participant data,
 * contacts or operator names, and answers with ETags so that polling on cutover day is cheap.
 */
export interface Portal {
  url: string;
  close(): Promise<void>;
}

class BadRequest extends Error {}

/** What the public may see of a folder. */
function publicFolder(f: FolderView) {
  return {
    code: f.code,
    name: { en: f.nameEn, 'zh-Hant': f.nameZh },
    market: f.market,
    direction: f.direction,
    placement: f.placement,
    liveSince: f.liveSince,
    plannedMove: f.plannedBatch && ['approved', 'announced', 'running', 'paused'].includes(f.plannedBatch.status)
      ? { batch: f.plannedBatch.id, at: f.plannedBatch.plannedAt }
      : null,
  };
}

export async function startPortal(opts: { db: Db; port?: number; host?: string }): Promise<Portal> {
  const store = createFolderStore(opts.db);

  async function route(url: URL): Promise<[number, unknown]> {
    const parts = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/healthz') {
      await opts.db.raw('select 1');
      return [200, { ok: true }];
    }
    if (parts[0] === 'api' && parts[1] === 'folders' && parts.length === 2) {
      const placement = url.searchParams.get('placement') ?? undefined;
      if (placement !== undefined && !isPlacement(placement)) throw new BadRequest(`placement must be one of ${PLACEMENTS.join(', ')}`);
      const text = url.searchParams.get('q') ?? undefined;
      if (text !== undefined && text.length > 100) throw new BadRequest('q must be at most 100 characters');
      const market = url.searchParams.get('market') ?? undefined;
      const folders = await store.list({ placement, market, text });
      return [200, { folders: folders.map(publicFolder) }];
    }
    if (parts[0] === 'api' && parts[1] === 'folders' && parts.length === 3) {
      const code = decodeURIComponent(parts[2]).toUpperCase();
      if (!/^[A-Z0-9-]{1,16}$/.test(code)) throw new BadRequest('a folder code is letters, digits and -');
      const f = await store.get(code);
      return f ? [200, publicFolder(f)] : [404, { error: `no folder ${code}` }];
    }
    return [404, { error: 'not found: see /api/folders' }];
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://portal');
      let status: number;
      let payload: unknown;
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD') [status, payload] = [405, { error: 'read-only: use GET' }];
        else [status, payload] = await route(url);
      } catch (err) {
        [status, payload] = err instanceof BadRequest ? [400, { error: err.message }] : [500, { error: 'internal error' }];
      }
      const body = JSON.stringify(payload);
      const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
      const headers = { 'content-type': 'application/json; charset=utf-8', etag, 'cache-control': 'public, max-age=5' };
      if (status === 200 && req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        return res.end();
      }
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
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
