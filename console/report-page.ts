import { freezeStats, OUTCOME_WORDS, type ReportFacts, type ReportFolder } from '../domain/report';
import { formatHk } from '../domain/time';
import { html, trusted, type Html } from '../http/html';

/**
 * A batch's (or a rehearsal's) report as HTML: the console shows it as a page, and `ecp-cutover batch report
 * ID --out FILE` writes the same body as one self-contained file (its style inside, a print style sheet) for
 * the record. Every value is escaped; the timeline is an SVG drawn here, on the server.
 */
const hk = (v: string | null | undefined) => (v ? formatHk(v) : '-');
const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);

const ROW = 18;
const LEFT = 110;
const WIDTH = 760;

/** One bar per folder, from its freeze (intake stopped) to its end (live, or put back): failures red and crossed. */
export function timelineSvg(folders: readonly ReportFolder[]): Html {
  const drawn = folders.filter((f) => f.freezeStartedAt && f.endedAt);
  if (drawn.length === 0) return html`<p class="note">No folder was moved (nothing to draw).</p>`;
  const t = (v: string) => Date.parse(v);
  const start = Math.min(...drawn.map((f) => t(f.freezeStartedAt!)));
  const end = Math.max(...drawn.map((f) => t(f.endedAt!)), start + 1);
  const x = (v: string) => LEFT + ((t(v) - start) / (end - start)) * (WIDTH - LEFT - 10);
  const height = drawn.length * ROW + 30;
  const rows = drawn.map((f, i) => {
    const y = 10 + i * ROW;
    const x0 = x(f.freezeStartedAt!);
    const w = Math.max(2, x(f.endedAt!) - x0);
    const failed = f.status !== 'live';
    return html`<g class="bar" data-folder="${f.code}" data-outcome="${f.status}"><text x="${LEFT - 6}" y="${y + 12}" text-anchor="end" font-size="11">${f.code}</text>
<rect x="${x0.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${failed ? '#b3261e' : '#0b6e3a'}"><title>${f.code}: ${OUTCOME_WORDS[f.status].en}, ${hk(f.freezeStartedAt)} → ${hk(f.endedAt)}${f.freezeWindowMs !== null ? `, freeze ${f.freezeWindowMs} ms` : ''}</title></rect>
${failed ? html`<text x="${(x0 + w + 4).toFixed(1)}" y="${y + 12}" font-size="11" fill="#b3261e">✕ ${f.status}</text>` : ''}</g>`;
  });
  const seconds = ((end - start) / 1000).toFixed(1);
  return html`<svg class="timeline" role="img" aria-labelledby="tl-title tl-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title id="tl-title">Folder moves over time</title><desc id="tl-desc">${drawn.length} folders, from the first freeze at ${hk(new Date(start).toISOString())} over ${seconds} s; green moved, red not moved.</desc>
${rows}<text x="${LEFT}" y="${height - 6}" font-size="10">${hk(new Date(start).toISOString())}</text><text x="${WIDTH - 10}" y="${height - 6}" font-size="10" text-anchor="end">+${seconds} s</text></svg>`;
}

