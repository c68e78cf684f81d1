import { randomBytes } from 'node:crypto';
/**
 * `npm run bench`: the benchmark suite of DESIGN.md §6 on a private embedded stack (bench/harness.ts).
 *   1. cutover at scale: one batch (200 folders, 5,000 firms, concurrency 20) orchestrated by Temporal, and
 *   2. the same batch by a straight-line script (bench/baseline.ts), measured in the same run;
 *   3. history growth: the largest workflow history as folders and firms grow, up to 1,000 × 20,000;
 *   4. portal load on /api/folders at 500 req/s.
 * Results go to bench/results/<name>.json and the tables of BENCHMARKS.md (bench/report.ts). A benchmark reports numbers; it asserts nothing
 * about time. `--quick` runs small sizes (CI: proves the suite works) and writes to bench/results/quick/.
 * `--only cutover|history|portal` runs one part.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { DateTime } from 'luxon';
import { approveBatch, planBatch } from '../app/batches';
import { operatorNamed } from '../cli/context';
import { batchWorkflowId } from '../domain/workflow-ids';
import type { Db } from '../db/connection';
import { freePort, isPortOpen, spawnDetached, stopPid, waitFor } from '../dev/process';
import { PROJECT_ROOT } from '../dev/tools';
import { startSimulator } from '../simulator/server';
import { createHttpGateway } from '../platform/http-gateway';
import { startSmtpSink } from '../smtp-sink/server';
import { importGeneratedDirectory } from '../stores/directory-store';
import type { batchMigration } from '../workflows/batch-migration';
import { startHarness, type Harness } from './harness';
import { renderResults, updateBenchmarksMd } from './report';
import { addSyntheticFolders } from './scenario';

const quick = process.argv.includes('--quick');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const SIZES = quick
  ? { scale: { folders: 12, firms: 300, concurrency: 4 }, growth: [[5, 100], [10, 100], [10, 400]], portal: { rate: 100, durationS: 3 } }
  : { scale: { folders: 200, firms: 5000, concurrency: 20 }, growth: [[50, 1000], [200, 1000], [200, 5000], [200, 20_000], [1000, 20_000]], portal: { rate: 500, durationS: 30 } };
const OUT = path.join(PROJECT_ROOT, 'bench', 'results', quick ? 'quick' : '');
const PROCESSING_DELAY_MS = 200;
const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};

/** Plans a batch one second ahead, approves it as a second operator and waits for it: time from approval, less the wait for the planned instant. */
async function runBatch(h: Harness, id: string, folders: string[], concurrency: number) {
  await planBatch(h.app, await operatorNamed(h.db, 'alice'), {
    id, name: `benchmark ${id}`, at: DateTime.utc().plus({ seconds: 1 }).toISO()!, folders,
    onFailure: 'continue', concurrency, minNotice: '0s', allowNonBusinessDay: true,
  });
  const handle = h.client.workflow.getHandle<typeof batchMigration>(batchWorkflowId(id));
  const bob = await operatorNamed(h.db, 'bob');
  const started = Date.now();
  await approveBatch(h.app, bob, id);
  const result = await handle.result();
  // Time spent waiting for the planned instant (when the announcement took less than the one second) is not work.
  const announced = await h.db('events').where({ entity_type: 'batch', entity_id: id, to_state: 'announced' }).first('at');
  const row = await h.db('batches').where({ id }).first('started_at');
  const idle = Math.max(0, new Date(row.started_at).getTime() - new Date(announced.at).getTime());
  const ms = Date.now() - started - idle;
  const live = Object.values(result.folders).filter((f) => (f as { status: string }).status === 'live').length;
  if (result.status !== 'completed') throw new Error(`batch ${id} ended ${result.status} (${live} of ${folders.length} live)`);
  // The largest history among the batch and its folder workflows (the server's own counts).
  let largest = { workflowId: '', events: 0, bytes: 0 };
  const batchInfo = await handle.describe();
  let children = 0;
  for await (const w of h.client.workflow.list({ query: `BatchId = '${id}'` })) {
    if (w.workflowId !== batchInfo.workflowId) children++;
    if (w.historyLength > largest.events) largest = { workflowId: w.workflowId, events: w.historyLength, bytes: w.historySize ?? 0 };
  }
  return { ms, batchHistory: { events: batchInfo.historyLength, bytes: batchInfo.historySize ?? 0 }, largestHistory: largest, folderWorkflows: children };
}

