import fs from 'node:fs';
import path from 'node:path';
import { batchWorkflowId } from '../domain/workflow-ids';
import { importGeneratedDirectory } from '../stores/directory-store';
import type { Harness, StackTuning } from './harness';
import { freezeWindows, median, phases, runBatch } from './measure';
import { addSyntheticFolders } from './scenario';
import { batchWaterfall, STEP_EVENTS, waterfallSvg, waterfallTable } from './waterfall';

/**
 * The two instruments of issue 27, beside the benchmark proper (bench/run.ts):
 * - `--waterfall`: one batch, then where each folder's time went, read from the histories (bench/waterfall.ts);
 * - `--ab`: a lever tried alone — the stack run with settings A, then B, then A, … on the same machine, so that
 *   the load of whatever else runs on it falls on both alike — with the structural counts, which no load changes.
 */
export interface ExperimentContext {
  out: string;
  log: (line: string) => void;
  arg: (flag: string, fallback: string) => string;
  header: object;
}

/** When each step of a folder's move finished, from the event log (the first row of each step). */
const stepTimes = (h: Harness) => async (folder: string) => {
  const rows = await h
    .db('events')
    .where({ entity_type: 'folder', entity_id: folder })
    .orderBy('id')
    .select('to_state', 'at');
  const at = new Map<string, number>();
  for (const r of rows) if (!at.has(r.to_state)) at.set(r.to_state, new Date(r.at).getTime());
  return new Map(
    Object.entries(STEP_EVENTS)
      .filter(([, state]) => at.has(state))
      .map(([activity, state]) => [activity, at.get(state)!]),
  );
};

const num = (ctx: ExperimentContext, flag: string, fallback: number) =>
  Number(ctx.arg(flag, String(fallback)));

/** A few folders first, so that the measured batch meets a worker whose code the JIT has compiled (a fresh worker's first batch is the slowest). */
async function warmUp(h: Harness, tag: string) {
  const codes = await addSyntheticFolders(h.db, `${tag}W`, 5);
  await runBatch(h, `${tag}-WARM`, codes, 5);
}

export async function waterfallExperiment(h: Harness, ctx: ExperimentContext) {
  const n = num(ctx, '--folders', 200);
  const firms = num(ctx, '--firms', 1000);
  const concurrency = num(ctx, '--concurrency', 20);
  const label = ctx.arg('--label', '');
  ctx.log(`waterfall: ${n} folders, ${firms} firms, concurrency ${concurrency}`);
  await importGeneratedDirectory(h.db, firms, 1, h.app.gateway);
  await warmUp(h, 'WF');
  const codes = await addSyntheticFolders(h.db, 'WF', n);
  const cpu0 = h.cpuMs();
  const r = await runBatch(h, 'WATERFALL', codes, concurrency);
  const cpu1 = h.cpuMs();
  const cpuPerFolderMs = Object.fromEntries(
    Object.keys(cpu0).map((k) => [
      k,
      Math.round((cpu1[k as keyof typeof cpu1] - cpu0[k as keyof typeof cpu0]) / n),
    ]),
  );
  ctx.log(
    `CPU per folder (the batch's announcement and notices included): ${JSON.stringify(cpuPerFolderMs)}`,
  );
  const w = await batchWaterfall(h.client, 'WATERFALL', batchWorkflowId('WATERFALL'), codes, stepTimes(h));
  const name = `waterfall${label ? `-${label}` : ''}`;
  const title = `${h.temporal === 'server' ? 'Temporal server on PostgreSQL, 2 workers' : 'Temporal dev server, 1 worker'}: first 40 of ${n} folders, concurrency ${concurrency}${label ? ` (${label})` : ''}`;
  fs.writeFileSync(path.join(ctx.out, `${name}.svg`), waterfallSvg(w, title));
  console.log(`\n${waterfallTable(w)}\n`);
  ctx.log(`wrote ${path.join(ctx.out, `${name}.svg`)}`);
  const { timelines: _, ...summary } = w;
  return {
    name,
    result: {
      benchmark: "waterfall: where each folder's time goes, from the histories",
      ...ctx.header,
      label,
      sizes: { folders: n, firms, concurrency },
      wallMs: r.ms,
      cpuPerFolderMs,
      phases: await phases(h.db, 'WATERFALL'),
      freezeWindowMs: await freezeWindows(h.db, 'WATERFALL'),
      ...summary,
    },
  };
}

type Side = 'A' | 'B';

/** One measured batch of a lever experiment: the times (noisy) and the counts (not). */
async function leverRun(h: Harness, id: string, n: number, concurrency: number) {
  const codes = await addSyntheticFolders(h.db, id, n);
  const cpu0 = h.cpuMs();
  const r = await runBatch(h, id, codes, concurrency);
  const cpu1 = h.cpuMs();
  // CPU per folder (the announcement and the notices included, alike for A and B); PostgreSQL backends that ended
  // during the run count too (the postmaster's waited-for children, bench/harness.ts).
  const cpuPerFolderMs = Object.fromEntries(
    Object.keys(cpu0).map((k) => [
      k,
      Math.round((cpu1[k as keyof typeof cpu1] - cpu0[k as keyof typeof cpu0]) / n),
    ]),
  ) as typeof cpu0;
  const p = await phases(h.db, id);
  const w = await batchWaterfall(h.client, id, batchWorkflowId(id), codes, stepTimes(h));
  const step = (s: string) => w.steps.find((x) => x.step === s)?.medianMs ?? null;
  return {
    wallMs: r.ms,
    foldersMs: p.foldersMs,
    freezeWindowMs: await freezeWindows(h.db, id),
    folderTotalMedianMs: step('folder total: start initiated → child closed'),
    firstTaskWaitMedianMs: step('child running → task 1 started'),
    perFolder: w.perFolder,
    batchHistoryEvents: r.batchHistory.events,
    cpuPerFolderMs,
  };
}

