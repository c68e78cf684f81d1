import fs from 'node:fs';
import path from 'node:path';

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
  const c = read(dir, 'cutover');
  if (c) {
    const o = c.orchestrated;
    const b = c.baseline;
    const m = c.machine;
    out.push(
      `### Cutover at scale (${c.when.slice(0, 10)}, ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, Node ${m.node})`,
      '',
      `One batch of ${c.sizes.folders} folders, ${c.sizes.firms.toLocaleString('en')} firms (${c.sizes.users.toLocaleString('en')} users, ${c.sizes.notReadyFirms} not ready), concurrency ${c.sizes.concurrency}; legacy processes a file in ${c.sizes.legacyProcessingDelayMs} ms.`,
      '',
      '| | orchestrated (Temporal) | straight-line baseline | goal |',
      '|---|---|---|---|',
      `| total time, approval → batch finished | ${s(o.wallMs)} | ${s(b.wallMs)} | ratio **${c.ratio}** ≤ 1.5: ${mark(c.ratio <= 1.5)} |`,
      `| announcement to every firm | ${s(o.phases.announceMs)} | ${s(b.phases.announceMs)} | |`,
      `| the folders (first freeze → last one live) | ${s(o.phases.foldersMs)} | ${s(b.phases.foldersMs)} | |`,
      `| folders-live notices and the end | ${s(o.phases.foldersLiveNoticesMs)} | ${s(b.phases.foldersLiveNoticesMs)} | |`,
      `| notices sent (all kinds) | ${o.notices.sent.toLocaleString('en')}, ${o.notices.perSecond}/s | ${b.notices.sent.toLocaleString('en')}, ${b.notices.perSecond}/s | ≥ 500/s: ${mark(o.notices.perSecond >= 500)} |`,
      `| freeze window per folder | median ${o.freezeWindowMs.median} ms, p99 ${o.freezeWindowMs.p99} ms, max ${o.freezeWindowMs.max} ms | | median < 1 s, p99 < 2 s: ${mark(o.freezeWindowMs.median < 1000 && o.freezeWindowMs.p99 < 2000)} |`,
      `| worker peak RSS | ${o.workerPeakRssMiB.working} MiB working (${o.workerPeakRssMiB.starting} MiB while starting) | | < 300 MB: ${mark(o.workerPeakRssMiB.working * 1.048576 < 300)} |`,
      `| largest workflow history | ${o.largestHistory.events} events, ${Math.round(o.largestHistory.bytes / 1024)} KiB (${o.largestHistory.workflowId}) | | < 10,000 events: ${mark(o.largestHistory.events < 10_000)} |`,
      '',
    );
  }
  const h = read(dir, 'history');
  if (h) {
    out.push(
      `### History growth (${h.when.slice(0, 10)}, concurrency ${h.concurrency})`,
      '',
      '| folders | firms | notices | batch history (events) | batch history (KiB) | largest history | time |',
      '|---|---|---|---|---|---|---|',
      ...h.rows.map((r: any) => `| ${r.folders} | ${r.firms.toLocaleString('en')} | ${r.notices.toLocaleString('en')} | ${r.batchHistory.events} | ${Math.round(r.batchHistory.bytes / 1024)} | ${r.largestHistory.events} (${r.largestHistory.workflowId}) | ${r.wallS} s |`),
      '',
      `Largest at ${h.rows.at(-1).folders} folders × ${h.rows.at(-1).firms.toLocaleString('en')} firms: ${h.rows.at(-1).largestHistory.events} events — goal < 10,000: ${mark(h.rows.at(-1).largestHistory.events < 10_000)}. Worker peak RSS over these runs: ${h.workerPeakRssMiB.working} MiB.`,
      '',
    );
  }
  const p = read(dir, 'portal');
  if (p) {
    out.push(
      `### Portal load (${p.when.slice(0, 10)})`,
      '',
      `\`/api/folders\` (${p.folders} folders) at ${p.target.rate} req/s for ${p.target.durationS} s from the benchmark process over loopback: ${p.requests.toLocaleString('en')} requests, ${p.errors} errors; latency p50 ${p.latencyMs.p50} ms, p90 ${p.latencyMs.p90} ms, p99 **${p.latencyMs.p99} ms**, max ${p.latencyMs.max} ms — goal p99 < 10 ms: ${mark(p.latencyMs.p99 < 10)}.`,
      '',
    );
  }
  return out.join('\n');
}

/** Replaces the results block of BENCHMARKS.md with the tables of `dir`. */
export function updateBenchmarksMd(file: string, dir: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no results markers`);
  fs.writeFileSync(file, `${text.slice(0, start + BEGIN.length)}\n\n${renderResults(dir)}\n${text.slice(end)}`);
}
