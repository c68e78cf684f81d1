import fs from 'node:fs';
import path from 'node:path';
import { TEMPORAL_SERVER_VERSION } from '../dev/tools';
import { percentileOf } from '../domain/stats';

/**
 * The tables of BENCHMARKS.md, rendered from bench/results/*.json by `npm run bench` (between the markers
 * below), so that the report always shows the last full run's numbers.
 */
export const BEGIN = '<!-- results: written by npm run bench from bench/results/*.json -->';
export const END = '<!-- end of results -->';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON written by bench/run.ts */
const read = (dir: string, name: string): any => {
  const file = path.join(dir, `${name}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
};
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mark = (ok: boolean) => (ok ? 'met' : '**not met**');

export function renderResults(dir: string): string {
  const out: string[] = [];
  const cli = read(dir, 'cli');
  if (cli) {
    out.push(
      `### Command line (${cli.when.slice(0, 10)}, from ${cli.from})`,
      '',
      `\`ecp-cutover --help\` in a new process: median **${cli.helpMs.median} ms** of ${cli.helpMs.all.length} (${cli.helpMs.all.join(', ')} ms), ${cli.peakRssMiB} MiB — goal < 300 ms: ${mark(cli.helpMs.median < 300)}.`,
      ...(cli.nodeMs
        ? [
            '',
            `\`node -e 0\`, alternately in the same run: median ${cli.nodeMs.median} ms (${cli.nodeMs.all.join(', ')} ms); ratio **${cli.ratio}** — goal ≤ 2: ${mark(cli.ratio <= 2)}.`,
          ]
        : []),
      '',
    );
  }
  const c = read(dir, 'cutover');
  if (c) {
    const o = c.orchestrated;
    const b = c.baseline;
    const m = c.machine;
    const runs = c.runs ?? [{ ratio: c.ratio }];
    const engine =
      c.temporal?.kind === 'server'
        ? `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL, ${c.temporal.workers} workers`
        : 'Temporal dev server, one worker';
    out.push(
      `### Cutover at scale: ${engine} (${c.when.slice(0, 10)}, ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}, from ${c.from ?? 'source'})`,
      '',
      `One batch of ${c.sizes.folders} folders, ${c.sizes.firms.toLocaleString('en')} firms (${c.sizes.users.toLocaleString('en')} users, ${c.sizes.notReadyFirms} not ready), concurrency ${c.sizes.concurrency}; legacy processes a file in ${c.sizes.legacyProcessingDelayMs} ms. ${runs.length} runs, each orchestrated then straight-line; ratios ${runs.map((r: any) => r.ratio).join(', ')}; the table shows the median run.`,
      '',
      '| | orchestrated (Temporal) | straight-line baseline | goal |',
      '|---|---|---|---|',
      `| total time, approval → batch finished | ${s(o.wallMs)} | ${s(b.wallMs)} | ratio **${c.ratio}** (median of ${runs.length}) ≤ 1.3: ${mark(c.ratio <= 1.3)} |`,
      `| announcement to every firm | ${s(o.phases.announceMs)} | ${s(b.phases.announceMs)} | |`,
      `| the folders (first freeze → last one live) | ${s(o.phases.foldersMs)} | ${s(b.phases.foldersMs)} | |`,
      `| outcome notices and the end | ${s(o.phases.foldersLiveNoticesMs)} | ${s(b.phases.foldersLiveNoticesMs)} | |`,
      ...(c.folderPhaseRatio !== undefined
        ? [
            `| the folder phase, orchestrated / baseline | ${runs.map((r: any) => r.folderPhaseRatio).join(', ')} | | **${c.folderPhaseRatio}** (median of ${runs.length}) ≤ 1.5: ${mark(c.folderPhaseRatio <= 1.5)} |`,
          ]
        : []),
      ...(c.cpuRatio !== undefined
        ? [
            `| CPU per folder, all processes (announcement and notices included) | ${cpuText(c, 'orchestrated')} | ${cpuText(c, 'baseline')} | ratio ${c.cpuRatio} (median of ${runs.length}): what the durable version costs, less sensitive to other loads than time |`,
          ]
        : []),
      ...(c.folderPhaseCpuPerFolderMs ? folderPhaseCpuRows(c, runs) : []),
      `| notices sent (all kinds) | ${o.notices.sent.toLocaleString('en')}, ${o.notices.perSecond}/s | ${b.notices.sent.toLocaleString('en')}, ${b.notices.perSecond}/s | ≥ 500/s: ${mark(o.notices.perSecond >= 500)} |`,
      b.freezeWindowMs
        ? `| freeze window per folder | median ${o.freezeWindowMs.median} ms, p99 ${o.freezeWindowMs.p99} ms, max ${o.freezeWindowMs.max} ms | median ${b.freezeWindowMs.median} ms, p99 ${b.freezeWindowMs.p99} ms, max ${b.freezeWindowMs.max} ms | ratios (medians of ${runs.length}) median **${c.freezeRatio.median}**, p99 **${c.freezeRatio.p99}** ≤ 1.5: ${mark(c.freezeRatio.median <= 1.5 && c.freezeRatio.p99 <= 1.5)} |`
        : `| freeze window per folder | median ${o.freezeWindowMs.median} ms, p99 ${o.freezeWindowMs.p99} ms, max ${o.freezeWindowMs.max} ms | | median < 1 s, p99 < 2 s: ${mark(o.freezeWindowMs.median < 1000 && o.freezeWindowMs.p99 < 2000)} |`,
      `| ${c.temporal?.workers > 1 ? "first worker's" : 'worker'} peak RSS (highest of the runs) | ${c.workerPeakRssMiB?.working ?? o.workerPeakRssMiB.working} MiB working (${o.workerPeakRssMiB.starting} MiB while starting; V8 heap in use at most ${o.workerPeakRssMiB.heapUsed ?? '-'} MiB) | | < 400 MiB (issue 27; it was 250 MB): ${mark((c.workerPeakRssMiB?.working ?? o.workerPeakRssMiB.working) < 400)} |`,
      `| largest workflow history | ${o.largestHistory.events} events, ${Math.round(o.largestHistory.bytes / 1024)} KiB (${o.largestHistory.workflowId}) | | < 10,000 events: ${mark(o.largestHistory.events < 10_000)} |`,
      '',
    );
  }
  // The same benchmark on the real Temporal server (`npm run bench -- --temporal server`), next to it.
  if (fs.existsSync(path.join(dir, 'server', 'cutover.json')))
    out.push(renderResults(path.join(dir, 'server')));
  // Where each folder's time goes, before issue 27's changes (kept) and as now.
  for (const name of ['waterfall-before', 'waterfall']) out.push(...renderWaterfall(dir, name));
  if (!fs.existsSync(path.join(dir, 'server', 'cutover.json')))
    for (const name of ['waterfall-before', 'waterfall'])
      out.push(...renderWaterfall(path.join(dir, 'server'), name));
  const h = read(dir, 'history');
  if (h) {
    const last = h.rows.at(-1);
    out.push(
      `### History growth (${h.when.slice(0, 10)}, concurrency ${h.concurrency}, from ${h.from ?? 'source'})`,
      '',
      '| folders | firms | notices | batch history (events) | batch history (KiB) | largest history | time | worker peak RSS | V8 heap in use, max |',
      '|---|---|---|---|---|---|---|---|---|',
      ...h.rows.map(
        (r: any) =>
          `| ${r.folders} | ${r.firms.toLocaleString('en')} | ${r.notices.toLocaleString('en')} | ${r.batchHistory.events} | ${Math.round(r.batchHistory.bytes / 1024)} | ${r.largestHistory.events} (${r.largestHistory.workflowId}) | ${r.wallS} s | ${r.workerPeakRssMiB ?? '-'} MiB | ${r.workerHeapPeakMiB ?? '-'} MiB |`,
      ),
      '',
      `Largest at ${last.folders} folders × ${last.firms.toLocaleString('en')} firms: ${last.largestHistory.events} events — goal < 10,000: ${mark(last.largestHistory.events < 10_000)}. ${memoryBound(h.rows)}`,
      '',
    );
  }
  const p = read(dir, 'portal');
  if (p) {
    const held = (p.ramp ?? []).filter((r: any) => r.held);
    out.push(
      `### Portal load (${p.when.slice(0, 10)}, from ${p.from ?? 'source'})`,
      '',
      `\`/api/folders\` (${p.folders} folders), ${p.generator ?? 'autocannon'} in its own process over loopback, at ${p.target.rate} req/s for ${p.target.durationS} s: ${p.requests.toLocaleString('en')} requests, ${p.errors} errors; latency p50 ${p.latencyMs.p50} ms, p90 ${p.latencyMs.p90} ms, p99 **${p.latencyMs.p99} ms**, max ${p.latencyMs.max} ms — goal p99 < 5 ms: ${mark(p.latencyMs.p99 < 5)}.`,
      '',
      ...(p.ramp
        ? [
            '| target req/s | achieved | p50 | p99 | errors | p99 < 50 ms held |',
            '|---|---|---|---|---|---|',
            ...p.ramp.map(
              (r: any) =>
                `| ${r.target.toLocaleString('en')} | ${r.rate.toLocaleString('en')} | ${r.p50} ms | ${r.p99} ms | ${r.errors} | ${r.held ? 'yes' : 'no'} |`,
            ),
            '',
            `Highest rate held with p99 < 50 ms: **${(p.sustainedRate ?? 0).toLocaleString('en')} req/s** — aim ≥ 5,000: ${mark((p.sustainedRate ?? 0) >= 5000 && held.length > 0)}. Unlimited, 100 connections: ${p.unlimited.rate.toLocaleString('en')} req/s, p99 ${p.unlimited.p99} ms.`,
            '',
            ...(p.bare
              ? [
                  `Against a bare \`http.createServer\` in its own process serving the same ${p.bare.bytes} bytes (${p.bare.encoding ?? 'identity'}), at ${p.bare.rate.toLocaleString('en')} req/s for ${p.bare.seconds} s each (after 2 s at that rate), ${p.bare.pairs} pairs, the order alternating, vegeta keeping to 50 connections: p99 portal ${p.bare.runs.map((r: any) => r.portal.p99).join(', ')} ms, bare ${p.bare.runs.map((r: any) => r.bare.p99).join(', ')} ms; medians ${p.bare.p99.portal} / ${p.bare.p99.bare} ms = ratio **${p.bare.ratio}** — goal ≤ 2: ${bareReached(p.bare) ? mark(p.bare.ratio <= 2) : `no verdict: the rate was not reached (achieved ${p.bare.runs.map((r: any) => `${r.portal.rate}/${r.bare.rate}`).join(', ')} req/s, portal/bare), so the load generator, not the servers, set these numbers`}.`,
                  ...(p.bare.cpuUsPerRequest
                    ? [
                        '',
                        `CPU per request (each server's user + system time over its measured runs, medians): portal ${p.bare.cpuUsPerRequest.portal} µs, bare ${p.bare.cpuUsPerRequest.bare} µs, ratio ${p.bare.cpuRatio}: what the portal's framework adds to Node's own handling of a request, steadier than the p99s, which a stall of the machine sets.`,
                      ]
                    : []),
                  '',
                ]
              : []),
          ]
        : []),
    );
  }
  return out.join('\n');
}

