import type { Db } from '../db/connection';
import type { BatchFolderStatus, BatchStatus } from '../domain/batch-lifecycle';
import type { RetireFacts } from '../domain/batch-plan';
import { retireFacts } from './batch-store';

/** A batch as stored: its row, each of its folders (with its run's freeze window) and the retired folders it closes. */
export interface BatchRow {
  id: string;
  name: string;
  status: BatchStatus;
  reason: string | null;
  plannedAt: Date;
  requestedBy: string;
  approvedBy: string | null;
  failurePolicy: 'continue' | 'halt';
  concurrency: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  folders: {
    code: string;
    name: string;
    status: BatchFolderStatus;
    step: string | null;
    failure: string | null;
    freezeWindowMs: number | null;
  }[];
  /** `retiredAt`: when the folder was retired, by this batch or otherwise. */
  retires: {
    code: string;
    name: string;
    status: 'pending' | 'retired' | 'refused' | 'not_retired';
    failure: string | null;
    retiredAt: Date | null;
  }[];
}

/** Batches as the read side and the plan's checks see them (the workflows write them: stores/batch-store.ts). */
export interface BatchReads {
  get(id: string): Promise<BatchRow | undefined>;
  /** Every batch, the latest planned first. */
  list(): Promise<BatchRow[]>;
  exists(id: string): Promise<boolean>;
  /** What the plan's checks need to know of folders a batch would retire. */
  retireFacts(codes: string[]): Promise<Map<string, RetireFacts>>;
}

type Row = Record<string, never>;

export function createBatchReads(db: Db): BatchReads {
  async function get(id: string): Promise<BatchRow | undefined> {
    const b: Row | undefined = await db('batches').where({ id }).first();
    if (!b) return undefined;
    const folders: Row[] = await db('batch_folders as bf')
      .join('folders as f', 'f.code', 'bf.folder_code')
      .leftJoin('folder_runs as r', function () {
        this.on('r.folder_code', 'bf.folder_code').andOn('r.batch_id', 'bf.batch_id');
      })
      .where('bf.batch_id', id)
      .orderBy('bf.folder_code')
      .select('bf.folder_code', 'f.name_en', 'bf.status', 'bf.step', 'bf.failure', 'r.freeze_window_ms');
    const retires: Row[] = await db('batch_retires as br')
      .join('folders as f', 'f.code', 'br.folder_code')
      .where('br.batch_id', id)
      .orderBy('f.code')
      .select('f.code', 'f.name_en', 'br.status', 'br.failure', 'f.retired_at');
    return {
      id: b.id,
      name: b.name,
      status: b.status,
      reason: b.reason ?? null,
      plannedAt: b.planned_at,
      requestedBy: b.requested_by,
      approvedBy: b.approved_by ?? null,
      failurePolicy: b.failure_policy,
      concurrency: b.concurrency,
      startedAt: b.started_at ?? null,
      finishedAt: b.finished_at ?? null,
      folders: folders.map((f) => ({
        code: f.folder_code,
        name: f.name_en,
        status: f.status,
        step: f.step ?? null,
        failure: f.failure ?? null,
        freezeWindowMs: f.freeze_window_ms ?? null,
      })),
      retires: retires.map((f) => ({
        code: f.code,
        name: f.name_en,
        status: f.status,
        failure: f.failure ?? null,
        retiredAt: f.retired_at ?? null,
      })),
    };
  }
  return {
    get,
    async list() {
      const ids: string[] = await db('batches').orderBy('planned_at', 'desc').pluck('id');
      return Promise.all(ids.map(async (id) => (await get(id))!));
    },
    async exists(id) {
      return Boolean(await db('batches').where({ id }).first('id'));
    },
    retireFacts: (codes) => retireFacts(db, codes),
  };
}
