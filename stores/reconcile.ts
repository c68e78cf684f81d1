import type { Db } from '../db/connection';
import type { DriftKind } from '../domain/drift';
import {
  sameRecord,
  type EpisodeChanges,
  type FolderSnapshot,
  type OpenEpisode,
  type ReconcileTrigger,
} from '../domain/reconcile';
import { appendEvent } from './events';

export interface DriftView {
  folder: string;
  kind: DriftKind;
  detail: string;
  action: string | null;
  detectedAt: string;
  resolvedAt: string | null;
}

export const toDriftView = (r: {
  folder_code: string;
  kind: string;
  detail: string;
  action: string | null;
  detected_at: Date;
  resolved_at: Date | null;
}): DriftView => ({
  folder: r.folder_code,
  kind: r.kind as DriftKind,
  detail: r.detail,
  action: r.action,
  detectedAt: r.detected_at.toISOString(),
  resolvedAt: r.resolved_at?.toISOString() ?? null,
});

/** The reconciler's records (issue 18): folders' snapshots, drift episodes (`drifts`) and passes (`reconcile_passes`). */
export interface ReconcileStore {
  /** Runs `pass` holding the reconciler's lock (a PostgreSQL advisory lock): one pass at a time, a later one waits. */
  exclusively<T>(pass: () => Promise<T>): Promise<T>;
  folderCodes(): Promise<string[]>;
  /** A folder's record and running moves, in one statement (null: no such folder). */
  snapshot(code: string): Promise<FolderSnapshot | null>;
  /**
   * Runs `act` holding the folder's row (FOR SHARE: a move's begin, which takes it FOR UPDATE, waits), if its
   * record, read again under the lock, is still `expected`; false, without acting, if it changed.
   */
  whileUnchanged(code: string, expected: FolderSnapshot, act: () => Promise<void>): Promise<boolean>;
  /**
   * The folder's open episodes, locked, handed to `decide` with the instant; what it decides is opened and
   * resolved, each with an event keyed by the pass, in one transaction.
   */
  recordEpisodes(
    code: string,
    passId: string,
    decide: (open: OpenEpisode[], now: Date) => EpisodeChanges,
  ): Promise<{ detected: DriftView[]; resolved: DriftView[] }>;
  /** Every open episode, by folder and kind. */
  openEpisodes(): Promise<DriftView[]>;
  recordPass(p: {
    trigger: ReconcileTrigger;
    startedAt: Date;
    folders: number;
    openDrifts: number;
    newDrifts: number;
    resolvedDrifts: number;
    unreadable: number;
  }): Promise<void>;
}

const ACTOR = 'reconciler';
/** One pass at a time (the Schedule's and one asked for): a later one waits for the earlier to end. */
const PASS_LOCK = 0x45435052; // 'ECPR'

/** The record of one folder and its running moves, in one statement (a consistent snapshot); `lock`: FOR SHARE. */
async function snapshotOf(db: Db, code: string, lock = false): Promise<FolderSnapshot | null> {
  const { rows } = await db.raw(
    `select f.placement, f.retired_at,
       coalesce((select json_agg(json_build_object('workflowId', r.workflow_id, 'runId', r.run_id) order by r.id)
                 from folder_runs r where r.folder_code = f.code and r.status = 'running'), '[]'::json) as runs
     from folders f where f.code = ?${lock ? ' for share of f' : ''}`,
    [code],
  );
  const r = rows[0] as
    { placement: string; retired_at: Date | null; runs: { workflowId: string; runId: string }[] } | undefined;
  return r
    ? { placement: r.placement, retiredAt: r.retired_at ? r.retired_at.toISOString() : null, runs: r.runs }
    : null;
}

export function createReconcileStore(db: Db): ReconcileStore {
  return {
    async exclusively(pass) {
      const lock = await db.transaction();
      try {
        await lock.raw('select pg_advisory_xact_lock(?)', [PASS_LOCK]);
        return await pass();
      } finally {
        await lock.commit();
      }
    },

    folderCodes: () => db('folders').orderBy('code').pluck('code'),

    snapshot: (code) => snapshotOf(db, code),

    whileUnchanged(code, expected, act) {
      return db.transaction(async (trx) => {
        if (!sameRecord(await snapshotOf(trx, code, true), expected)) return false;
        await act();
        return true;
      });
    },

    recordEpisodes(code, passId, decide) {
      return db.transaction(async (trx) => {
        const open = await trx('drifts')
          .where({ folder_code: code })
          .whereNull('resolved_at')
          .forUpdate()
          .select('*');
        const now = new Date();
        const changes = decide(
          open.map((o) => ({ id: Number(o.id), kind: o.kind, detail: o.detail })),
          now,
        );
        const out = { detected: [] as DriftView[], resolved: [] as DriftView[] };
        for (const d of changes.open) {
          const [row] = await trx('drifts')
            .insert({
              folder_code: code,
              kind: d.kind,
              detail: d.detail,
              action: d.action,
              detected_at: now,
              resolved_at: d.resolvedAt,
            })
            .returning('*');
          await appendEvent(trx, {
            key: `reconcile/${passId}/${code}/${d.kind}/detected`,
            actor: ACTOR,
            entityType: 'folder',
            entityId: code,
            to: 'drift_detected',
            reason: d.detail,
            data: { kind: d.kind, action: d.action },
          });
          out.detected.push(toDriftView(row));
        }
        for (const o of changes.resolve) {
          const [row] = await trx('drifts').where({ id: o.id }).update({ resolved_at: now }).returning('*');
          await appendEvent(trx, {
            key: `reconcile/${passId}/${code}/${o.kind}/resolved`,
            actor: ACTOR,
            entityType: 'folder',
            entityId: code,
            to: 'drift_resolved',
            reason: `no longer seen: ${o.detail}`,
            data: { kind: o.kind },
          });
          out.resolved.push(toDriftView(row));
        }
        return out;
      });
    },

    async openEpisodes() {
      return (await db('drifts').whereNull('resolved_at').orderBy(['folder_code', 'kind']).select('*')).map(
        toDriftView,
      );
    },

    async recordPass(p) {
      await db('reconcile_passes').insert({
        trigger: p.trigger,
        started_at: p.startedAt,
        finished_at: new Date(),
        folders: p.folders,
        open_drifts: p.openDrifts,
        new_drifts: p.newDrifts,
        resolved_drifts: p.resolvedDrifts,
        unreadable: p.unreadable,
      });
    },
  };
}
