import fs from 'node:fs';
import { DateTime } from 'luxon';
import { approveBatch, planBatch } from '../app/batches';
import { operatorNamed } from '../cli/context';
import { percentileOf } from '../domain/stats';
import type { Db } from '../db/connection';
import { batchWorkflowId } from '../domain/workflow-ids';
import type { batchMigration } from '../workflows/batch-migration';
import type { Harness } from './harness';

/** What the benchmarks measure of one batch (bench/run.ts): its run, its notices, its phases, its freeze windows. */

export const percentile = (xs: number[], p: number) =>
  percentileOf(
    [...xs].sort((a, b) => a - b),
    p,
  );

/**
 * Plans a batch six seconds ahead, approves it as a second operator and waits for it: time from approval, less
 * the wait for the planned instant. (One second was too short on a loaded machine — the batch expired before
 * its approval, or its time passed before the approval was recorded; the wait is not counted either way.)
 */
export async function runBatch(h: Harness, id: string, folders: string[], concurrency: number) {
  await planBatch(h.app, await operatorNamed(h.app.stores.operators, 'alice'), {
    id,
    name: `benchmark ${id}`,
    at: DateTime.utc().plus({ seconds: 6 }).toISO()!,
    folders,
    onFailure: 'continue',
    concurrency,
    minNotice: '0s',
    allowNonBusinessDay: true,
  });
  const handle = h.client.workflow.getHandle<typeof batchMigration>(batchWorkflowId(id));
  const bob = await operatorNamed(h.app.stores.operators, 'bob');
  const started = Date.now();
  await approveBatch(h.app, bob, id);
  const result = await h.untilWorkerDies(handle.result());
  // Time spent waiting for the planned instant (when the announcement took less than the one second) is not work.
  const announced = await h
    .db('events')
    .where({ entity_type: 'batch', entity_id: id, to_state: 'announced' })
    .first('at');
  const row = await h.db('batches').where({ id }).first('started_at');
  const idle = Math.max(0, new Date(row.started_at).getTime() - new Date(announced.at).getTime());
  const ms = Date.now() - started - idle;
  const live = Object.values(result.folders).filter(
    (f) => (f as { status: string }).status === 'live',
  ).length;
  if (result.status !== 'completed')
    throw new Error(`batch ${id} ended ${result.status} (${live} of ${folders.length} live)`);
  // The largest history among the batch and its folder workflows (the server's own counts).
  // The batch's own counts come from describe(): the list is visibility's copy, which may still hold an earlier length.
  const batchInfo = await handle.describe();
  let largest = {
    workflowId: batchInfo.workflowId,
    events: batchInfo.historyLength,
    bytes: batchInfo.historySize ?? 0,
  };
  let children = 0;
  for await (const w of h.client.workflow.list({ query: `BatchId = '${id}'` })) {
    if (w.workflowId !== batchInfo.workflowId) children++;
    if (w.workflowId !== batchInfo.workflowId && w.historyLength > largest.events)
      largest = { workflowId: w.workflowId, events: w.historyLength, bytes: w.historySize ?? 0 };
  }
  return {
    ms,
    batchHistory: { events: batchInfo.historyLength, bytes: batchInfo.historySize ?? 0 },
    largestHistory: largest,
    folderWorkflows: children,
  };
}

/** Notices sent for one batch per kind, and the rate from each kind's first to last send. */
export async function noticeStats(db: Db, batchId: string) {
  const rows = await db('notices')
    .where({ status: 'sent' })
    .whereRaw(`split_part(split_part(subject_id, '@', 1), ':', 1) = ?`, [batchId])
    .groupBy('kind')
    .select('kind')
    .count({ n: '*' })
    .min({ first: 'sent_at' })
    .max({ last: 'sent_at' });
  const kinds = rows.map((r) => {
    const seconds = (new Date(r.last as Date).getTime() - new Date(r.first as Date).getTime()) / 1000;
    return {
      kind: String((r as Record<string, unknown>).kind),
      sent: Number(r.n),
      seconds: +seconds.toFixed(2),
      perSecond: seconds > 0 ? Math.round(Number(r.n) / seconds) : null,
    };
  });
  const sent = kinds.reduce((s, k) => s + k.sent, 0);
  const seconds = kinds.reduce((s, k) => s + k.seconds, 0);
  return { sent, perSecond: seconds > 0 ? Math.round(sent / seconds) : null, kinds };
}

/**
 * Where the time went, from the rows both runs write: approval → announced (notices to every firm) →
 * folders (first folder run started → last finished) → the outcome notices and the end.
 */
export async function phases(db: Db, batchId: string) {
  const at = async (state: string) =>
    new Date(
      (
        await db('events')
          .where({ entity_type: 'batch', entity_id: batchId, to_state: state })
          .orderBy('id')
          .first('at')
      ).at,
    ).getTime();
  const runs = await db('folder_runs')
    .where({ batch_id: batchId })
    .min({ first: 'started_at' })
    .max({ last: 'finished_at' })
    .first();
  const [approved, announced, completed] = [
    await at('approved'),
    await at('announced'),
    await at('completed'),
  ];
  const first = new Date(runs!.first).getTime();
  const last = new Date(runs!.last).getTime();
  // The workflow records its completion and then tells the firms (the baseline the other way round): the end is
  // whichever comes last.
  const told = await db('notices')
    .where({ kind: 'batch_outcome', subject_id: `${batchId}:outcome` })
    .max({ at: 'sent_at' })
    .first();
  const end = Math.max(completed, told?.at ? new Date(told.at).getTime() : 0);
  return {
    announceMs: announced - approved,
    foldersMs: last - first,
    foldersLiveNoticesMs: end - last,
    folderPhase: { from: first, to: last },
  };
}

export const median = (xs: number[]) => percentile(xs, 50)!;

/**
 * The whole machine's CPU, read from /proc/stat every `everyMs`: how many cores were busy on average between two
 * instants (clock times, as the database records them). On a machine that runs nothing else, that is what the
 * stack under test kept busy: it tells a phase that waits from a phase that has no CPU left.
 */
export function sampleMachineCpu(everyMs = 100) {
  const samples: { at: number; busyTicks: number }[] = [];
  const read = () => {
    // cpu user nice system idle iowait irq softirq steal …, in clock ticks (100 a second on Linux)
    const f = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    samples.push({ at: Date.now(), busyTicks: f.reduce((a, b) => a + b, 0) - f[3] - f[4] });
  };
  read();
  const timer = setInterval(read, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      read();
    },
    /** Cores busy on average from `from` to `to`, from the first and last samples inside; null if too short. */
    coresBusy(from: number, to: number): number | null {
      const inside = samples.filter((x) => x.at >= from && x.at <= to);
      if (inside.length < 2) return null;
      const [a, b] = [inside[0], inside[inside.length - 1]];
      return +((b.busyTicks - a.busyTicks) / 100 / ((b.at - a.at) / 1000)).toFixed(2);
    },
  };
}

/** The freeze window of every folder that went live (folder_runs, written alike by the worker and the baseline). */
export async function freezeWindows(db: Db, batchId: string) {
  const freeze = (
    await db('folder_runs').where({ batch_id: batchId, status: 'succeeded' }).pluck('freeze_window_ms')
  ).map(Number);
  return { median: percentile(freeze, 50), p99: percentile(freeze, 99), max: Math.max(...freeze) };
}
