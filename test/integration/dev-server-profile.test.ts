import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/connection';
import { freeLowPorts, freePort, isAlive } from '../../dev/process';
import { runCli } from '../support/cli';

/**
 * `dev up --temporal server`: the real Temporal server (scripts/provision-temporal-server.sh) on the embedded
 * PostgreSQL, with two workers; and `--external`, which starts nothing of its own and says what is wrong.
 */
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-dev-server-'));
fs.chmodSync(home, 0o755);
// The server's membership ports (TEMPORAL_ADDRESS port − 300 …) must lie below 32768.
const temporalPort = (await freeLowPorts(330)) + 310; // membership at +10…+13, services up to +321
const [pg, smtp, web, sim, sftp, portal, api, rehearsal] = await Promise.all(
  Array.from({ length: 8 }, () => freePort()),
);
const metrics = await freeLowPorts(2); // one for each worker
const env = {
  ECP_CUTOVER_HOME: home,
  POSTGRES_PORT: String(pg),
  TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
  SMTP_URL: `smtp://127.0.0.1:${smtp}`,
  SMTP_SINK_WEB_PORT: String(web),
  SIMULATOR_URL: `http://127.0.0.1:${sim}`,
  SIMULATOR_SFTP_PORT: String(sftp),
  // The simulator's rehearsal environment (issue 28), beside the live one.
  REHEARSAL_PLATFORM_URL: `http://127.0.0.1:${rehearsal}`,
  PORTAL_PORT: String(portal),
  CONTROL_API_PORT: String(api),
  WORKER_METRICS_PORT: String(metrics),
  DATABASE_URL: '',
};
const homes: string[] = [];
/** Another stack's home: whatever it tries must start nothing (no pid file). */
const elsewhere = () => {
  homes.push(fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-dev-ext-')));
  return { ...env, ECP_CUTOVER_HOME: homes.at(-1)! };
};
const startedNothing = () =>
  homes.every(
    (h) =>
      !fs.existsSync(path.join(h, 'run')) ||
      fs.readdirSync(path.join(h, 'run')).every((f) => !f.endsWith('.pid')),
  );

afterAll(async () => {
  await runCli(['dev', 'down'], env);
  for (const h of [home, ...homes]) fs.rmSync(h, { recursive: true, force: true });
});

describe('ecp-cutover dev up --temporal server', () => {
  it('runs the real Temporal server on PostgreSQL with two workers polling, and comes back with the same profile after down and up', async () => {
    const up = await runCli(['dev', 'up', '--temporal', 'server'], env);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('namespace default registered (retention 30 days)');
    expect(up.stdout).toMatch(/temporal +started \(pid \d+\) .*\(Temporal server 1\.32\.0 on PostgreSQL\)/);
    const status = JSON.parse((await runCli(['dev', 'status', '--json'], env)).stdout);
    expect(status.temporal.kind).toBe('server');
    expect(status.workers.map((w: { name: string }) => w.name)).toEqual(['worker', 'worker-2']);
    expect(status.workers.every((w: { pid: number | null }) => w.pid !== null && isAlive(w.pid))).toBe(true);

    // History and visibility live in PostgreSQL, as Temporal's own role, and both workers poll the one task queue.
    const admin = createDb(`postgres://postgres:postgres@127.0.0.1:${pg}/temporal`, { max: 1 });
    const owner = await admin.raw(
      `select pg_get_userbyid(datdba) as owner from pg_database where datname in ('temporal', 'temporal_visibility')`,
    );
    await admin.destroy();
    expect(owner.rows.map((r: { owner: string }) => r.owner)).toEqual(['temporal', 'temporal']);
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    const pollers = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: 'ecp-cutover' },
      taskQueueType: 1,
    });
    const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    await connection.close();
    const pids = status.workers.map((w: { pid: number }) => String(w.pid));
    expect(
      pids.every((pid: string) => (pollers.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`))),
    ).toBe(true);
    expect(Object.keys(attrs.customAttributes ?? {})).toEqual(
      expect.arrayContaining(['BatchId', 'FolderCode']),
    );

    // A running stack keeps its profile: asking for the other one says how.
    const other = await runCli(['dev', 'up', '--temporal', 'dev'], env);
    expect(other.code).toBe(2);
    expect(other.stderr.trim()).toBe(
      `error: the stack runs with Temporal server (postgres, temporal, smtp, simulator, worker, worker-2, portal, api): run 'ecp-cutover dev down' first to start it with Temporal dev server (bad_input)`,
    );

    // down, then up again without a flag: the saved profile, the same server, the namespace still there.
    const down = await runCli(['dev', 'down'], env);
    expect(down.stdout.match(/stopped \(pid/g)).toHaveLength(8);
    const again = await runCli(['dev', 'up'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/worker-2 +started/);
    // The namespace and its search attributes were kept in PostgreSQL: nothing registered this time.
    expect(again.stdout).not.toMatch(/registered/);
    expect(JSON.parse((await runCli(['dev', 'status', '--json'], env)).stdout).temporal.kind).toBe('server');
  }, 300_000); // two cold starts of the real server (schema set-up, four services, two workers): ~2 min on a busy 2-core machine

  it('--external checks what DATABASE_URL and TEMPORAL_ADDRESS name, says in one line what is wrong, and starts nothing', async () => {
    const closed = await freePort();
    const unreachable = await runCli(['dev', 'up', '--external', 'postgres'], {
      ...elsewhere(),
      DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${closed}/ecp_cutover`,
    });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr.trim()).toMatch(
      new RegExp(
        `^error: PostgreSQL at 127\\.0\\.0\\.1:${closed} \\(DATABASE_URL\\) is not reachable: .*; start it or fix DATABASE_URL \\(bad_input\\)$`,
      ),
    );

    // A database that exists but was never migrated (on the running stack's PostgreSQL).
    const admin = createDb(`postgres://postgres:postgres@127.0.0.1:${pg}/postgres`, { max: 1 });
    await admin.raw('create database empty_one');
    await admin.destroy();
    const empty = await runCli(['dev', 'up', '--external', 'postgres'], {
      ...elsewhere(),
      DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${pg}/empty_one`,
    });
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toMatch(
      /^error: database empty_one at 127\.0\.0\.1:\d+ is not migrated \(\d+ migrations pending\): run 'ecp-cutover db migrate' with its DATABASE_URL \(bad_input\)$/,
    );

    const noTemporal = await runCli(['dev', 'up', '--external', 'temporal'], {
      ...elsewhere(),
      TEMPORAL_ADDRESS: `127.0.0.1:${closed}`,
    });
    expect(noTemporal.code).toBe(2);
    expect(noTemporal.stderr.trim()).toBe(
      `error: Temporal at 127.0.0.1:${closed} (TEMPORAL_ADDRESS) is not reachable: start it or fix TEMPORAL_ADDRESS (bad_input)`,
    );

    const noNamespace = await runCli(['dev', 'up', '--external', 'temporal'], {
      ...elsewhere(),
      TEMPORAL_NAMESPACE: 'cutover-prod',
    });
    expect(noNamespace.code).toBe(2);
    expect(noNamespace.stderr.trim()).toBe(
      `error: Temporal at ${env.TEMPORAL_ADDRESS}: namespace cutover-prod does not exist: create it (temporal operator namespace create --namespace cutover-prod) (bad_input)`,
    );

    const mixed = await runCli(['dev', 'up', '--temporal', 'server', '--external', 'postgres'], elsewhere());
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.trim()).toMatch(
      /^error: --temporal server runs its own Temporal on the stack's own PostgreSQL/,
    );

    const bad = await runCli(['dev', 'up', '--external', 'redis'], elsewhere());
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'error: --external redis: say postgres, temporal, postgres,temporal or none (bad_input)',
    );
    expect(startedNothing()).toBe(true);
  });
});
