import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../domain/errors';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const TOOLS_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');

/**
 * Finds a Temporal binary: the environment variable first, then what scripts/provision-temporal.sh
 * installed under .tools/bin, then PATH.
 */
export function findBinary(name: 'temporal' | 'temporal-test-server', envVar: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new InputError(
        `${envVar}=${fromEnv} is not an executable file: unset it or point it at the ${name} binary`,
      );
    return fromEnv;
  }
  const local = path.join(TOOLS_BIN, name);
  if (isExecutable(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  throw new InputError(
    `${name} binary not found: run 'bash scripts/provision-temporal.sh' (or set ${envVar})`,
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export const SEARCH_ATTRIBUTES = { BatchId: 'Keyword', FolderCode: 'Keyword' } as const;

/**
 * The Temporal server release the project tests against — the dev server of the Temporal CLI the tests run
 * (1.9.1, `temporal --version` says "Server 1.32.0") — and the one docker-compose.yml pins Temporal's images to
 * (test/integration/compose.test.ts checks both). Worker Versioning needs ≥ 1.29.1.
 */
export const TEMPORAL_SERVER_VERSION = '1.32.0';

/**
 * One partition per task queue, on the dev server and the real server's dev profile alike (dynamic config): a
 * task queue has four by default, spread for a cluster of matching hosts; with one or two workers polling, a task
 * written to a partition no poller waits on is forwarded or waits. Measured (BENCHMARKS.md, lever table; 50-folder
 * batches, 3 interleaved pairs): on the real server the folder phase 8.8 → 7.9 s, the freeze window's median 848 →
 * 538 ms, the server's CPU per folder 61 → 50 ms; on the dev server 9.2 → 7.3 s (noisier), 48 → 41 ms.
 */
export const TASK_QUEUE_PARTITIONS = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
};

/** Arguments for `temporal server start-dev` with our search attributes registered. */
export function temporalDevArgs(opts: {
  port: number;
  uiPort?: number;
  dbFile?: string;
  namespace?: string;
  dynamicConfig?: Record<string, unknown>;
}): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort)] : ['--headless']),
    // On a file, write-ahead logging with normal sync: a crash of the server process loses nothing committed
    // (only a power cut could lose the last transactions), and each workflow task costs far less I/O. The
    // benchmark measured a 200-folder batch at 19.8 s with SQLite's defaults and 13.2 s with these.
    ...(opts.dbFile
      ? [
          '--db-filename',
          opts.dbFile,
          '--sqlite-pragma',
          'journal_mode=wal',
          '--sqlite-pragma',
          'synchronous=normal',
        ]
      : []),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]),
    // Values beside the dev server's own defaults: ours, then a benchmark's lever (KEY=JSON).
    ...Object.entries({ ...TASK_QUEUE_PARTITIONS, ...opts.dynamicConfig }).flatMap(([k, v]) => [
      '--dynamic-config-value',
      `${k}=${JSON.stringify(v)}`,
    ]),
  ];
}