export async function leverExperiment(h: Harness, ctx: ExperimentContext) {
  const tunings: Record<Side, StackTuning> = {
    A: JSON.parse(ctx.arg('--a', '{}')) as StackTuning,
    B: JSON.parse(ctx.arg('--b', '{}')) as StackTuning,
  };
  const lever = ctx.arg('--name', 'lever');
  const pairs = num(ctx, '--pairs', 3);
  const n = num(ctx, '--folders', 50);
  const firms = num(ctx, '--firms', 200);
  const concurrency = num(ctx, '--concurrency', 20);
  ctx.log(
    `lever ${lever}: A ${JSON.stringify(tunings.A)} against B ${JSON.stringify(tunings.B)}; ${pairs} pairs of ${n} folders, concurrency ${concurrency}`,
  );
  await importGeneratedDirectory(h.db, firms, 1, h.app.gateway);
  const runs: Record<Side, Awaited<ReturnType<typeof leverRun>>[]> = { A: [], B: [] };
  for (let i = 0; i < pairs; i++) {
    for (const side of ['A', 'B'] as const) {
      await h.retune(tunings[side]);
      const tag = `L${side}${i}`;
      await warmUp(h, tag);
      const r = await leverRun(h, tag, n, concurrency);
      runs[side].push(r);
      ctx.log(
        `  ${side}${i + 1}: ${(r.wallMs / 1000).toFixed(2)} s, folders ${(r.foldersMs / 1000).toFixed(2)} s, folder median ${r.folderTotalMedianMs} ms, freeze median ${r.freezeWindowMs.median} ms p99 ${r.freezeWindowMs.p99} ms; ` +
          `${r.perFolder.workflowTasks}+${r.perFolder.batchWorkflowTasks} workflow tasks, ${r.perFolder.activityTasks} activity tasks, ${r.perFolder.events}+${r.perFolder.batchEvents} events per folder; ` +
          `CPU per folder: worker ${r.cpuPerFolderMs.workers} ms, Temporal ${r.cpuPerFolderMs.temporal} ms, PostgreSQL ${r.cpuPerFolderMs.postgres} ms, harness ${r.cpuPerFolderMs.harness} ms`,
      );
    }
  }
  const summary = (side: Side) => {
    const rs = runs[side];
    const m = (f: (r: (typeof rs)[number]) => number | null) =>
      median(rs.map(f).filter((x): x is number => x !== null));
    return {
      wallMs: m((r) => r.wallMs),
      foldersMs: m((r) => r.foldersMs),
      folderTotalMedianMs: m((r) => r.folderTotalMedianMs),
      firstTaskWaitMedianMs: m((r) => r.firstTaskWaitMedianMs),
      freezeMedianMs: m((r) => r.freezeWindowMs.median),
      freezeP99Ms: m((r) => r.freezeWindowMs.p99),
      workflowTasksPerFolder: m((r) => r.perFolder.workflowTasks),
      batchWorkflowTasksPerFolder: m((r) => r.perFolder.batchWorkflowTasks),
      activityTasksPerFolder: m((r) => r.perFolder.activityTasks),
      roundTripsPerFolder: m((r) => r.perFolder.roundTrips),
      eventsPerFolder: m((r) => r.perFolder.events),
      batchEventsPerFolder: m((r) => r.perFolder.batchEvents),
      cpuPerFolderMs: {
        workers: m((r) => r.cpuPerFolderMs.workers),
        temporal: m((r) => r.cpuPerFolderMs.temporal),
        postgres: m((r) => r.cpuPerFolderMs.postgres),
        harness: m((r) => r.cpuPerFolderMs.harness),
      },
      // How noisy: the spread of the folder phase over the runs of this side.
      foldersMsRange: [Math.min(...rs.map((r) => r.foldersMs)), Math.max(...rs.map((r) => r.foldersMs))],
    };
  };
  const A = summary('A');
  const B = summary('B');
  ctx.log(
    `lever ${lever}: folder phase A ${A.foldersMs} ms (${A.foldersMsRange.join('–')}), B ${B.foldersMs} ms (${B.foldersMsRange.join('–')}): B/A ${(B.foldersMs / A.foldersMs).toFixed(2)}; ` +
      `total A ${A.wallMs} B ${B.wallMs}; freeze median A ${A.freezeMedianMs} B ${B.freezeMedianMs}, p99 A ${A.freezeP99Ms} B ${B.freezeP99Ms}; round trips per folder A ${A.roundTripsPerFolder} B ${B.roundTripsPerFolder}; ` +
      `CPU per folder A ${JSON.stringify(A.cpuPerFolderMs)} B ${JSON.stringify(B.cpuPerFolderMs)}`,
  );
  return {
    name: `lever-${lever}`,
    result: {
      benchmark: `lever ${lever}, interleaved A/B`,
      ...ctx.header,
      lever,
      tunings,
      sizes: { folders: n, firms, concurrency, pairs },
      A,
      B,
      ratio: { folders: +(B.foldersMs / A.foldersMs).toFixed(2), total: +(B.wallMs / A.wallMs).toFixed(2) },
      runs,
    },
  };
}
