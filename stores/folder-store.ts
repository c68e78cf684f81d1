import type { Db } from '../db/connection';
import type { Placement } from '../domain/placement';
import { likeEscaped } from './like';

/** A folder as the catalog has it, with the unfinished batch that plans it and its open drift. */
export interface FolderRow {
  code: string;
  nameEn: string;
  nameZh: string;
  market: string;
  direction: string;
  userTypes: string[];
  ccFunction: string | null;
  placement: Placement;
  placementChangedAt: Date;
  liveSince: Date | null;
  lastFailure: string | null;
  /** The unfinished batch that plans this folder (its active plan), if any. */
  plannedBatch: { id: string; plannedAt: Date; status: string } | null;
  /** The kinds of drift open on it (the reconciler's), by kind. */
  drifts: string[];
}

/** One move of a folder (`folder_runs`). */
export interface FolderRunRow {
  kind: 'cutover' | 'rollback' | 'repair';
  batchId: string | null;
  workflowId: string;
  status: string;
  step: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  freezeWindowMs: number | null;
  failure: string | null;
}

export interface FolderFilter {
  placement?: Placement;
  market?: string;
  /** In the code or either name, any case. */
  text?: string;
  codes?: string[];
}

/** The folder catalog as the read side sees it. */
export interface FolderStore {
  /** By market then code (`order: 'code'`: by code alone). */
  list(filter?: FolderFilter, order?: 'market' | 'code'): Promise<FolderRow[]>;
  get(code: string): Promise<FolderRow | undefined>;
  /** Its moves, newest first. */
  runs(code: string, limit: number): Promise<FolderRunRow[]>;
  /** Every code in the catalog. */
  codes(): Promise<string[]>;
}

type Row = Record<string, never>;

const toFolderRow = (r: Row): FolderRow => ({
  code: r.code,
  nameEn: r.name_en,
  nameZh: r.name_zh,
  market: r.market,
  direction: r.direction,
  userTypes: r.user_types,
  ccFunction: r.cc_function ?? null,
  placement: r.placement,
  placementChangedAt: r.placement_changed_at,
  liveSince: r.live_since ?? null,
  lastFailure: r.last_failure ?? null,
  plannedBatch: r.batch_id ? { id: r.batch_id, plannedAt: r.planned_at, status: r.batch_status } : null,
  drifts: r.drifts ?? [],
});

const toRunRow = (r: Row): FolderRunRow => ({
  kind: r.kind,
  batchId: r.batch_id ?? null,
  workflowId: r.workflow_id,
  status: r.status,
  step: r.step ?? null,
  startedAt: r.started_at,
  finishedAt: r.finished_at ?? null,
  freezeWindowMs: r.freeze_window_ms ?? null,
  failure: r.failure ?? null,
});

export function createFolderStore(db: Db): FolderStore {
  const base = () =>
    db('folders as f')
      .leftJoin('batch_folders as bf', function () {
        this.on('bf.folder_code', 'f.code').andOn(db.raw('bf.active'));
      })
      .leftJoin('batches as b', 'b.id', 'bf.batch_id')
      .select(
        'f.*',
        'b.id as batch_id',
        'b.planned_at',
        'b.status as batch_status',
        db.raw(
          `array(select d.kind from drifts d where d.folder_code = f.code and d.resolved_at is null order by d.kind) as drifts`,
        ),
      );
  return {
    async list(filter = {}, order = 'market') {
      const q = base().orderBy(
        order === 'code' ? [{ column: 'f.code' }] : [{ column: 'f.market' }, { column: 'f.code' }],
      );
      if (filter.placement) q.where('f.placement', filter.placement);
      if (filter.market) q.where('f.market', filter.market);
      if (filter.codes) q.whereIn('f.code', filter.codes);
      if (filter.text) {
        const like = `%${likeEscaped(filter.text)}%`;
        q.where((w) =>
          w.whereILike('f.code', like).orWhereILike('f.name_en', like).orWhereILike('f.name_zh', like),
        );
      }
      return (await q).map(toFolderRow);
    },
    async get(code) {
      const row = await base().where('f.code', code).first();
      return row ? toFolderRow(row) : undefined;
    },
    async runs(code, limit) {
      return (await db('folder_runs').where({ folder_code: code }).orderBy('id', 'desc').limit(limit)).map(
        toRunRow,
      );
    },
    codes: () => db('folders').orderBy('code').pluck('code'),
  };
}
