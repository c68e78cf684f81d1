/**
 * `npm run bench:portal`: load on the portal's /api/folders from this process (a second process: the portal
 * runs in the embedded stack) over loopback, at a fixed rate, and report latency percentiles and errors to
 * bench/results/portal.json. A benchmark reports numbers; it asserts nothing about time.
 *   --rate N (default 500 req/s)   --duration S (default 30)
 */
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { loadConfig } from '../config/config';
import { createDb } from '../db/connection';
import { seedCatalog } from '../db/seed';
import { up } from '../dev/stack';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rate = arg('rate', 500);
const duration = arg('duration', 30);

const config = loadConfig();
await up(config, () => undefined);
const db = createDb(config.DATABASE_URL, { max: 2 });
await seedCatalog(db);
await db.destroy();

const url = `http://127.0.0.1:${config.PORTAL_PORT}/api/folders`;
const result = await autocannon({ url, overallRate: rate, duration, connections: 20 });
const report = {
  benchmark: 'portal /api/folders',
  when: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  target: { rate, durationS: duration },
  requests: result.requests.total,
  achievedRate: Math.round(result.requests.average),
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  errors: result.errors + result.timeouts + result.non2xx,
  goal: 'p99 < 10 ms at 500 req/s (DESIGN.md §6)',
};
fs.mkdirSync('bench/results', { recursive: true });
fs.writeFileSync('bench/results/portal.json', JSON.stringify(report, null, 2) + '\n');
console.log(JSON.stringify(report, null, 2));
