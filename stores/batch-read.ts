import type { Db } from '../db/connection';
import type { BatchFolderStatus, BatchStatus } from '../domain/batch-lifecycle';

export interface BatchView {
  id: string;
  name: string;
  status: BatchStatus;
  /** Why the batch is in its status (for a finished one: its outcome or who stopped it and why). */
  reason: string | null;
  plannedAt: string;
  requestedBy: string;
  approvedBy: string | null;
  failurePolicy: 'continue' | 'halt';
  concurrency: number;
  startedAt: string | null;
  finishedAt: string | null;
  folders: { code: string; name: string; status: BatchFolderStatus; step: string | null; failure: string | null; freezeWindowMs: number | null }[];
  /** Retired folders the batch closes on legacy at its start: pending, retired, refused (by the platform) or not_retired (the batch ended first). */
  retires: { code: string; name: string; status: 'pending' | 'retired' | 'refused' | 'not_retired'; failure: string | null; retiredAt: string | null }[];
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);

/** A batch as the CLI and the portal show it, from PostgreSQL only. */
export async function readBatch(db: Db, id: string): Promise<BatchView | undefined> {
  const b = await db('batches').where({ id }).first();
  if (!b) return undefined;
  const folders = await db('batch_folders as bf')
    .join('folders as f', 'f.code', 'bf.folder_code')
    .leftJoin('folder_runs as r', function () {
      this.on('r.folder_code', 'bf.folder_code').andOn('r.batch_id', 'bf.batch_id');
    })
    .where('bf.batch_id', id)
    .orderBy('bf.folder_code')
    .select('bf.folder_code', 'f.name_en', 'bf.status', 'bf.step', 'bf.failure', 'r.freeze_window_ms');
  const retires = await db('batch_retires as br').join('folders as f', 'f.code', 'br.folder_code').where('br.batch_id', id).orderBy('f.code')
    .select('f.code', 'f.name_en', 'br.status', 'br.failure', 'f.retired_at');
  return {
    id: b.id, name: b.name, status: b.status, reason: b.reason ?? null, plannedAt: iso(b.planned_at)!, requestedBy: b.requested_by, approvedBy: b.approved_by,
    failurePolicy: b.failure_policy, concurrency: b.concurrency, startedAt: iso(b.started_at), finishedAt: iso(b.finished_at),
    folders: folders.map((f) => ({ code: f.folder_code, name: f.name_en, status: f.status, step: f.step, failure: f.failure, freezeWindowMs: f.freeze_window_ms })),
    retires: retires.map((f) => ({ code: f.code, name: f.name_en, status: f.status, failure: f.failure, retiredAt: f.status === 'retired' ? iso(f.retired_at) : null })),
  };
}