/** Whether every run of the portal-against-bare comparison reached its rate (within 5 %): else its p99s say nothing of the servers. */
const bareReached = (bare: any) =>
  bare.runs.every((r: any) => r.portal.rate >= bare.rate * 0.95 && r.bare.rate >= bare.rate * 0.95);

/** The median run's CPU per folder, by process. */
function cpuText(c: any, side: 'orchestrated' | 'baseline'): string {
  const shown = c.runs.find((r: any) => r.cpuRatio === c.cpuRatio) ?? c.runs[0];
  const x = shown.cpuPerFolderMs[side];
  const total = Object.values(x as Record<string, number>).reduce((a, b) => a + b, 0);
  return `${total} ms (${Object.entries(x)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})`;
}

/** The worker's bound (issue 27): the largest row's working peak within 1.25× the 200 × 5,000 row's, and under 400 MiB. */
function memoryBound(rows: any[]): string {
  const last = rows.at(-1);
  const ref = rows.find((r) => r.folders === 200 && r.firms === 5000);
  const peak = last.workerPeakRssMiB;
  if (!ref || peak === undefined) return `Worker peak RSS on that row: ${peak ?? '-'} MiB.`;
  const ratio = +(peak / ref.workerPeakRssMiB).toFixed(2);
  return `Worker peak RSS on that row: ${peak} MiB, ${ratio}× the 200 × 5,000 row's ${ref.workerPeakRssMiB} MiB — goal ≤ 1.25× and < 400 MiB: ${mark(ratio <= 1.25 && peak < 400)}.`;
}