/** Notices sent per kind, and the rate from each kind's first to last send. */
async function noticeStats(db: Db) {
  const rows = await db('notices').where({ status: 'sent' }).groupBy('kind').select('kind').count({ n: '*' }).min({ first: 'sent_at' }).max({ last: 'sent_at' });
  const kinds = rows.map((r) => {
    const seconds = (new Date(r.last as Date).getTime() - new Date(r.first as Date).getTime()) / 1000;
    return { kind: String((r as Record<string, unknown>).kind), sent: Number(r.n), seconds: +seconds.toFixed(2), perSecond: seconds > 0 ? Math.round(Number(r.n) / seconds) : null };
  });
  const sent = kinds.reduce((s, k) => s + k.sent, 0);
  const seconds = kinds.reduce((s, k) => s + k.seconds, 0);
  return { sent, perSecond: seconds > 0 ? Math.round(sent / seconds) : null, kinds };
}

/**
 * Where the time went, from the rows both runs write: approval → announced (notices to every firm) →
 * folders (first folder run started → last finished) → folders-live notices and the end.
 */
async function phases(db: Db, batchId: string) {
  const at = async (state: string) => new Date((await db('events').where({ entity_type: 'batch', entity_id: batchId, to_state: state }).orderBy('id').first('at')).at).getTime();
  const runs = await db('folder_runs').where({ batch_id: batchId }).min({ first: 'started_at' }).max({ last: 'finished_at' }).first();
  const [approved, announced, end] = [await at('approved'), await at('announced'), await at('completed')];
  const first = new Date(runs!.first).getTime();
  const last = new Date(runs!.last).getTime();
  return { announceMs: announced - approved, foldersMs: last - first, foldersLiveNoticesMs: end - last };
}

async function cutoverAtScale(h: Harness) {
  const { folders: n, firms, concurrency } = SIZES.scale;
  log(`cutover at scale: ${n} folders, ${firms} firms, concurrency ${concurrency}`);
  const codes = await addSyntheticFolders(h.db, 'S', n);
  const directory = await importGeneratedDirectory(h.db, firms, 1, h.app.gateway);
  const orchestrated = await runBatch(h, 'SCALE', codes, concurrency);
  const freeze = (await h.db('folder_runs').where({ batch_id: 'SCALE', status: 'succeeded' }).pluck('freeze_window_ms')).map(Number);
  const notices = await noticeStats(h.db);
  const sunk = h.sink()!.messages().length;
  log(`orchestrated: ${(orchestrated.ms / 1000).toFixed(1)} s; ${notices.sent} notices (${sunk} received by the sink)`);

  // The same batch by the straight-line script, on a database, simulator and sink of its own.
  const b = await h.extraDatabase('baseline');
  await addSyntheticFolders(b.db, 'S', n);
  const simToken = randomBytes(24).toString('hex');
  const sim = await startSimulator({ db: b.db, processingDelayMs: PROCESSING_DELAY_MS, adminToken: simToken });
  await importGeneratedDirectory(b.db, firms, 1, createHttpGateway(sim.url, simToken));
  const sink = await startSmtpSink({ headersOnly: true });
  const baselineMs = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'baseline.ts'), 'SCALE', String(concurrency), codes.join(',')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: b.url, SIMULATOR_URL: sim.url, SIMULATOR_ADMIN_TOKEN: simToken, SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!).ms) : reject(new Error(`baseline exited ${code}: ${out}`))));
  });
  const baselineNotices = await noticeStats(b.db);
  const baselinePhases = await phases(b.db, 'SCALE');
  const baselineLive = Number((await b.db('folders').where({ placement: 'live' }).whereIn('code', codes).count({ n: '*' }).first())?.n);
  if (baselineLive !== n || baselineNotices.sent !== notices.sent) throw new Error(`baseline did different work: ${baselineLive} live, ${baselineNotices.sent} notices`);
  log(`baseline: ${(baselineMs / 1000).toFixed(1)} s; ${baselineNotices.sent} notices (${sink.messages().length} received)`);
  await sink.close();
  await sim.close();
  await b.db.destroy();

  return {
    benchmark: 'cutover at scale, orchestrated vs straight-line baseline',
    when: new Date().toISOString(), machine, quick,
    sizes: { folders: n, firms, concurrency, users: directory.users, notReadyFirms: directory.notReadyFirms, legacyProcessingDelayMs: PROCESSING_DELAY_MS },
    orchestrated: {
      wallMs: orchestrated.ms,
      phases: await phases(h.db, 'SCALE'),
      freezeWindowMs: { median: percentile(freeze, 50), p99: percentile(freeze, 99), max: Math.max(...freeze) },
      notices,
      noticesReceivedBySink: sunk,
      workerPeakRssMiB: h.workerPeakRssMiB(),
      batchHistory: orchestrated.batchHistory,
      largestHistory: orchestrated.largestHistory,
    },
    baseline: { wallMs: baselineMs, phases: baselinePhases, notices: baselineNotices, noticesReceivedBySink: sink.messages().length },
    ratio: +(orchestrated.ms / baselineMs).toFixed(2),
    goals: 'ratio ≤ 1.5; freeze window median < 1 s, p99 < 2 s; ≥ 500 notices/s; worker < 300 MB; history < 10,000 events (DESIGN.md §6)',
  };
}

