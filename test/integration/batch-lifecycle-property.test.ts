import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  abortBatch,
  approveBatch,
  overrideReadiness,
  pauseBatch,
  planBatch,
  rejectBatch,
  rescheduleBatch,
  resumeBatch,
} from '../../app/batches';
import type { Operator } from '../../app/context';
import { initialBatchState, isFinalBatch, type BatchCommand } from '../../domain/batch-lifecycle';
import { reminderInstant } from '../../domain/calendar';
import { isDomainError } from '../../domain/errors';
import { formatHk } from '../../domain/time';
import { batchWorkflowId } from '../../domain/workflow-ids';
import { batchProgressQuery, type batchMigration } from '../../workflows/batch-migration';
import { alice, bob } from '../support/batches';
import { createModel } from '../support/batch-model';
import { addLegacyFolders } from '../support/stack';
import { timeSkippingStack } from '../support/time-skipping';

/**
 * Random sessions of operator commands and passing time, driven against the real batch workflow on the
 * time-skipping server (real PostgreSQL, simulator and SMTP behind it) and against the pure machine in
 * lock step: every command gets the same answer from both, and every session ends in the same state. On the
 * real side, for every session: a batch stopped before its start never started a folder, a final status
 * never changed, and nothing was announced or reminded after the stop.
 */
const { temporal: env, db, app } = await timeSkippingStack({ READINESS_RECHECK: '6h' });
// One firm that is not ready (no user holds a function): a batch with "--max-not-ready 0" blocks on it.
await db('participants').insert({
  code: '04321',
  name_en: 'Unready Ltd',
  user_types: ['SEHK_EP'],
  emails: ['ops@unready.hk'],
});

const HOUR = 3_600_000;
type Op =
  | 'approve'
  | 'approve-by-planner'
  | 'reject'
  | 'reschedule'
  | 'pause'
  | 'resume'
  | 'abort'
  | 'override'
  | 'cancel';
const arbStep = fc.record({
  op: fc.constantFrom<Op>(
    'approve',
    'approve',
    'approve-by-planner',
    'reject',
    'reschedule',
    'pause',
    'resume',
    'abort',
    'override',
    'cancel',
  ),
  // Whole multiples of 6 hours from 02:17 UTC: never within minutes of a batch's instants (00:30 and 01:00 UTC).
  advanceMs: fc.integer({ min: 0, max: 8 }).map((n) => n * 6 * HOUR),
  rescheduleDays: fc.integer({ min: 1, max: 6 }),
});

let n = 0;
const ends: string[] = [];
/** Moves the server's clock to the next 02:17 UTC, so every session starts at the same time of day. */
async function align(): Promise<number> {
  const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'utc' });
  let target = now.startOf('day').plus({ hours: 2, minutes: 17 });
  if (target <= now.plus({ minutes: 1 })) target = target.plus({ days: 1 });
  await env.sleep(target.toMillis() - now.toMillis());
  return target.toMillis();
}

