import fs from 'node:fs';

/** The metric names the Grafana dashboard's queries use that start with `prefix` (a histogram's by its base name). */
export function dashboardMetrics(prefix: string): string[] {
  const dashboard = JSON.parse(
    fs.readFileSync(new URL('../../deploy/grafana/ecp-cutover.json', import.meta.url), 'utf8'),
  ) as { panels: { targets: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
  const names = new Set(
    exprs.flatMap((e) =>
      [...e.matchAll(/\b([a-z_]+)\b/g)].map((m) => m[1]).filter((n) => n.startsWith(prefix)),
    ),
  );
  if (names.size === 0) throw new Error(`the dashboard uses no metric starting with ${prefix}`);
  return [...new Set([...names].map((n) => n.replace(/_(bucket|count|sum)$/, '')))];
}

/** Does a Prometheus text exposition declare this metric (samples or not yet)? */
export const declares = (text: string, name: string) => new RegExp(`^# TYPE ${name} `, 'm').test(text);
