import type { Db } from '../db/connection';
import type { DriftKind } from '../domain/drift';
import type { ReconcileTrigger } from '../domain/reconcile';

/** A drift episode as stored (`drifts`): found by a reconciler pass, open until a pass no longer sees it. */
export interface DriftRow {
  id: number;
  folderCode: string;
  kind: DriftKind;
  detail: string;
  action: string | null;
  detectedAt: Date;
  resolvedAt: Date | null;
}

/** A reconciler pass as stored (`reconcile_passes`). */
export interface PassRow {
  trigger: ReconcileTrigger;
  startedAt: Date;
  finishedAt: Date;
  openDrifts: number;
}

/** Drift as the read side sees it (the reconciler writes it: stores/reconcile.ts). */
export interface DriftStore {
  /** Newest first, at most `limit`: only the open ones (`open`), of one folder (`folder`), or all. */
  list(filter: { open?: boolean; folder?: string }, limit: number): Promise<DriftRow[]>;
  lastPass(): Promise<PassRow | undefined>;
}

type Row = Record<string, never>;

export const toDriftRow = (r: Row): DriftRow => ({
  id: Number(r.id),
  folderCode: r.folder_code,
  kind: r.kind,
  detail: r.detail,
  action: r.action ?? null,
  detectedAt: r.detected_at,
  resolvedAt: r.resolved_at ?? null,
});

export function createDriftStore(db: Db): DriftStore {
  return {
    async list(filter, limit) {
      const q = db('drifts').orderBy('id', 'desc').limit(limit);
      if (filter.open) q.whereNull('resolved_at');
      if (filter.folder !== undefined) q.where({ folder_code: filter.folder });
      return (await q).map(toDriftRow);
    },
    async lastPass() {
      const r = await db('reconcile_passes').orderBy('id', 'desc').first();
      return r
        ? {
            trigger: r.trigger,
            startedAt: r.started_at,
            finishedAt: r.finished_at,
            openDrifts: r.open_drifts,
          }
        : undefined;
    },
  };
}

/** Open drifts, by folder (for the decommission gate). */
export async function openDrifts(db: Db, codes?: string[]): Promise<Map<string, DriftKind[]>> {
  const q = db('drifts')
    .whereNull('resolved_at')
    .orderBy(['folder_code', 'kind'])
    .select('folder_code', 'kind');
  const rows: { folder_code: string; kind: DriftKind }[] = await (codes
    ? q.whereIn('folder_code', codes)
    : q);
  const by = new Map<string, DriftKind[]>();
  for (const r of rows) by.set(r.folder_code, [...(by.get(r.folder_code) ?? []), r.kind]);
  return by;
}
