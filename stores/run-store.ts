import type { Knex } from 'knex';
import type { Db } from '../db/connection';
import { ConflictError, NotAllowedError, NotFoundError } from '../domain/errors';
import { MOVES, puttingBack, type RunProgress, type RunRef } from '../domain/folder-runs';
import { canTransition, type Placement } from '../domain/placement';
import { batchWorkflowId } from '../domain/workflow-ids';
import { DECOMMISSION_ID } from './decommission';
import { appendEvent, runKey } from './events';

/**
 * Writes a folder's moves (cutover or switch-back) to PostgreSQL: the folder's placement, the run's step
 * and freeze window, and an event for each transition — each write with its event in one transaction, and
 * each keyed by (workflow, run, step) so that a retried activity changes nothing the second time.
 */
export interface RunStore {
  /**
   * `parent`: the workflow (and run) that started this one, as Temporal's server recorded it. Resolves to null
   * when this call began the run, and to how far it went when an earlier attempt had (a retry).
   */
  begin(
    r: RunRef,
    reason: string | null,
    parent?: { workflowId: string; runId: string } | null,
  ): Promise<RunProgress | null>;
  /** How far a run went, or null when no such run was begun. */
  progress(r: RunRef): Promise<RunProgress | null>;
  /** Records a step of a running run; of a succeeded one, nothing; refuses what stepRefusal refuses. */
  step(r: RunRef, step: string, patch?: StepPatch): Promise<void>;
  finish(
    r: RunRef,
    outcome: 'succeeded' | 'compensated',
    reason: string | null,
  ): Promise<{ placement: Placement; freezeWindowMs: number | null }>;
  /**
   * What is recorded of a run, asked before compensating. A run already recorded as succeeded (its final write
   * committed, its acknowledgement lost) is not compensated: the event says so, and the platforms stay where
   * the record says. Status `none`: no such run was begun. `failure`: the recorded reason of a compensated run.
   */
  recorded(
    r: RunRef,
    failure: string,
  ): Promise<{ status: string; freezeWindowMs: number | null; failure: string | null }>;
}