/** Where each folder's time went (bench/run.ts --waterfall), if a waterfall was taken. */
function renderWaterfall(dir: string, name: string): string[] {
  const w = read(dir, name);
  if (!w) return [];
  const engine =
    w.temporal?.kind === 'server'
      ? `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL, ${w.temporal.workers} workers`
      : 'Temporal dev server, one worker';
  const f = w.perFolder;
  return [
    `### Waterfall${w.label ? ` (${w.label})` : ''}: ${engine} (${w.when.slice(0, 10)}, from ${w.from})`,
    '',
    `One batch of ${w.sizes.folders} folders, ${w.sizes.firms.toLocaleString('en')} firms, concurrency ${w.sizes.concurrency}, after a warm-up batch; folder phase ${(w.folderPhaseMs / 1000).toFixed(1)} s; freeze window median ${w.freezeWindowMs.median} ms, p99 ${w.freezeWindowMs.p99} ms. SVG of the first 40 folders: \`bench/results/${w.temporal?.kind === 'server' ? 'server/' : ''}${name}.svg\`.`,
    '',
    '| step | median | p95 |',
    '|---|---|---|',
    ...w.steps.map(
      (st: any) =>
        `| ${st.step.startsWith('  ') ? `&nbsp;&nbsp;↳ ${st.step.trim()}` : st.step} | ${st.medianMs} ms | ${st.p95Ms} ms |`,
    ),
    '',
    `Per folder: ${f.workflowTasks} workflow tasks and ${f.activityTasks} activity tasks in its workflow, ${f.localActivities} local activities, ${f.events} history events; the batch's ${f.batchWorkflowTasks} workflow tasks and ${f.batchEvents} events; ${f.roundTrips} server round trips.${w.cpuPerFolderMs ? ` CPU per folder (announcement and notices included): worker ${w.cpuPerFolderMs.workers} ms, Temporal ${w.cpuPerFolderMs.temporal} ms, PostgreSQL ${w.cpuPerFolderMs.postgres} ms, simulator and sink ${w.cpuPerFolderMs.harness} ms.` : ''}`,
    '',
  ];
}