/** The report's body (without a page around it). */
export function reportBody(r: ReportFacts): Html {
  const b = r.batch;
  const stats = freezeStats(r.folders);
  const maxBin = Math.max(1, ...stats.histogram.map((h) => h.count));
  return html`<section aria-labelledby="r-plan"><h2 id="r-plan">Plan and decisions / 計劃及決定</h2>
<dl class="facts"><dt>Batch</dt><dd>${b.id} — ${b.name}</dd><dt>Status</dt><dd id="r-status">${b.status}${b.reason ? ` (${b.reason})` : ''}</dd>
<dt>Planned for</dt><dd>${hk(b.plannedAt)}</dd><dt>Planned by</dt><dd>${b.requestedBy}</dd><dt>Approved by</dt><dd>${b.approvedBy ?? '-'}</dd>
<dt>On a failure</dt><dd>${b.failurePolicy}</dd><dt>Folders at once</dt><dd>${b.concurrency}</dd><dt>Started</dt><dd>${hk(b.startedAt)}</dd><dt>Finished</dt><dd>${hk(b.finishedAt)}</dd>
${r.rehearsal ? html`<dt>Rehearsal</dt><dd>${r.rehearsal.id}, by ${r.rehearsal.requestedBy}, against ${r.rehearsal.environment}: ${r.rehearsal.outcome}</dd>` : ''}</dl>
<table><caption>Timeline of decisions</caption><thead><tr><th scope="col">When (HKT)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Reason</th></tr></thead>
<tbody>${r.timeline.map((e) => html`<tr><td>${hk(e.at)}</td><td>${e.actor}</td><td>${e.what}</td><td>${e.reason ?? ''}</td></tr>`)}</tbody></table></section>
<section aria-labelledby="r-moves"><h2 id="r-moves">The folder moves / 文件夾轉移</h2>
${timelineSvg(r.folders)}
<h3>Freeze windows (participants could submit nowhere)</h3>
<dl class="facts" id="r-freeze"><dt>Folders</dt><dd>${stats.count}</dd><dt>Median</dt><dd>${ms(stats.medianMs)}</dd><dt>p99</dt><dd>${ms(stats.p99Ms)}</dd><dt>Max</dt><dd>${ms(stats.maxMs)}</dd></dl>
<table class="histogram"><caption>Freeze windows, how many folders in each range</caption><thead><tr><th scope="col">Up to</th><th scope="col">Folders</th><th scope="col"><span class="sr">Share</span></th></tr></thead>
<tbody>${stats.histogram.map((h) => html`<tr><td>${h.upToMs === null ? 'more' : `${h.upToMs} ms`}</td><td>${h.count}</td><td><span class="hbar" data-width="${Math.round((h.count / maxBin) * 100)}">${'█'.repeat(Math.round((h.count / maxBin) * 20))}</span></td></tr>`)}</tbody></table>
<table id="r-folders"><caption>Each folder's outcome / 各文件夾結果</caption><thead><tr><th scope="col">Folder</th><th scope="col">Name / 名稱</th><th scope="col">Outcome</th><th scope="col">結果</th><th scope="col">Freeze</th><th scope="col">Failure</th></tr></thead>
<tbody>${r.folders.map((f) => html`<tr data-folder="${f.code}" data-outcome="${f.status}"><th scope="row">${f.code}</th><td>${f.nameEn}<br><span lang="zh-Hant">${f.nameZh}</span></td><td>${OUTCOME_WORDS[f.status].en}</td><td lang="zh-Hant">${OUTCOME_WORDS[f.status].zh}</td><td>${ms(f.freezeWindowMs)}</td><td>${f.failure ?? ''}</td></tr>`)}</tbody></table>
${r.retires.length ? html`<h3>Retired folders</h3><ul>${r.retires.map((f) => html`<li>${f.code} ${f.nameEn}: ${f.status}${f.failure ? ` (${f.failure})` : ''}</li>`)}</ul>` : ''}
</section>
<section aria-labelledby="r-firms"><h2 id="r-firms">Participants / 參與者</h2>
<p id="r-readiness">${r.readiness ? `Readiness ${r.readiness.when} (${hk(r.readiness.at)}, users from ${r.readiness.source}): ${r.readiness.affected} affected firm(s), ${r.readiness.notReady} not ready for at least one folder.` : 'Readiness was not read.'}</p>
<table id="r-notices"><caption>Notices per kind</caption><thead><tr><th scope="col">Kind</th><th scope="col">Queued</th><th scope="col">Sent</th><th scope="col">Failed</th><th scope="col">Withdrawn</th><th scope="col">Re-sent</th></tr></thead>
<tbody>${r.notices.map((n) => html`<tr data-kind="${n.kind}"><td>${n.kind}</td><td>${n.queued}</td><td>${n.sent}</td><td>${n.failed}</td><td>${n.withdrawn}</td><td>${n.resent}</td></tr>`)}</tbody></table></section>
<section aria-labelledby="r-drift"><h2 id="r-drift">Drift during and after / 偏差</h2>
${r.drift.length ? html`<ul>${r.drift.map((d) => html`<li>${d.folder} ${d.kind}: found ${hk(d.detectedAt)}${d.resolvedAt ? `, resolved ${hk(d.resolvedAt)}` : ', open'}</li>`)}</ul>` : html`<p>None found.</p>`}</section>
<p class="note">Generated ${hk(r.generatedAt)}; all times Hong Kong (HKT).</p>`;
}

/** The report as one self-contained HTML file (its style inside, printable), for the record. */
export function reportDocument(r: ReportFacts): string {
  const title = `${r.kind === 'rehearsal' ? 'Rehearsal' : 'Batch'} report ${r.rehearsal?.id ?? r.batch.id} · ECP cutover`;
  return String(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${trusted(REPORT_CSS)}</style></head><body><main><h1>${title}</h1>${reportBody(r)}</main></body></html>`);
}

export const REPORT_CSS = `
body{font-family:system-ui,"Noto Sans TC","WenQuanYi Zen Hei",sans-serif;color:#1b1b1b;margin:0;line-height:1.45}
main{max-width:60rem;margin:auto;padding:1rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.92rem}
th,td{text-align:left;padding:.3rem .45rem;border-bottom:1px solid #ccd;vertical-align:top}
caption{text-align:left;font-weight:600;padding:.3rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{font-weight:600}
.note{color:#4a4a4a;font-size:.9rem}.sr{position:absolute;left:-9999px}
.timeline{border:1px solid #ccd;background:#fafbfc}
@media print{body{font-size:10pt}main{max-width:none;padding:0}section{break-inside:avoid}a{color:inherit}.timeline{border:0}}
`;
