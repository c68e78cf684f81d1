import type { Db } from '../db/connection';
import { ConflictError, NotFoundError } from '../domain/errors';
import type { RunRef } from '../domain/folder-runs';
import {
  rehearsalOutcome,
  type RehearsalFolderStatus,
  type RehearsalStatus,
  type RehearsalSummary,
  type RehearsedPlan,
} from '../domain/rehearsal';
import type { FolderOutcomeStatus, ReportFacts } from '../domain/report';
import { percentileOf } from '../domain/stats';
import { progressOf, stepRefusal, stepUpdate, type RunStore } from './run-store';

/** A rehearsal as recorded (tables rehearsals, rehearsal_folders). */
export interface RehearsalRow {
  id: string;
  batchId: string;
  planHash: string;
  plan: RehearsedPlan;
  requestedBy: string;
  environment: string;
  status: RehearsalStatus;
  workflowId: string;
  runId: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  readiness: { affected: number; notReady: number; source: string; at: Date } | null;
  notices: string | null;
  failure: string | null;
  folders: {
    code: string;
    status: RehearsalFolderStatus;
    step: string | null;
    startedAt: Date | null;
    finishedAt: Date | null;
    freezeStartedAt: Date | null;
    freezeWindowMs: number | null;
    drained: number | null;
    handedOver: number | null;
    failure: string | null;
  }[];
}

export type RehearsalBegin = Pick<
  RehearsalRow,
  'id' | 'batchId' | 'planHash' | 'plan' | 'requestedBy' | 'environment' | 'workflowId' | 'runId'
>;

/**
 * Rehearsals of batches: the rehearsal workflow writes them (the worker), the application layer reads them.
 * Nothing here touches folders, folder_runs, batches, events or notices: a rehearsal leaves the live record
 * as it found it.
 */
export interface RehearsalStore {
  /** Records a rehearsal and its folders (pending); a second call for the same id changes nothing. */
  begin(r: RehearsalBegin): Promise<void>;
  readiness(id: string, r: { affected: number; notReady: number; source: string }): Promise<void>;
  noticesSent(id: string, what: string): Promise<void>;
  /** Ends a rehearsal: its outcome from its folders' (domain/rehearsal.ts), its duration. Idempotent. */
  finish(id: string): Promise<RehearsalRow>;
  /** Ends a rehearsal that could not go on (the rehearsal environment unreachable, say) as failed, with why. Idempotent. */
  abandon(id: string, reason: string): Promise<void>;
  get(id: string): Promise<RehearsalRow | undefined>;
  /** A batch's rehearsals, the latest first. */
  ofBatch(batchId: string): Promise<RehearsalRow[]>;
  /** The latest rehearsal of a batch (any plan: compare its planHash), as the approval sees it. */
  latest(batchId: string): Promise<RehearsalSummary | undefined>;
  /** The folder moves' store (activities/move.ts) for rehearsal runs: `ref.batchId` is the rehearsal's id. */
  runs(): RunStore;
  /** A rehearsal's report (domain/report.ts, kind `rehearsal`), or undefined for no such rehearsal. */
  report(id: string, now: Date): Promise<ReportFacts | undefined>;
}

type Row = Record<string, never>;
const date = (v: unknown) =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v));
const iso = (v: unknown) => date(v)?.toISOString() ?? null;

