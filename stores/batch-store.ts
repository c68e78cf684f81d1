import type { Knex } from 'knex';
import type { Db } from '../db/connection';
import { isFinalBatch, type BatchFolderStatus, type BatchStatus } from '../domain/batch-lifecycle';
import { retireProblems, type RetireFacts } from '../domain/batch-plan';
import type { BatchPlanArgs, CommandClaims } from '../domain/commands';
import { appendEvent, runKey } from './events';

export interface BatchEvent {
  batchId: string;
  actor: string;
  reason?: string | null;
  workflowId: string;
  runId: string;
  /** Distinguishes repeated transitions of one run (e.g. the n-th reschedule); part of the event's key. */
  seq?: number;
}

/** What changes with a status, beside the status itself. */
export type BatchChange = 'approve' | 'void_approval' | 'start';

/**
 * A write from another run of the batch's workflow (an engineer reset it in the Temporal UI), or a change to a
 * batch that has finished: refused, for good. The run that recorded the plan is the only one that may move it.
 */
export class StaleRunError extends Error {
  override readonly name = 'StaleRunError';
}

/**
 * What the plan's checks need to know of the folders a batch would retire. With `lock` (inside the recording
 * transaction) the folder rows are locked first and read after, in a statement of their own: a plan that
 * waited on the lock then sees the retirement the other plan committed.
 */
export async function retireFacts(
  db: Db | Knex.Transaction,
  codes: string[],
  lock = false,
): Promise<Map<string, RetireFacts>> {
  if (lock) await db('folders').whereIn('code', codes).forUpdate().select('code');
  const rows = await db('folders as f')
    .leftJoin('batch_retires as br', function () {
      this.on('br.folder_code', 'f.code').andOn(db.raw('br.active'));
    })
    .whereIn('f.code', codes)
    .select<
      {
        code: string;
        placement: RetireFacts['placement'];
        retired_at: Date | null;
        retire_batch: string | null;
      }[]
    >('f.code', 'f.placement', 'f.retired_at', 'br.batch_id as retire_batch');
  return new Map(
    rows.map((r) => [
      r.code,
      { placement: r.placement, retiredAt: r.retired_at, retireBatch: r.retire_batch },
    ]),
  );
}

/** The outcome of each folder of a finished batch. */
export type FolderOutcomes = Record<string, { status: BatchFolderStatus; failure: string | null }>;

/**
 * A batch's state in PostgreSQL, as its workflow writes it: each change with its event, in one transaction,
 * keyed so that a retried activity writes nothing twice. A write from another run of the workflow, or to a
 * finished batch, is a StaleRunError.
 */
export interface BatchStore {
  recordPlan(
    claims: CommandClaims<BatchPlanArgs>,
    workflowId: string,
    runId: string,
  ): Promise<{ ok: true } | { ok: false; reason: string }>;
  persist(
    e: BatchEvent & { status: BatchStatus; change?: BatchChange; plannedAt?: string; startedAt?: string },
  ): Promise<void>;
  finish(e: BatchEvent & { status: BatchStatus; outcomes: FolderOutcomes }): Promise<void>;
  foldersToRetire(e: Omit<BatchEvent, 'actor'>): Promise<string[]>;
  recordRetirement(
    e: BatchEvent,
    code: string,
    outcome: { retired: true } | { retired: false; failure: string },
  ): Promise<void>;
  withdrawNotices(batchId: string): Promise<number>;
  // Version 1 of the batch workflow (workflows/v1) still writes these.
  setStatus(e: BatchEvent, to: BatchStatus, startedAt?: string): Promise<void>;
  approve(e: BatchEvent & { approver: string }): Promise<void>;
  voidApproval(e: BatchEvent & { plannedAt: string }): Promise<void>;
}

