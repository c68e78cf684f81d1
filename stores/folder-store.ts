import type { Db } from '../db/connection';
import type { Placement } from '../domain/placement';

/** What the read side (CLI, portal, appendix) knows about a folder. */
export interface FolderView {
  code: string;
  nameEn: string;
  nameZh: string;
  market: string;
  direction: string;
  userTypes: string[];
  ccFunction: string | null;
  placement: Placement;
  placementChangedAt: string;
  liveSince: string | null;
  lastFailure: string | null;
  /** The unfinished batch that plans this folder, if any, and when. */
  plannedBatch: { id: string; plannedAt: string; status: string } | null;
  /** Drift the reconciler found and nobody has resolved (stores/reconcile.ts): the platforms are not where `placement` says. */
  drifts: string[];
}

export interface FolderRunView {
  kind: 'cutover' | 'rollback';
  batchId: string | null;
  workflowId: string;
  status: string;
  step: string | null;
  startedAt: string;
  finishedAt: string | null;
  freezeWindowMs: number | null;
  failure: string | null;
}

import { EVENTS_PAGE } from '../contract/limits';

export { EVENTS_PAGE };

export interface EventView {
  id: number;
  at: string;
  actor: string;
  entityType: string;
  entityId: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  workflowId: string | null;
}

export interface FolderStore {
  list(filter?: { placement?: Placement; market?: string; text?: string }): Promise<FolderView[]>;
  get(code: string): Promise<FolderView | undefined>;
  runs(code: string, limit?: number): Promise<FolderRunView[]>;
  events(code: string, limit?: number): Promise<EventView[]>;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

export function toFolderView(r: Row): FolderView {
  return {
    code: String(r.code),
    nameEn: String(r.name_en),
    nameZh: String(r.name_zh),
    market: String(r.market),
    direction: String(r.direction),
    userTypes: r.user_types as string[],
    ccFunction: (r.cc_function as string | null) ?? null,
    placement: r.placement as Placement,
    placementChangedAt: iso(r.placement_changed_at) ?? '',
    liveSince: iso(r.live_since),
    lastFailure: (r.last_failure as string | null) ?? null,
    plannedBatch: r.batch_id ? { id: String(r.batch_id), plannedAt: iso(r.planned_at) ?? '', status: String(r.batch_status) } : null,
    drifts: (r.drifts as string[] | null) ?? [],
  };
}

export function toEventView(r: Row): EventView {
  return {
    id: Number(r.id),
    at: iso(r.at) ?? '',
    actor: String(r.actor),
    entityType: String(r.entity_type),
    entityId: String(r.entity_id),
    from: (r.from_state as string | null) ?? null,
    to: (r.to_state as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    workflowId: (r.workflow_id as string | null) ?? null,
  };
}

export function createFolderStore(db: Db): FolderStore {
  const base = () =>
    db('folders as f')
      .leftJoin('batch_folders as bf', function () {
        this.on('bf.folder_code', 'f.code').andOn(db.raw('bf.active'));
      })
      .leftJoin('batches as b', 'b.id', 'bf.batch_id')
      .select('f.*', 'b.id as batch_id', 'b.planned_at', 'b.status as batch_status',
        db.raw(`array(select d.kind from drifts d where d.folder_code = f.code and d.resolved_at is null order by d.kind) as drifts`));
  return {
    async list(filter = {}) {
      const q = base().orderBy([{ column: 'f.market' }, { column: 'f.code' }]);
      if (filter.placement) q.where('f.placement', filter.placement);
      if (filter.market) q.where('f.market', filter.market);
      if (filter.text) {
        const like = `%${filter.text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
        q.where((w) => w.whereILike('f.code', like).orWhereILike('f.name_en', like).orWhereILike('f.name_zh', like));
      }
      return (await q).map(toFolderView);
    },
    async get(code) {
      const row = await base().where('f.code', code).first();
      return row ? toFolderView(row) : undefined;
    },
    async runs(code, limit = 10) {
      const rows = await db('folder_runs').where({ folder_code: code }).orderBy('id', 'desc').limit(limit);
      return rows.map((r: Row) => ({
        kind: r.kind as 'cutover' | 'rollback',
        batchId: (r.batch_id as string | null) ?? null,
        workflowId: String(r.workflow_id),
        status: String(r.status),
        step: (r.step as string | null) ?? null,
        startedAt: iso(r.started_at) ?? '',
        finishedAt: iso(r.finished_at),
        freezeWindowMs: (r.freeze_window_ms as number | null) ?? null,
        failure: (r.failure as string | null) ?? null,
      }));
    },
    async events(code, limit = 10) {
      const rows = await db('events').where({ entity_type: 'folder', entity_id: code }).orderBy('id', 'desc').limit(limit);
      return rows.map(toEventView);
    },
  };
}