/** Replaces the results block of BENCHMARKS.md with the tables of `dir`. */
export function updateBenchmarksMd(file: string, dir: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no results markers`);
  fs.writeFileSync(
    file,
    `${text.slice(0, start + BEGIN.length)}\n\n${renderResults(dir)}\n${text.slice(end)}`,
  );
}

/**
 * The machine's CPU while the folders moved (bench/run.ts): cores busy in each run, and CPU per folder, which is
 * cores busy × the phase ÷ the folders — so its ratio restates the folder phase's with the cores' ratio; what it
 * adds is whether a phase had CPU to spare.
 */
function folderPhaseCpuRows(c: any, runs: any[]): string[] {
  const cpus = c.machine?.cpus ?? 0;
  const cores = (side: 'orchestrated' | 'baseline') =>
    runs.map((r) => r.coresBusyInFolderPhase?.[side] ?? '–');
  // At least 90 % of the cores in every run: that side's phase had next to no CPU to spare.
  const verdict = (side: 'orchestrated' | 'baseline') =>
    cpus > 0 && cores(side).every((x) => typeof x === 'number' && x >= 0.9 * cpus)
      ? `${side} ≥ 90 % of the cores in every run`
      : `${side} under 90 % in some run`;
  const ratios = runs
    .map((r) => r.folderPhaseCpuPerFolderMs)
    .filter((x) => x?.orchestrated && x?.baseline)
    .map((x) => x.orchestrated / x.baseline)
    .sort((a, b) => a - b);
  return [
    `| cores busy while the folders move (the whole machine, of ${cpus || '?'}), each run | ${cores('orchestrated').join(', ')} | ${cores('baseline').join(', ')} | ${verdict('orchestrated')}; ${verdict('baseline')} |`,
    `| CPU per folder while the folders move (cores busy × the phase ÷ folders; medians of ${runs.length}) | ${c.folderPhaseCpuPerFolderMs.orchestrated ?? '–'} ms | ${c.folderPhaseCpuPerFolderMs.baseline ?? '–'} ms | ratio ${ratios.length ? +percentileOf(ratios, 50)!.toFixed(2) : '–'} (median of the runs) |`,
  ];
}