export function createRunStore(db: Db): RunStore {
  async function event(
    trx: Db,
    r: RunRef,
    what: string,
    from: string | null,
    to: string | null,
    reason: string | null,
    data?: unknown,
  ) {
    await appendEvent(trx, {
      key: runKey(r.workflowId, r.runId, what),
      actor: r.actor,
      entityType: 'folder',
      entityId: r.folderCode,
      from,
      to,
      reason,
      workflowId: r.workflowId,
      runId: r.runId,
      data,
    });
  }
  const runRow = (trx: Db, r: RunRef) =>
    trx('folder_runs').where({ workflow_id: r.workflowId, run_id: r.runId });

  return {
    async begin(r, reason, parent = null) {
      return db.transaction(async (trx) => {
        const earlier = await runRow(trx, r).first('status', 'step', 'freeze_ended_at');
        if (earlier) return progressOf(earlier); // already begun by an earlier attempt
        const folder = await trx('folders').where({ code: r.folderCode }).forUpdate().first();
        if (!folder) throw new NotFoundError(`folder ${r.folderCode} is not in the catalog`);
        // A supervised repair holds the folder (its claim: stores/repair-store.ts): nothing else moves it meanwhile.
        const repair = await trx('folder_runs')
          .where({ folder_code: r.folderCode, kind: 'repair', status: 'running' })
          .first('workflow_id');
        if (repair)
          throw new NotAllowedError(
            `${r.kind} of ${r.folderCode} refused: ${repair.workflow_id} is repairing it`,
          );
        if (r.kind === 'cutover') {
          const refusal = await cutoverRefusal(trx, r, parent);
          if (refusal)
            throw refusal.unverified
              ? new UnverifiedCutover(refusal.reason)
              : new NotAllowedError(refusal.reason);
        } else {
          // The run that recorded the request moves the folder, no other: a reset run replaying an old approval does not.
          const request = await trx('events')
            .where({ workflow_id: r.workflowId, to_state: 'rollback_requested' })
            .orderBy('id', 'desc')
            .first('run_id');
          if (!request || request.run_id !== r.runId)
            throw new NotAllowedError(
              `switch-back of ${r.folderCode} refused: this run of ${r.workflowId} did not record its request (was the workflow reset?)`,
            );
          // A switch-back needs legacy ECP: not once it is being switched off (the decommission locks its row).
          const decommission = await trx('decommission')
            .where({ id: DECOMMISSION_ID })
            .forShare()
            .first('status');
          if (decommission && ['running', 'completed'].includes(decommission.status))
            throw new ConflictError(
              `switch-back of ${r.folderCode} refused: legacy ECP is ${decommission.status === 'running' ? 'being switched off' : 'decommissioned'}`,
            );
        }
        const move = MOVES[r.kind];
        if (!canTransition(folder.placement, move.during)) {
          throw new ConflictError(
            r.kind === 'cutover'
              ? `folder ${r.folderCode} is ${folder.placement}, not on legacy: only legacy folders can be cut over`
              : `folder ${r.folderCode} is ${folder.placement}, not live: only a live folder can be switched back`,
          );
        }
        await trx('folders')
          .where({ code: r.folderCode })
          .update({ placement: move.during, placement_changed_at: trx.fn.now(), updated_at: trx.fn.now() });
        await trx('folder_runs').insert({
          folder_code: r.folderCode,
          batch_id: r.batchId,
          kind: r.kind,
          workflow_id: r.workflowId,
          run_id: r.runId,
          step: 'begin',
        });
        if (r.batchId)
          await trx('batch_folders')
            .where({ batch_id: r.batchId, folder_code: r.folderCode })
            .update({ status: 'running', step: 'begin' });
        await event(trx, r, 'begin', folder.placement, move.during, reason ?? `${r.kind} started`);
        return null;
      });
    },

    async step(r, step, patch = {}) {
      await db.transaction(async (trx) => {
        const run = await runRow(trx, r).forUpdate().first();
        if (!run) throw new NotFoundError(`no run ${r.workflowId}/${r.runId} for folder ${r.folderCode}`);
        const refusal = stepRefusal(run.status, run.step, step);
        if (refusal) throw new ConflictError(`${r.kind} of ${r.folderCode}: ${refusal}`);
        // A finished run keeps its last step: a retried attempt that repeats earlier steps after the final
        // write committed (activities/move.ts completeMove) writes nothing.
        if (run.status !== 'running') return;
        await runRow(trx, r).update(stepUpdate(run, step, patch));
        if (r.batchId)
          await trx('batch_folders')
            .where({ batch_id: r.batchId, folder_code: r.folderCode })
            .update({ step });
        await event(
          trx,
          r,
          `step:${step}`,
          run.step,
          step,
          null,
          Object.keys(patch).length ? patch : undefined,
        );
      });
    },

    async finish(r, outcome, reason) {
      return db.transaction(async (trx) => {
        const run = await runRow(trx, r).forUpdate().first();
        if (!run) throw new NotFoundError(`no run ${r.workflowId}/${r.runId} for folder ${r.folderCode}`);
        const move = MOVES[r.kind];
        const placement = outcome === 'succeeded' ? move.success : move.failure;
        // A late attempt of the final write, after the saga asked what was recorded and turned to compensating
        // (recorded() below), is too late: the compensation's write decides.
        const late = outcome === 'succeeded' && lateForwardStep(run.step, 'finish');
        if (run.status === 'running' && !late) {
          const folder = await trx('folders').where({ code: r.folderCode }).forUpdate().first();
          await trx('folders')
            .where({ code: r.folderCode })
            .update({
              placement,
              placement_changed_at: trx.fn.now(),
              updated_at: trx.fn.now(),
              live_since:
                placement === 'live' ? (outcome === 'succeeded' ? trx.fn.now() : folder.live_since) : null,
              last_failure: outcome === 'compensated' ? reason : folder.last_failure,
            });
          await runRow(trx, r).update({
            status: outcome,
            finished_at: trx.fn.now(),
            failure: outcome === 'compensated' ? reason : null,
            step: outcome === 'succeeded' ? 'done' : 'compensated',
          });
          if (r.batchId) {
            await trx('batch_folders')
              .where({ batch_id: r.batchId, folder_code: r.folderCode })
              .update({
                status: outcome === 'succeeded' ? 'live' : 'failed',
                step: outcome === 'succeeded' ? 'done' : 'compensated',
                failure: outcome === 'compensated' ? reason : null,
              });
          }
          await event(
            trx,
            r,
            'finish',
            move.during,
            placement,
            reason ?? (outcome === 'succeeded' ? `${r.kind} verified` : null),
          );
        }
        const done = await runRow(trx, r).first('freeze_window_ms');
        return { placement, freezeWindowMs: done?.freeze_window_ms ?? null };
      });
    },

    async progress(r) {
      const run = await runRow(db, r).first('status', 'step', 'freeze_ended_at');
      return run ? progressOf(run) : null;
    },

    async recorded(r, failure) {
      return db.transaction(async (trx) => {
        const run = await runRow(trx, r).forUpdate().first('status', 'freeze_window_ms', 'failure');
        if (!run) return { status: 'none', freezeWindowMs: null, failure: null };
        // Still running: from here the saga compensates, and a late success of an earlier attempt must lose.
        if (run.status === 'running') await runRow(trx, r).update({ step: 'compensating' });
        if (run.status === 'succeeded') {
          await event(
            trx,
            r,
            'compensation_not_needed',
            MOVES[r.kind].success,
            'compensation_not_needed',
            `a later step failed (${failure}) but the move is already recorded as succeeded (the acknowledgement of its final write was lost): nothing is put back`,
          );
        }
        return {
          status: run.status as string,
          freezeWindowMs: run.freeze_window_ms ?? null,
          failure: run.failure ?? null,
        };
      });
    },
  };
}

export type StepPatch = Partial<{
  freezeStartedAt: Date;
  freezeEndedAt: Date;
  drained: number;
  handedOver: number;
}>;

