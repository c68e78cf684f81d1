/**
 * A dev stack's profile: which Temporal runs — the CLI's dev server (one process, SQLite; the default) or the
 * real server on PostgreSQL with two workers (`--temporal server`, the production topology) — and which
 * services are external (`--external postgres,temporal`: named by DATABASE_URL / TEMPORAL_ADDRESS, checked,
 * not started). `dev up` keeps it in <home>/run/profile.json, so that `status`, `down` and a later `up` (the
 * demo's) follow it.
 */
export type TemporalKind = 'dev' | 'server';
export type External = 'postgres' | 'temporal';
export interface Profile {
  temporal: TemporalKind;
  external: External[];
}
export const DEFAULT_PROFILE: Profile = { temporal: 'dev', external: [] };

import type { Config } from '../config/config';

/** Each worker of the stack serves the SDK's metrics on its own port: WORKER_METRICS_PORT (default 9464), +1, … */
export const workerMetricsPort = (config: Pick<Config, 'WORKER_METRICS_PORT'>, i: number) =>
  (config.WORKER_METRICS_PORT ?? 9464) + i;

/** The server profile runs the production topology: two workers on one task queue. */
export const workerNames = (profile: Profile) =>
  profile.temporal === 'server' ? ['worker', 'worker-2'] : ['worker'];

export const describeProfile = (p: Profile) =>
  `Temporal ${p.temporal === 'server' ? 'server' : 'dev server'}${p.external.length ? `, external ${p.external.join(' and ')}` : ''}`;