async function historyGrowth(h: Harness) {
  const rows = [];
  for (const [i, [folders, firms]] of SIZES.growth.entries()) {
    log(`history growth: ${folders} folders × ${firms} firms`);
    await h.db.raw('truncate participants, notices cascade');
    await importGeneratedDirectory(h.db, firms, 100 + i, h.app.gateway);
    const codes = await addSyntheticFolders(h.db, `G${i}`, folders);
    const r = await runBatch(h, `GROW${i}`, codes, 20);
    const notices = await noticeStats(h.db);
    rows.push({ folders, firms, wallS: +(r.ms / 1000).toFixed(1), notices: notices.sent, batchHistory: r.batchHistory, largestHistory: r.largestHistory });
    log(`  batch history ${r.batchHistory.events} events, ${r.batchHistory.bytes} bytes; ${notices.sent} notices; ${(r.ms / 1000).toFixed(1)} s`);
  }
  return {
    benchmark: 'workflow history growth with folders and firms',
    when: new Date().toISOString(), machine, quick, concurrency: 20, rows,
    workerPeakRssMiB: h.workerPeakRssMiB(),
    goal: 'largest history < 10,000 events at 1,000 folders × 20,000 firms (DESIGN.md §6)',
  };
}

async function portalLoad(h: Harness) {
  const { rate, durationS } = SIZES.portal;
  const port = await freePort();
  // The real catalog only (53 folders), as participants will see it: not the thousands of synthetic folders
  // the other parts leave behind.
  const catalog = await h.extraDatabase('portal');
  const logFile = path.join(h.dir, 'portal.log');
  const pid = spawnDetached({
    command: process.execPath, args: [path.join(PROJECT_ROOT, 'bin', 'ecp-cutover.mjs'), 'portal'], cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: catalog.url, PORTAL_PORT: String(port) },
  }, logFile);
  try {
    await waitFor('portal', () => isPortOpen(port), 60_000);
    const folders = Number((await catalog.db('folders').count({ n: '*' }).first())?.n);
    log(`portal: /api/folders (${folders} folders) at ${rate} req/s for ${durationS} s`);
    const result = await autocannon({ url: `http://127.0.0.1:${port}/api/folders`, overallRate: rate, duration: durationS, connections: 20 });
    return {
      benchmark: 'portal /api/folders', when: new Date().toISOString(), machine, quick, folders,
      target: { rate, durationS },
      requests: result.requests.total,
      achievedRate: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      errors: result.errors + result.timeouts + result.non2xx,
      goal: 'p99 < 10 ms at 500 req/s (DESIGN.md §6)',
    };
  } finally {
    await stopPid(pid);
    await catalog.db.destroy();
  }
}

const h = await startHarness({ processingDelayMs: PROCESSING_DELAY_MS, headersOnlySink: true, log });
let failed = false;
try {
  await h.startWorker();
  fs.mkdirSync(OUT, { recursive: true });
  const parts: [string, (h: Harness) => Promise<object>][] = [['cutover', cutoverAtScale], ['history', historyGrowth], ['portal', portalLoad]];
  for (const [name, fn] of parts) {
    if (only && only !== name) continue;
    const result = await fn(h);
    fs.writeFileSync(path.join(OUT, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${path.relative(PROJECT_ROOT, path.join(OUT, `${name}.json`))}`);
  }
  // The report: BENCHMARKS.md after a full run; a copy of its tables under quick/ after a quick one.
  if (quick) fs.writeFileSync(path.join(OUT, 'tables.md'), renderResults(OUT));
  else updateBenchmarksMd(path.join(PROJECT_ROOT, 'BENCHMARKS.md'), OUT);
} catch (err) {
  failed = true;
  console.error(`benchmark failed: ${(err as Error).stack ?? err}`);
} finally {
  await h.close();
}
process.exit(failed ? 1 : 0);
