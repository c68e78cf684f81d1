import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricFacts } from '../stores/metrics-store';

/**
 * Metrics in the Prometheus text format, with prom-client: each server has its own registry with the
 * process's own metrics (CPU, memory, GC, event-loop lag), a histogram of its request durations, and — for
 * the control API — gauges of the project's state read from PostgreSQL when scraped. Label values are ours
 * (route templates, statuses), never a caller's text, so the series stay few.
 */
export interface RequestMetrics {
  registry: Registry;
  observe(route: string, method: string, status: number, seconds: number): void;
  render(): Promise<string>;
}

export function createRequestMetrics(name: string, help: string): RequestMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const h = new Histogram({
    name,
    help,
    labelNames: ['route', 'method', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observe(route, method, status, seconds) {
      h.observe(
        {
          route,
          method: method === 'GET' || method === 'HEAD' ? 'GET' : method === 'POST' ? 'POST' : 'other',
          code: `${Math.floor(status / 100)}xx`,
        },
        seconds,
      );
    },
    render: () => registry.metrics(),
  };
}

/**
 * The project's own state, read when scraped (one read for all gauges): folders by placement, batches by
 * status, notices by status and delivery attempts by outcome, folder runs by kind and outcome, open drifts by
 * kind, and the reconciler's last pass.
 */
export function registerDomainMetrics(registry: Registry, facts: () => Promise<MetricFacts>): void {
  let pending: Promise<MetricFacts> | null = null;
  // One read per scrape, shared by every gauge's collect.
  const read = () => (pending ??= facts().finally(() => setImmediate(() => (pending = null))));
  const gauge = (
    name: string,
    help: string,
    label: string,
    pick: (f: MetricFacts) => { key: string; n: number }[],
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of pick(await read())) this.set({ [label]: r.key }, r.n);
      },
    });
  gauge('ecp_cutover_folders', 'Folders by placement.', 'placement', (f) => f.folders);
  gauge('ecp_cutover_batches', 'Batches by status.', 'status', (f) => f.batches);
  gauge('ecp_cutover_notices', 'Notices by delivery status.', 'status', (f) => f.notices);
  new Counter({
    name: 'ecp_cutover_notice_attempts_total',
    help: 'SMTP delivery attempts by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await read()).attempts) this.inc({ outcome: r.key }, r.n);
    },
  });
  new Gauge({
    name: 'ecp_cutover_folder_runs',
    help: 'Cutover and switch-back runs, by kind/outcome (failed and compensated ones included).',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await read()).runs) this.set({ kind: r.kind, status: r.status }, r.n);
    },
  });
  gauge(
    'ecp_cutover_drifts_open',
    'Drift the reconciler found and nobody resolved, by kind.',
    'kind',
    (f) => f.drifts,
  );
  new Gauge({
    name: 'ecp_cutover_reconcile_last_pass_timestamp_seconds',
    help: 'When the last reconciler pass finished (0: never).',
    registers: [registry],
    async collect() {
      this.set((await read()).lastPass?.at ?? 0);
    },
  });
  new Gauge({
    name: 'ecp_cutover_reconcile_last_pass_duration_seconds',
    help: 'How long the last reconciler pass took.',
    registers: [registry],
    async collect() {
      this.set((await read()).lastPass?.took ?? 0);
    },
  });
}