/**
 * Whether `step` comes too late: once the saga has turned to putting the move back (it asked recorded(), or an
 * undo ran), only undo steps are written; a forward step is an earlier attempt still running.
 */
export function lateForwardStep(current: string | null, step: string): boolean {
  return puttingBack({ status: 'running', step: current, targetEnabled: false }) && !step.startsWith('undo:');
}

/** A run's (or a rehearsal folder's) row as how far it went. */
export function progressOf(row: {
  status: string;
  step: string | null;
  freeze_ended_at: Date | null;
}): RunProgress {
  return { status: row.status, step: row.step ?? null, targetEnabled: row.freeze_ended_at != null };
}

/**
 * Why a step may not be written to a run (its status and current step), or null: a forward step of a run being
 * put back (an attempt still running) or already put back (a workflow task retried after its compensation ran)
 * would move a folder its record puts back.
 */
export function stepRefusal(status: string, current: string | null, step: string): string | null {
  if (status === 'compensated' && !step.startsWith('undo:'))
    return `step ${step} refused, the move was put back (a late attempt)`;
  if (status === 'running' && lateForwardStep(current, step))
    return `step ${step} refused, the move is being put back (a late attempt)`;
  return null;
}

/**
 * The columns a step writes to a run's row (folder_runs, and a rehearsal's rehearsal_folders): the step, and
 * what it measured — the first write wins for an instant (a retry never moves it), counts only grow (a retried
 * drain finds fewer files in flight than the attempt that was killed), and the freeze window once both ends are known.
 */
export function stepUpdate(
  row: {
    freeze_started_at?: Date | null;
    freeze_ended_at?: Date | null;
    drained?: number | null;
    handed_over?: number | null;
  },
  step: string,
  patch: StepPatch,
): Record<string, unknown> {
  const update: Record<string, unknown> = { step };
  if (patch.freezeStartedAt && !row.freeze_started_at) update.freeze_started_at = patch.freezeStartedAt;
  if (patch.freezeEndedAt && !row.freeze_ended_at) update.freeze_ended_at = patch.freezeEndedAt;
  if (patch.drained !== undefined) update.drained = Math.max(row.drained ?? 0, patch.drained);
  if (patch.handedOver !== undefined) update.handed_over = Math.max(row.handed_over ?? 0, patch.handedOver);
  const started = (update.freeze_started_at ?? row.freeze_started_at) as Date | null;
  const ended = (update.freeze_ended_at ?? row.freeze_ended_at) as Date | null;
  if (started && ended) update.freeze_window_ms = new Date(ended).getTime() - new Date(started).getTime();
  return update;
}

/** A cutover its batch's workflow did not start (a start by hand): refused, and — unsigned — it writes nothing to the audit trail. */
export class UnverifiedCutover extends NotAllowedError {}

/**
 * A folder moves only inside an approved batch (docs/architecture.md, "The cutover state machine"): the cutover must have been started by its
 * batch's workflow (the parent the server recorded, which a client cannot forge), the batch must be running
 * in the database, and the folder must be one of its folders not yet moved. Null if all holds.
 */
async function cutoverRefusal(
  trx: Knex.Transaction,
  r: RunRef,
  parent: { workflowId: string; runId: string } | null,
): Promise<{ reason: string; unverified?: true } | null> {
  const refused = `cutover of ${r.folderCode} refused before touching either platform`;
  const no = (reason: string) => ({ reason: `${refused}: ${reason}` });
  // Not started by its batch's run: nothing of what it carries (folder, actor) is anyone's word.
  if (!r.batchId)
    return {
      ...no('a folder moves only inside an approved batch, and this cutover names none'),
      unverified: true,
    };
  if (parent?.workflowId !== batchWorkflowId(r.batchId))
    return {
      ...no(
        `it was not started by batch ${r.batchId}'s workflow (${parent ? `started by ${parent.workflowId}` : 'started directly'})`,
      ),
      unverified: true,
    };
  const batch = await trx('batches').where({ id: r.batchId }).forShare().first('status', 'run_id');
  if (!batch) return { ...no(`there is no batch ${r.batchId}`), unverified: true };
  if (batch.run_id && batch.run_id !== parent.runId)
    return {
      ...no(`it was started by another run of batch ${r.batchId}'s workflow (was it reset?)`),
      unverified: true,
    };
  // Paused: a folder started just before the pause still moves (running ones finish).
  if (batch.status !== 'running' && batch.status !== 'paused')
    return no(`batch ${r.batchId} is ${batch.status}, not running`);
  const member = await trx('batch_folders')
    .where({ batch_id: r.batchId, folder_code: r.folderCode })
    .first('status', 'active');
  if (!member) return no(`${r.folderCode} is not a folder of batch ${r.batchId}`);
  if (!member.active) return no(`the plan of batch ${r.batchId} is released`);
  if (member.status !== 'pending' && member.status !== 'running')
    return no(`${r.folderCode} is ${member.status} in batch ${r.batchId} already`);
  return null;
}
