import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config/config';
import { connectClient } from '../config/temporal';
import type { MoveOptions } from '../workflows/move-folder';
import { createDb, type Db } from '../db/connection';

/** Opens what a command needs and closes it afterwards, whatever happens. */
export async function withDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL, { max: 4 });
  try {
    return await fn(db, config);
  } finally {
    await db.destroy();
  }
}

/** The folder-move options the configuration gives (workflows cannot read configuration themselves). */
export const moveOptions = (config: Config): MoveOptions => ({
  freezeWindowMaxMs: config.freezeWindowMaxMs,
  drainTimeoutMs: config.drainTimeoutMs,
  maxAttempts: config.MOVE_MAX_ATTEMPTS,
});

/** withDb, plus a Temporal client, closed afterwards too. */
export function withTemporal<T>(fn: (db: Db, client: Client, config: Config) => Promise<T>): Promise<T> {
  return withDb(async (db, config) => {
    const client = await connectClient(config);
    try {
      return await fn(db, client, config);
    } finally {
      await client.connection.close();
    }
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A plain aligned table for terminals. */
export function printTable(headers: string[], rows: (string | number | null | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  for (const r of cells) process.stdout.write(r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd() + '\n');
}