export function createBatchStore(db: Db): BatchStore {
  async function transition(
    trx: Knex.Transaction,
    e: BatchEvent,
    to: BatchStatus,
    patch: Record<string, unknown> = {},
  ) {
    const batch = await trx('batches').where({ id: e.batchId }).forUpdate().first('status', 'run_id');
    if (!batch) throw new Error(`batch ${e.batchId} is not in the database`);
    const key = runKey(e.workflowId, e.runId, `batch:${to}:${e.seq ?? 0}`);
    if (await trx('events').where({ idempotency_key: key }).first('id')) return false; // done by an earlier attempt
    if (batch.run_id && batch.run_id !== e.runId)
      throw new StaleRunError(
        `batch ${e.batchId} belongs to run ${batch.run_id} of its workflow, not to ${e.runId} (was the workflow reset?): nothing written`,
      );
    if (isFinalBatch(batch.status))
      throw new StaleRunError(
        `batch ${e.batchId} has finished (${batch.status}): its status does not change any more`,
      );
    await appendEvent(trx, {
      key,
      actor: e.actor,
      entityType: 'batch',
      entityId: e.batchId,
      from: batch.status,
      to,
      reason: e.reason ?? null,
      workflowId: e.workflowId,
      runId: e.runId,
    });
    await trx('batches')
      .where({ id: e.batchId })
      .update({ status: to, updated_at: trx.fn.now(), ...patch });
    return true;
  }
  const folderCodes = (trx: Knex.Transaction, batchId: string) =>
    trx('batch_folders').where({ batch_id: batchId }).pluck('folder_code');
  const schedule = async (
    trx: Knex.Transaction,
    batchId: string,
    from: 'legacy' | 'scheduled',
    to: 'legacy' | 'scheduled',
  ) =>
    trx('folders')
      .whereIn('code', await folderCodes(trx, batchId))
      .where({ placement: from })
      .update({ placement: to, placement_changed_at: trx.fn.now() });

  const store: BatchStore = {
    /**
     * Records a signed plan: the batch, its folders (I4 holds them) and the event naming the verified
     * operator — or a refusal if the database no longer allows it. Idempotent for the run that recorded it;
     * a command id serves one run only.
     */
    async recordPlan(
      claims: CommandClaims<BatchPlanArgs>,
      workflowId: string,
      runId: string,
    ): Promise<{ ok: true } | { ok: false; reason: string }> {
      const p = claims.args;
      const key = `command:${claims.id}`;
      try {
        return await db.transaction(async (trx) => {
          const prior = await trx('events').where({ idempotency_key: key }).first('run_id');
          if (prior)
            return prior.run_id === runId
              ? { ok: true as const }
              : { ok: false as const, reason: `command ${claims.id} was used already` };
          const folders = await trx('folders')
            .whereIn('code', p.folders)
            .forUpdate()
            .select('code', 'placement');
          const planned = await trx('batch_folders')
            .whereIn('folder_code', p.folders)
            .where({ active: true })
            .select('folder_code', 'batch_id');
          const problems: string[] = [];
          if (await trx('batches').where({ id: p.batchId }).first('id'))
            problems.push(`batch ${p.batchId} already exists`);
          if (!(await trx('operators').where({ name: claims.operator }).first('name')))
            problems.push(`operator ${claims.operator} is not known`);
          for (const code of p.folders) {
            const f = folders.find((r) => r.code === code);
            const other = planned.find((r) => r.folder_code === code);
            if (!f) problems.push(`folder ${code} is not in the catalog`);
            else if (other)
              problems.push(
                `folder ${code} is already in unfinished batch ${other.batch_id} (one plan per folder)`,
              );
            else if (f.placement !== 'legacy')
              problems.push(`folder ${code} is ${f.placement}, not on legacy`);
          }
          const retire = p.retire ?? [];
          if (retire.length)
            problems.push(...retireProblems(p.folders, retire, await retireFacts(trx, retire, true)));
          if (problems.length)
            return { ok: false as const, reason: `batch ${p.batchId} refused: ${problems.join('; ')}` };
          await trx('batches').insert({
            id: p.batchId,
            name: p.name,
            planned_at: p.plannedAt,
            requested_by: claims.operator,
            failure_policy: p.failurePolicy,
            concurrency: p.concurrency,
            workflow_id: workflowId,
            run_id: runId,
            status: 'awaiting_approval',
          });
          if (p.folders.length)
            await trx('batch_folders').insert(
              p.folders.map((code) => ({ batch_id: p.batchId, folder_code: code })),
            );
          if (retire.length)
            await trx('batch_retires').insert(
              retire.map((code) => ({ batch_id: p.batchId, folder_code: code })),
            );
          await appendEvent(trx, {
            key,
            actor: claims.operator,
            entityType: 'batch',
            entityId: p.batchId,
            to: 'awaiting_approval',
            reason: `planned: ${p.folders.join(', ') || 'no folder to move'}${retire.length ? `; retires ${retire.join(', ')}` : ''}`,
            workflowId,
            runId,
            credentialId: claims.credentialId,
            source: claims.source,
            data: { command: claims.id },
          });
          return { ok: true as const };
        });
      } catch (err) {
        if ((err as { constraint?: string }).constraint === 'batch_retires_one_active_idx') {
          return {
            ok: false,
            reason: `batch ${p.batchId} refused: a folder it retires was planned for retirement in another batch a moment ago`,
          };
        }
        if ((err as { constraint?: string }).constraint === 'batch_folders_one_active_plan_idx') {
          return {
            ok: false,
            reason: `batch ${p.batchId} refused: a folder of it was planned in another batch a moment ago (one plan per folder)`,
          };
        }
        throw err;
      }
    },

    /** A status and what changes with it: approval (folders scheduled), a voided approval (back to legacy), the start. */
    async persist(
      e: BatchEvent & { status: BatchStatus; change?: BatchChange; plannedAt?: string; startedAt?: string },
    ): Promise<void> {
      await db.transaction(async (trx) => {
        const patch: Record<string, unknown> =
          e.change === 'approve'
            ? { approved_by: e.actor }
            : e.change === 'void_approval'
              ? { approved_by: null, ...(e.plannedAt ? { planned_at: e.plannedAt } : {}) }
              : // The instant the workflow started it (workflow time: what the schedule tests check against the plan).
                e.change === 'start'
                ? { started_at: e.startedAt ?? trx.fn.now() }
                : {};
        if (!(await transition(trx, e, e.status, patch))) return;
        if (e.change === 'approve') await schedule(trx, e.batchId, 'legacy', 'scheduled');
        if (e.change === 'void_approval') await schedule(trx, e.batchId, 'scheduled', 'legacy');
      });
    },

    /**
     * The end: final status, each folder's outcome, folders that never started back to legacy, and the plan
     * released (I4: the folders may be planned again).
     */
    async finish(e: BatchEvent & { status: BatchStatus; outcomes: FolderOutcomes }): Promise<void> {
      await db.transaction(async (trx) => {
        if (!(await transition(trx, e, e.status, { finished_at: trx.fn.now(), reason: e.reason ?? null })))
          return;
        for (const [code, o] of Object.entries(e.outcomes)) {
          await trx('batch_folders')
            .where({ batch_id: e.batchId, folder_code: code })
            .update({ status: o.status, failure: o.failure, active: false });
        }
        await trx('batch_folders').where({ batch_id: e.batchId }).update({ active: false });
        await trx('batch_retires')
          .where({ batch_id: e.batchId, status: 'pending' })
          .update({ status: 'not_retired' });
        await trx('batch_retires').where({ batch_id: e.batchId }).update({ active: false });
        await schedule(trx, e.batchId, 'scheduled', 'legacy');
      });
    },

    /**
     * The retired folders this batch closes at its start, not closed yet: only for the run that recorded the plan,
     * while the batch runs (an abort that came first stops the retirement too).
     */
    async foldersToRetire(e: Omit<BatchEvent, 'actor'>): Promise<string[]> {
      const batch = await db('batches').where({ id: e.batchId }).first('status', 'run_id');
      if (!batch || batch.run_id !== e.runId)
        throw new StaleRunError(`batch ${e.batchId} does not belong to run ${e.runId}: no folder retired`);
      if (!['running', 'paused'].includes(batch.status)) return [];
      return db('batch_retires')
        .where({ batch_id: e.batchId, status: 'pending' })
        .orderBy('folder_code')
        .pluck('folder_code');
    },

    /** A folder closed and hidden on legacy for good (retired), or refused by the platform (refused), with its event, once. */
    async recordRetirement(
      e: BatchEvent,
      code: string,
      outcome: { retired: true } | { retired: false; failure: string },
    ): Promise<void> {
      await db.transaction(async (trx) => {
        const n = await trx('batch_retires')
          .where({ batch_id: e.batchId, folder_code: code, status: 'pending' })
          .update(outcome.retired ? { status: 'retired' } : { status: 'refused', failure: outcome.failure });
        if (!n) return;
        if (outcome.retired)
          await trx('folders')
            .where({ code })
            .whereNull('retired_at')
            .update({ retired_at: trx.fn.now(), updated_at: trx.fn.now() });
        await appendEvent(trx, {
          key: runKey(e.workflowId, e.runId, `retire:${code}`),
          actor: e.actor,
          entityType: 'folder',
          entityId: code,
          from: 'retired',
          to: outcome.retired ? 'retired' : 'retire_refused',
          reason: outcome.retired
            ? `closed and hidden on legacy with batch ${e.batchId}; no platform takes it any more (a rule of this tool, not the FAQ's)`
            : `batch ${e.batchId} could not retire it: ${outcome.failure}; it stays open on legacy until the decommission`,
          workflowId: e.workflowId,
          runId: e.runId,
        });
      });
    },

    /** Announcements, reminders and readiness notices of a stopped batch that are still queued are never sent. */
    async withdrawNotices(batchId: string): Promise<number> {
      return db('notices')
        .whereIn('kind', ['batch_announced', 'batch_reminder', 'readiness_action_needed'])
        .whereRaw(`split_part(subject_id, '@', 1) = ?`, [batchId])
        .where({ status: 'queued' })
        .update({ status: 'withdrawn' });
    },

    async setStatus(e, to, startedAt) {
      await db.transaction((trx) => transition(trx, e, to, startedAt ? { started_at: startedAt } : {}));
    },
    async approve(e) {
      await store.persist({ ...e, actor: e.approver, status: 'approved', change: 'approve' });
    },
    async voidApproval(e) {
      await store.persist({ ...e, status: 'awaiting_approval', change: 'void_approval' });
    },
  };
  return store;
}