export function createRehearsalStore(db: Db): RehearsalStore {
  async function get(id: string): Promise<RehearsalRow | undefined> {
    const r: Row | undefined = await db('rehearsals').where({ id }).first();
    if (!r) return undefined;
    const folders: Row[] = await db('rehearsal_folders').where({ rehearsal_id: id }).orderBy('folder_code');
    return {
      id: r.id,
      batchId: r.batch_id,
      planHash: r.plan_hash,
      plan: r.plan,
      requestedBy: r.requested_by,
      environment: r.environment,
      status: r.status,
      workflowId: r.workflow_id,
      runId: r.run_id,
      startedAt: date(r.started_at)!,
      finishedAt: date(r.finished_at),
      durationMs: r.duration_ms ?? null,
      readiness: r.readiness_at
        ? {
            affected: r.affected,
            notReady: r.not_ready,
            source: r.readiness_source,
            at: date(r.readiness_at)!,
          }
        : null,
      notices: r.notices ?? null,
      failure: r.failure ?? null,
      folders: folders.map((f) => ({
        code: f.folder_code,
        status: f.status,
        step: f.step ?? null,
        startedAt: date(f.started_at),
        finishedAt: date(f.finished_at),
        freezeStartedAt: date(f.freeze_started_at),
        freezeWindowMs: f.freeze_window_ms ?? null,
        drained: f.drained ?? null,
        handedOver: f.handed_over ?? null,
        failure: f.failure ?? null,
      })),
    };
  }
  const folderRow = (trx: Db, r: RunRef) =>
    trx('rehearsal_folders').where({ rehearsal_id: r.batchId ?? '', folder_code: r.folderCode });

  const runs: RunStore = {
    async begin(r, _reason, parent = null) {
      return db.transaction(async (trx) => {
        const reh = await trx('rehearsals')
          .where({ id: r.batchId ?? '' })
          .forShare()
          .first();
        if (!reh) throw new ConflictError(`rehearsal of ${r.folderCode} refused: no rehearsal ${r.batchId}`);
        // Only the rehearsal's own workflow starts its moves (the parent Temporal's server recorded).
        if (!parent || parent.workflowId !== reh.workflow_id || parent.runId !== reh.run_id)
          throw new ConflictError(
            `rehearsal of ${r.folderCode} refused: not started by rehearsal ${reh.id}'s workflow`,
          );
        if (reh.status !== 'running')
          throw new ConflictError(
            `rehearsal of ${r.folderCode} refused: rehearsal ${reh.id} is ${reh.status}`,
          );
        const f = await trx('rehearsal_folders')
          .where({ rehearsal_id: reh.id, folder_code: r.folderCode })
          .forUpdate()
          .first();
        if (!f)
          throw new ConflictError(
            `rehearsal of ${r.folderCode} refused: not a folder of rehearsal ${reh.id}`,
          );
        if (f.workflow_id === r.workflowId && f.run_id === r.runId) return progressOf(f); // begun by an earlier attempt
        if (f.status !== 'pending')
          throw new ConflictError(
            `rehearsal of ${r.folderCode} refused: it was rehearsed already in ${reh.id} (${f.status})`,
          );
        await trx('rehearsal_folders').where({ rehearsal_id: reh.id, folder_code: r.folderCode }).update({
          workflow_id: r.workflowId,
          run_id: r.runId,
          status: 'running',
          step: 'begin',
          started_at: trx.fn.now(),
        });
        return null;
      });
    },
    async progress(r) {
      const f = await folderRow(db, r).first('status', 'step', 'freeze_ended_at', 'workflow_id', 'run_id');
      return f && f.workflow_id === r.workflowId && f.run_id === r.runId ? progressOf(f) : null;
    },
    async step(r, step, patch = {}) {
      await db.transaction(async (trx) => {
        const f = await folderRow(trx, r).forUpdate().first();
        if (!f) throw new NotFoundError(`no rehearsal run of ${r.folderCode} in ${r.batchId}`);
        const refusal = stepRefusal(f.status, f.step, step);
        if (refusal) throw new ConflictError(`rehearsal of ${r.folderCode}: ${refusal}`);
        if (f.status !== 'running') return; // a finished run keeps its last step (stores/run-store.ts)
        await folderRow(trx, r).update(stepUpdate(f, step, patch));
      });
    },
    async finish(r, outcome, reason) {
      return db.transaction(async (trx) => {
        const f = await folderRow(trx, r).forUpdate().first();
        if (!f) throw new NotFoundError(`no rehearsal run of ${r.folderCode} in ${r.batchId}`);
        const late =
          outcome === 'succeeded' && (f.step === 'compensating' || String(f.step).startsWith('undo:'));
        if (f.status === 'running' && !late) {
          await folderRow(trx, r).update({
            status: outcome,
            finished_at: trx.fn.now(),
            failure: outcome === 'compensated' ? reason : null,
            step: outcome === 'succeeded' ? 'done' : 'compensated',
          });
        }
        const done = await folderRow(trx, r).first('freeze_window_ms');
        return {
          placement: outcome === 'succeeded' ? 'live' : 'legacy',
          freezeWindowMs: done?.freeze_window_ms ?? null,
        };
      });
    },
    async recorded(r) {
      return db.transaction(async (trx) => {
        const f = await folderRow(trx, r)
          .forUpdate()
          .first('status', 'freeze_window_ms', 'failure', 'workflow_id', 'run_id');
        // Not begun by this run (still pending, or another's): nothing of this run's is recorded.
        if (!f || f.workflow_id !== r.workflowId || f.run_id !== r.runId)
          return { status: 'none', freezeWindowMs: null, failure: null };
        if (f.status === 'running') await folderRow(trx, r).update({ step: 'compensating' });
        return {
          status: f.status as string,
          freezeWindowMs: f.freeze_window_ms ?? null,
          failure: f.failure ?? null,
        };
      });
    },
  };

  return {
    async begin(r) {
      await db.transaction(async (trx) => {
        const inserted = await trx('rehearsals')
          .insert({
            id: r.id,
            batch_id: r.batchId,
            plan_hash: r.planHash,
            plan: JSON.stringify(r.plan),
            requested_by: r.requestedBy,
            environment: r.environment,
            workflow_id: r.workflowId,
            run_id: r.runId,
          })
          .onConflict('id')
          .ignore()
          .returning('id');
        if (inserted.length === 0) return;
        await trx('rehearsal_folders').insert(
          [...new Set(r.plan.folders)].sort().map((code) => ({ rehearsal_id: r.id, folder_code: code })),
        );
      });
    },
    async readiness(id, r) {
      await db('rehearsals').where({ id }).update({
        affected: r.affected,
        not_ready: r.notReady,
        readiness_source: r.source,
        readiness_at: db.fn.now(),
      });
    },
    async noticesSent(id, what) {
      await db('rehearsals').where({ id }).update({ notices: what });
    },
    async finish(id) {
      await db.transaction(async (trx) => {
        const r = await trx('rehearsals').where({ id }).forUpdate().first();
        if (!r) throw new NotFoundError(`no rehearsal ${id}`);
        if (r.status !== 'running') return;
        const folders: Row[] = await trx('rehearsal_folders')
          .where({ rehearsal_id: id })
          .orderBy('folder_code');
        const out = rehearsalOutcome(
          folders.map((f) => ({ code: f.folder_code, status: f.status, failure: f.failure ?? null })),
        );
        await trx('rehearsals')
          .where({ id })
          .update({
            status: out.status,
            failure: out.failure,
            finished_at: trx.fn.now(),
            duration_ms: trx.raw('(extract(epoch from (now() - started_at)) * 1000)::int'),
          });
      });
      return (await get(id))!;
    },
    async abandon(id, reason) {
      await db('rehearsals')
        .where({ id, status: 'running' })
        .update({
          status: 'failed',
          failure: reason,
          finished_at: db.fn.now(),
          duration_ms: db.raw('(extract(epoch from (now() - started_at)) * 1000)::int'),
        });
    },
    get,
    async ofBatch(batchId) {
      const ids: string[] = await db('rehearsals')
        .where({ batch_id: batchId })
        .orderBy([
          { column: 'started_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .pluck('id');
      return Promise.all(ids.map(async (id) => (await get(id))!));
    },
    async latest(batchId) {
      const id: string | undefined = (
        await db('rehearsals')
          .where({ batch_id: batchId })
          .orderBy([
            { column: 'started_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .first('id')
      )?.id;
      if (!id) return undefined;
      const r = (await get(id))!;
      const windows = r.folders
        .map((f) => f.freezeWindowMs)
        .filter((w): w is number => w !== null)
        .sort((a, b) => a - b);
      return {
        id: r.id,
        status: r.status,
        planHash: r.planHash,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        failure: r.failure,
        freezeMedianMs: percentileOf(windows, 50),
        freezeMaxMs: windows.length ? windows[windows.length - 1] : null,
      };
    },
    runs: () => runs,
    async report(id, now) {
      const r = await get(id);
      if (!r) return undefined;
      const b: Row | undefined = await db('batches').where({ id: r.batchId }).first();
      const names: Row[] = await db('folders')
        .whereIn('code', [...r.plan.folders, ...r.plan.retire])
        .select('code', 'name_en', 'name_zh');
      const name = new Map(names.map((n) => [n.code as string, n]));
      const status = (s: RehearsalFolderStatus): FolderOutcomeStatus =>
        (
          ({
            pending: 'pending',
            running: 'running',
            succeeded: 'live',
            compensated: 'failed',
            refused: 'refused',
          }) as const
        )[s];
      return {
        kind: 'rehearsal',
        batch: {
          id: r.batchId,
          name: b?.name ?? r.batchId,
          status: b?.status ?? 'unknown',
          reason: b?.reason ?? null,
          plannedAt: new Date(r.plan.plannedAt).toISOString(),
          requestedBy: b?.requested_by ?? '',
          approvedBy: b?.approved_by ?? null,
          failurePolicy: r.plan.failurePolicy,
          concurrency: r.plan.concurrency,
          startedAt: iso(r.startedAt),
          finishedAt: iso(r.finishedAt),
        },
        rehearsal: {
          id: r.id,
          requestedBy: r.requestedBy,
          environment: r.environment,
          startedAt: r.startedAt.toISOString(),
          finishedAt: iso(r.finishedAt),
          outcome: r.status,
        },
        timeline: [
          {
            at: r.startedAt.toISOString(),
            actor: r.requestedBy,
            what: 'rehearsal started',
            reason: `against ${r.environment}`,
          },
          ...(r.readiness
            ? [
                {
                  at: r.readiness.at.toISOString(),
                  actor: 'system',
                  what: 'readiness read',
                  reason: `${r.readiness.notReady} of ${r.readiness.affected} firms not ready`,
                },
              ]
            : []),
          ...(r.finishedAt
            ? [
                {
                  at: r.finishedAt.toISOString(),
                  actor: 'system',
                  what: `rehearsal ${r.status}`,
                  reason: r.failure,
                },
              ]
            : []),
        ],
        folders: r.folders.map((f) => ({
          code: f.code,
          nameEn: name.get(f.code)?.name_en ?? f.code,
          nameZh: name.get(f.code)?.name_zh ?? f.code,
          status: status(f.status),
          failure: f.failure,
          startedAt: iso(f.startedAt),
          freezeStartedAt: iso(f.freezeStartedAt),
          endedAt: iso(f.finishedAt),
          freezeWindowMs: f.freezeWindowMs,
        })),
        // A rehearsal closes no retired folder: they are listed as not retired.
        retires: r.plan.retire.map((code) => ({
          code,
          nameEn: name.get(code)?.name_en ?? code,
          nameZh: name.get(code)?.name_zh ?? code,
          status: 'not_retired',
          failure: null,
        })),
        readiness: r.readiness
          ? {
              at: r.readiness.at.toISOString(),
              affected: r.readiness.affected,
              notReady: r.readiness.notReady,
              source: r.readiness.source,
              when: 'at the rehearsal',
            }
          : null,
        // The notices of a rehearsal go to the platform team's address only (one mail), never to firms.
        notices: [],
        drift: [],
        generatedAt: now.toISOString(),
      };
    },
  };
}
