import { rowsOf, type Db } from '../db/connection';

/**
 * Metrics in the Prometheus text format (version 0.0.4), written by hand: a histogram of request durations
 * per process, and gauges read from the database when scraped. Label values are ours (route templates,
 * statuses), never a caller's text, so the series stay few.
 */
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : '-Inf');

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

export function gauge(name: string, help: string, samples: Sample[]): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map((s) => `${name}${labelText(s.labels ?? {})} ${num(s.value)}`)].join('\n') + '\n';
}

export function counter(name: string, help: string, samples: Sample[]): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...samples.map((s) => `${name}${labelText(s.labels ?? {})} ${num(s.value)}`)].join('\n') + '\n';
}

/** Request durations, in seconds, by route template and status class. */
export class Histogram {
  private readonly series = new Map<string, { labels: Record<string, string>; counts: number[]; sum: number; count: number }>();
  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ) {}

  observe(labels: Record<string, string>, seconds: number): void {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]) s.counts[i]++;
    s.sum += seconds;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n') + '\n';
  }
}

/** Times each request of an HTTP server into `h`, labelled by what `routeOf` says it was (after it is answered). */
export function timeRequests(h: Histogram, routeOf: (req: import('node:http').IncomingMessage) => string) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      h.observe({ route: routeOf(req), method: req.method === 'GET' || req.method === 'HEAD' ? 'GET' : req.method === 'POST' ? 'POST' : 'other', code: `${Math.floor(res.statusCode / 100)}xx` }, Number(process.hrtime.bigint() - started) / 1e9);
    });
  };
}


/**
 * The project's own state, read when scraped: folders by placement, batches by status, notices by status and
 * delivery attempts by outcome, folder runs by outcome, open drifts by kind, and the reconciler's last pass.
 */
export async function domainMetrics(db: Db): Promise<string> {
  const [folders, batches, notices, attempts, runs, drifts, last] = await Promise.all([
    rowsOf(db, 'select placement as k, count(*)::int as n from folders group by 1 order by 1'),
    rowsOf(db, 'select status as k, count(*)::int as n from batches group by 1 order by 1'),
    rowsOf(db, 'select status as k, count(*)::int as n from notices group by 1 order by 1'),
    rowsOf(db, 'select outcome as k, count(*)::int as n from notice_attempts group by 1 order by 1'),
    rowsOf(db, `select kind || '/' || status as k, count(*)::int as n from folder_runs group by 1 order by 1`),
    rowsOf(db, 'select kind as k, count(*)::int as n from drifts where resolved_at is null group by 1 order by 1'),
    rowsOf(db, 'select extract(epoch from finished_at)::float8 as at, extract(epoch from finished_at - started_at)::float8 as took, open_drifts from reconcile_passes order by id desc limit 1'),
  ]);
  const by = (label: string, rows: Record<string, unknown>[]) => rows.map((r) => ({ labels: { [label]: String(r.k) }, value: Number(r.n) }));
  const l = last[0];
  return [
    gauge('ecp_cutover_folders', 'Folders by placement.', by('placement', folders)),
    gauge('ecp_cutover_batches', 'Batches by status.', by('status', batches)),
    gauge('ecp_cutover_notices', 'Notices by delivery status.', by('status', notices)),
    counter('ecp_cutover_notice_attempts_total', 'SMTP delivery attempts by outcome.', by('outcome', attempts)),
    gauge('ecp_cutover_folder_runs', 'Cutover and switch-back runs, by kind/outcome (failed and compensated ones included).', runs.map((r) => {
      const [kind, status] = String(r.k).split('/');
      return { labels: { kind, status }, value: Number(r.n) };
    })),
    gauge('ecp_cutover_drifts_open', 'Drift the reconciler found and nobody resolved, by kind.', by('kind', drifts)),
    gauge('ecp_cutover_reconcile_last_pass_timestamp_seconds', 'When the last reconciler pass finished (0: never).', [{ value: l ? Number(l.at) : 0 }]),
    gauge('ecp_cutover_reconcile_last_pass_duration_seconds', 'How long the last reconciler pass took.', [{ value: l ? Number(l.took) : 0 }]),
  ].join('');
}
