import type { Db } from '../db/connection';
import type { ReportFacts } from '../domain/report';

/** What a batch's report is made of, read from PostgreSQL in one go (domain/report.ts shapes and renders it). */
export interface ReportStore {
  /** The facts of a batch's report, or undefined for no such batch. `now`: when the report is made. */
  batch(batchId: string, now: Date): Promise<ReportFacts | undefined>;
}

const iso = (v: unknown) =>
  v instanceof Date
    ? v.toISOString()
    : v === null || v === undefined
      ? null
      : new Date(String(v)).toISOString();
type Row = Record<string, never>;

export function createReportStore(db: Db): ReportStore {
  return {
    async batch(batchId, now) {
      const b = await db('batches').where({ id: batchId }).first();
      if (!b) return undefined;
      const [events, folders, retires, readiness, notices, drift] = await Promise.all([
        db('events')
          .where({ entity_type: 'batch', entity_id: batchId })
          .orderBy('id')
          .select('at', 'actor', 'to_state', 'reason'),
        // Each folder with its latest cutover in this batch (an earlier attempt of a reset run is not the outcome).
        db('batch_folders as bf')
          .join('folders as f', 'f.code', 'bf.folder_code')
          .leftJoin(
            db('folder_runs')
              .where({ batch_id: batchId, kind: 'cutover' })
              .distinctOn('folder_code')
              .orderBy([{ column: 'folder_code' }, { column: 'id', order: 'desc' }])
              .select(
                'folder_code',
                'started_at',
                'freeze_started_at',
                'finished_at',
                'freeze_window_ms',
                'failure as run_failure',
              )
              .as('r'),
            'r.folder_code',
            'bf.folder_code',
          )
          .where('bf.batch_id', batchId)
          .orderBy('bf.folder_code')
          .select(
            'bf.folder_code',
            'f.name_en',
            'f.name_zh',
            'bf.status',
            'bf.failure',
            'r.started_at',
            'r.freeze_started_at',
            'r.finished_at',
            'r.freeze_window_ms',
            'r.run_failure',
          ),
        db('batch_retires as br')
          .join('folders as f', 'f.code', 'br.folder_code')
          .where('br.batch_id', batchId)
          .orderBy('f.code')
          .select('f.code', 'f.name_en', 'f.name_zh', 'br.status', 'br.failure'),
        db('batch_readiness')
          .where({ batch_id: batchId })
          .orderByRaw(`case moment when 'instant' then 0 else 1 end`)
          .first(),
        db('notices')
          .where((w) =>
            w
              .where('subject_id', batchId)
              .orWhere('subject_id', 'like', `${batchId}@%`)
              .orWhere('subject_id', 'like', `${batchId}:%`),
          )
          .groupBy('kind')
          .orderBy('kind')
          .select('kind')
          .select(
            db.raw(`count(*) filter (where status in ('queued','sending'))::int as queued`),
            db.raw(`count(*) filter (where status = 'sent')::int as sent`),
            db.raw(`count(*) filter (where status = 'failed')::int as failed`),
            db.raw(`count(*) filter (where status = 'withdrawn')::int as withdrawn`),
            db.raw(`count(*) filter (where status = 'sent' and attempts > 1)::int as resent`),
          ),
        b.started_at
          ? db('drifts')
              .whereIn('folder_code', db('batch_folders').where({ batch_id: batchId }).select('folder_code'))
              .where('detected_at', '>=', b.started_at)
              .orderBy('id')
              .select('folder_code', 'kind', 'detected_at', 'resolved_at')
          : Promise.resolve([]),
      ]);
      return {
        kind: 'batch',
        batch: {
          id: b.id,
          name: b.name,
          status: b.status,
          reason: b.reason ?? null,
          plannedAt: iso(b.planned_at)!,
          requestedBy: b.requested_by,
          approvedBy: b.approved_by ?? null,
          failurePolicy: b.failure_policy,
          concurrency: b.concurrency,
          startedAt: iso(b.started_at),
          finishedAt: iso(b.finished_at),
        },
        timeline: events.map((e: Row) => ({
          at: iso(e.at)!,
          actor: e.actor,
          what: e.to_state ?? '',
          reason: e.reason ?? null,
        })),
        folders: folders.map((f: Row) => ({
          code: f.folder_code,
          nameEn: f.name_en,
          nameZh: f.name_zh,
          status: f.status,
          failure: f.failure ?? f.run_failure ?? null,
          startedAt: iso(f.started_at),
          freezeStartedAt: iso(f.freeze_started_at),
          endedAt: iso(f.finished_at),
          freezeWindowMs: f.freeze_window_ms ?? null,
        })),
        retires: retires.map((r: Row) => ({
          code: r.code,
          nameEn: r.name_en,
          nameZh: r.name_zh,
          status: r.status,
          failure: r.failure ?? null,
        })),
        readiness: readiness
          ? {
              at: iso(readiness.read_at)!,
              affected: readiness.affected,
              notReady: readiness.not_ready,
              source: readiness.source,
              when: readiness.moment === 'instant' ? 'at the planned instant' : 'at the announcement',
            }
          : null,
        notices: notices.map((n: Row) => ({
          kind: n.kind,
          queued: n.queued,
          sent: n.sent,
          failed: n.failed,
          withdrawn: n.withdrawn,
          resent: n.resent,
        })),
        drift: (drift as Row[]).map((d) => ({
          folder: d.folder_code,
          kind: d.kind,
          detectedAt: iso(d.detected_at)!,
          resolvedAt: iso(d.resolved_at),
        })),
        generatedAt: now.toISOString(),
      };
    },
  };
}
