import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../db/connection';
import { ensureDbRoles, type DbRole } from '../../db/grants';
import { initPostgres, postgresCommand, PG_PASSWORD, PG_USER } from '../../dev/postgres';
import { freePort, isAlive, isPortOpen, spawnDetached, stopPid, tail, waitFor } from '../../dev/process';
import { temporalHealthy } from '../../dev/stack';
import { findBinary, temporalDevArgs } from '../../dev/tools';

/**
 * One real PostgreSQL and one real Temporal dev server for the whole integration run. Each test file then
 * makes its own database (test/support/db.ts) and its own task queue. TEST_DATABASE_URL and
 * TEST_TEMPORAL_ADDRESS, when set, point at servers that already run instead.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    temporalAddress: string;
    /** The passwords of the least-privilege roles (db/grants.ts), created once for the whole cluster. */
    dbRolePasswords: Record<DbRole, string>;
  }
}

export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-cutover-test-'));
  fs.chmodSync(dir, 0o755);
  const stops: (() => Promise<void>)[] = [];

  let pgAdminUrl = process.env.TEST_DATABASE_URL;
  if (!pgAdminUrl) {
    const port = await freePort();
    const dataDir = path.join(dir, 'pg');
    await initPostgres(dataDir);
    const log = path.join(dir, 'postgres.log');
    const pid = spawnDetached(postgresCommand(dataDir, port, true), log);
    stops.push(() => stopPid(pid, 10_000, 'SIGINT'));
    await waitFor(
      `postgres (log: ${log}: ${tail(log)})`,
      () => isPortOpen(port),
      30_000,
      () => isAlive(pid),
    );
    pgAdminUrl = `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/postgres`;
  }

  let temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const port = await freePort();
    const log = path.join(dir, 'temporal.log');
    const pid = spawnDetached(
      { command: findBinary('temporal', 'TEMPORAL_BIN'), args: temporalDevArgs({ port }) },
      log,
    );
    stops.push(() => stopPid(pid));
    temporalAddress = `127.0.0.1:${port}`;
    await waitFor(
      `temporal dev server (log: ${log})`,
      () => temporalHealthy(temporalAddress!),
      60_000,
      () => isAlive(pid),
    );
  }

  // The least-privilege roles belong to the cluster: created once; each test database's migration grants them.
  const dbRolePasswords = {
    api: randomBytes(16).toString('hex'),
    worker: randomBytes(16).toString('hex'),
    portal: randomBytes(16).toString('hex'),
  };
  const admin = createDb(pgAdminUrl, { max: 1 });
  try {
    await ensureDbRoles(admin, dbRolePasswords);
  } finally {
    await admin.destroy();
  }
  project.provide('dbRolePasswords', dbRolePasswords);
  project.provide('pgAdminUrl', pgAdminUrl);
  project.provide('temporalAddress', temporalAddress);

  return async () => {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
