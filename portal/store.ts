import type { Db } from '../db/connection';

/**
 * What the portal reads: the public views of schema `portal` (db/migrations/20260101000900_control_plane.ts),
 * which are all its database role may read. A batch appears there once approved.
 */
export interface PublicFolder {
  code: string;
  name: { en: string; 'zh-Hant': string };
  market: string;
  direction: string;
  placement: string;
  liveSince: string | null;
  plannedMove: { batch: string; at: string } | null;
  /** A retired folder: the batch that closes it on legacy, and when (retirement is this tool's rule, not the FAQ's); null until one is planned. */
  retirement: { batch: string; at: string } | null;
  retiredAt: string | null;
  /** A folder on legacy with no planned batch: its move is "to be announced" (FAQ D.28). */
  toBeAnnounced: boolean;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
const toPublic = (r: Record<string, unknown>): PublicFolder => ({
  code: String(r.code),
  name: { en: String(r.name_en), 'zh-Hant': String(r.name_zh) },
  market: String(r.market),
  direction: String(r.direction),
  placement: String(r.placement),
  liveSince: iso(r.live_since),
  plannedMove: r.planned_batch ? { batch: String(r.planned_batch), at: iso(r.planned_at)! } : null,
  retirement: r.retire_batch ? { batch: String(r.retire_batch), at: iso(r.retire_at)! } : null,
  retiredAt: iso(r.retired_at),
  toBeAnnounced: r.placement === 'legacy' && !r.planned_batch,
});

export async function publicFolders(
  db: Db,
  filter: { placement?: string; market?: string; text?: string } = {},
): Promise<PublicFolder[]> {
  const q = db('portal.folders').orderBy([{ column: 'market' }, { column: 'code' }]);
  if (filter.placement) q.where('placement', filter.placement);
  if (filter.market) q.where('market', filter.market);
  if (filter.text) {
    const like = `%${filter.text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q.where((w) => w.whereILike('code', like).orWhereILike('name_en', like).orWhereILike('name_zh', like));
  }
  return (await q).map(toPublic);
}

export async function publicFolder(db: Db, code: string): Promise<PublicFolder | undefined> {
  const row = await db('portal.folders').where({ code }).first();
  return row ? toPublic(row) : undefined;
}

/** Planned and past batches with their folders, and the legacy folders not yet planned ("to be announced", FAQ D.28). */
export async function publicSchedule(db: Db) {
  const batches = await db('portal.batches')
    .orderBy('planned_at')
    .select('id', 'name', 'planned_at', 'status');
  const members = await db('portal.batch_folders')
    .orderBy('folder_code')
    .select('batch_id', 'folder_code', 'status', 'active');
  const planned = new Set(members.filter((m) => m.active).map((m) => m.folder_code));
  const legacy = await db('portal.folders').where({ placement: 'legacy' }).orderBy('code').pluck('code');
  return {
    batches: batches.map((b) => ({
      id: b.id,
      name: b.name,
      plannedAt: (b.planned_at as Date).toISOString(),
      status: b.status,
      folders: members
        .filter((m) => m.batch_id === b.id)
        .map((m) => ({ code: m.folder_code, status: m.status })),
    })),
    toBeAnnounced: legacy.filter((code: string) => !planned.has(code)),
  };
}