/** Waits until the workflow has performed every effect and no folder is moving. */
async function settle(id: string) {
  const handle = env.client.workflow.getHandle<typeof batchMigration>(batchWorkflowId(id));
  for (let i = 0; ; i++) {
    const p = await handle.query(batchProgressQuery);
    const row = await db('batches').where({ id }).first('status');
    if (
      !p.busy &&
      !Object.values(p.folders).some((f) => f.status === 'running') &&
      (row?.status ?? p.status) === p.status
    )
      return p;
    if (i > 600) throw new Error(`batch ${id} did not settle: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the batch workflow against the batch machine, over random sessions (time-skipping)', () => {
  it('same answers, same end, and the invariants hold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbStep, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (steps, strict) => {
          const id = `PROP${++n}`;
          const folders = await addLegacyFolders(db, `Q${n}`, 2);
          const t0 = await align();
          const plannedAt = DateTime.fromMillis(t0, { zone: 'utc' })
            .startOf('day')
            .plus({ days: 3, minutes: 30 });
          const maxNotReady = strict ? '0' : undefined;
          await planBatch(app, alice, {
            id,
            name: id,
            at: plannedAt.toISO()!,
            folders,
            concurrency: 1,
            minNotice: '1h',
            allowNonBusinessDay: true,
            maxNotReady,
          });

          const model = createModel(
            {
              ...initialBatchState({
                batchId: id,
                name: id,
                requestedBy: 'alice',
                folders,
                failurePolicy: 'continue',
                concurrency: 1,
                maxNotReady: strict ? { count: 0 } : null,
                readinessRecheckMs: 6 * HOUR,
                minNoticeMs: HOUR,
                plannedAt: plannedAt.toISO()!,
                reminderAt: reminderInstant(plannedAt).toISO()!,
              }),
              status: 'awaiting_approval',
            },
            t0,
            { ready: false, folderOk: true },
          );
          const handle = env.client.workflow.getHandle<typeof batchMigration>(batchWorkflowId(id));
          let stoppedAt: Date | null = null;
          for (const step of steps) {
            const newAt = DateTime.fromMillis(model.run.now, { zone: 'utc' })
              .startOf('day')
              .plus({ days: step.rescheduleDays, minutes: 30 });
            const [command, send] = commandOf(step.op, newAt, id);
            const was = model.run.state.status;
            const expected = model.step({ command, advanceMs: 0 });
            const sentAt = new Date();
            const actual = await send();
            // A cancellation is Temporal's to accept (any open workflow); what it does is the machine's, compared below.
            if (step.op !== 'cancel') expect(actual, `${id}: ${step.op} in ${was}`).toBe(expected);
            const p = await settle(id);
            // The stop happened at the command: nothing announced or reminded may be created from then on.
            if (!stoppedAt && ['aborted', 'rejected', 'aborting'].includes(p.status)) stoppedAt = sentAt;
            if (step.advanceMs > 0) {
              const before = new Date();
              model.advance(step.advanceMs);
              await env.sleep(step.advanceMs);
              const q = await settle(id);
              if (!stoppedAt && ['aborted', 'rejected', 'expired', 'aborting'].includes(q.status))
                stoppedAt = before;
            }
          }
          const real = await settle(id);
          const want = model.run.state;
          expect({
            status: real.status,
            approvedBy: real.approvedBy,
            plannedAt: real.plannedAt,
            folders: Object.fromEntries(Object.entries(real.folders).map(([c, f]) => [c, f.status])),
          }).toEqual({
            status: want.status,
            approvedBy: want.approvedBy,
            plannedAt: want.plannedAt,
            folders: Object.fromEntries(Object.entries(want.folders).map(([c, f]) => [c, f.status])),
          });
          expect((await db('batches').where({ id }).first()).status).toBe(want.status);

          // The invariants, on what really happened.
          const startedBeforeStop = model.run.trace.some((t) =>
            t.effects.some((e) => e.type === 'startFolder'),
          );
          if (!startedBeforeStop) expect(await db('folder_runs').where({ batch_id: id })).toEqual([]);
          const statuses = (await db('events')
            .where({ entity_type: 'batch', entity_id: id })
            .orderBy('id')
            .pluck('to_state')) as string[];
          const firstFinal = statuses.findIndex((s) => isFinalBatch(s as never));
          if (firstFinal >= 0) expect(statuses.slice(firstFinal + 1)).toEqual([]);
          if (stoppedAt) {
            const late = await db('notices')
              .whereIn('kind', ['batch_announced', 'batch_reminder'])
              .whereRaw(`split_part(subject_id, '@', 1) = ?`, [id])
              .where('created_at', '>', stoppedAt)
              .whereNot({ status: 'withdrawn' });
            expect(late).toEqual([]);
          }
          ends.push(`${real.status}:${model.run.answers.filter(Boolean).length}/${steps.length}`);
          if (!isFinalBatch(real.status)) await handle.terminate('property test: session over');
        },
      ),
      { numRuns: 30, seed: 1129, endOnFailure: true },
    );
    // The sessions reached many ends, not one degenerate path.
    expect(new Set(ends.map((e) => e.split(':')[0])).size, ends.join(' ')).toBeGreaterThanOrEqual(5);
  });
});

/** The command of a step, for the model, and how to send it through the application layer (true: accepted). */
function commandOf(op: Op, newAt: DateTime, id: string): [BatchCommand, () => Promise<boolean>] {
  const by = (o: Operator) => ({ operator: o.name, roles: o.roles });
  const planner = alice;
  const answer = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      return true;
    } catch (err) {
      if (isDomainError(err)) return false;
      throw err;
    }
  };
  switch (op) {
    case 'approve':
      return [{ type: 'approve', by: by(bob) }, () => answer(() => approveBatch(app, bob, id))];
    case 'approve-by-planner':
      return [{ type: 'approve', by: by(planner) }, () => answer(() => approveBatch(app, planner, id))];
    case 'reject':
      return [
        { type: 'reject', by: by(bob), reason: 'not now' },
        () => answer(() => rejectBatch(app, bob, id, 'not now')),
      ];
    case 'reschedule':
      return [
        {
          type: 'reschedule',
          by: by(planner),
          plannedAt: newAt.toISO()!,
          reminderAt: reminderInstant(newAt).toISO()!,
        },
        () =>
          answer(() =>
            rescheduleBatch(app, planner, id, formatHk(newAt.toISO()).replace(' HKT', ''), {
              minNotice: '1h',
              allowNonBusinessDay: true,
            }),
          ),
      ];
    case 'pause':
      return [{ type: 'pause', by: by(planner) }, () => answer(() => pauseBatch(app, planner, id))];
    case 'resume':
      return [{ type: 'resume', by: by(planner) }, () => answer(() => resumeBatch(app, planner, id))];
    case 'abort':
      return [
        { type: 'abort', by: by(planner), reason: 'stop it' },
        () => answer(() => abortBatch(app, planner, id, 'stop it')),
      ];
    case 'override':
      return [
        { type: 'overrideReadiness', by: by(bob), reason: 'accepted' },
        () => answer(() => overrideReadiness(app, bob, id, 'accepted')),
      ];
    case 'cancel':
      return [
        { type: 'cancelRequested' },
        async () => {
          // A cancellation through Temporal (an engineer in the Web UI); Temporal accepts it while the workflow is open.
          const d = await env.client.workflow.getHandle(batchWorkflowId(id)).describe();
          if (d.status.name !== 'RUNNING') return false;
          await env.client.workflow.getHandle(batchWorkflowId(id)).cancel();
          return true;
        },
      ];
  }
}
