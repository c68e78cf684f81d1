import { rowsOf, type Db } from '../db/connection';

/** Counts the control API's /metrics reports, read when scraped. */
export interface MetricFacts {
  folders: { key: string; n: number }[];
  batches: { key: string; n: number }[];
  notices: { key: string; n: number }[];
  attempts: { key: string; n: number }[];
  runs: { kind: string; status: string; n: number }[];
  drifts: { key: string; n: number }[];
  lastPass: { at: number; took: number } | null;
}

export interface MetricsStore {
  facts(): Promise<MetricFacts>;
}

type Counted = { k: string; n: number };

export function createMetricsStore(db: Db): MetricsStore {
  const counted = async (sql: string) =>
    (await rowsOf<Counted>(db, sql)).map((r) => ({ key: String(r.k), n: Number(r.n) }));
  return {
    async facts() {
      const [folders, batches, notices, attempts, runs, drifts, last] = await Promise.all([
        counted('select placement as k, count(*)::int as n from folders group by 1 order by 1'),
        counted('select status as k, count(*)::int as n from batches group by 1 order by 1'),
        counted('select status as k, count(*)::int as n from notices group by 1 order by 1'),
        counted('select outcome as k, count(*)::int as n from notice_attempts group by 1 order by 1'),
        rowsOf<{ kind: string; status: string; n: number }>(
          db,
          'select kind, status, count(*)::int as n from folder_runs group by 1, 2 order by 1, 2',
        ),
        counted(
          'select kind as k, count(*)::int as n from drifts where resolved_at is null group by 1 order by 1',
        ),
        rowsOf<{ at: number; took: number }>(
          db,
          'select extract(epoch from finished_at)::float8 as at, extract(epoch from finished_at - started_at)::float8 as took from reconcile_passes order by id desc limit 1',
        ),
      ]);
      return {
        folders,
        batches,
        notices,
        attempts,
        runs: runs.map((r) => ({ kind: r.kind, status: r.status, n: Number(r.n) })),
        drifts,
        lastPass: last[0] ? { at: Number(last[0].at), took: Number(last[0].took) } : null,
      };
    },
  };
}
