import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import Long from 'long';
import { createDb, ensureDatabase } from '../db/connection';
import { InputError } from '../domain/errors';
import type { SpawnSpec } from './process';
import { PROJECT_ROOT, SEARCH_ATTRIBUTES, TASK_QUEUE_PARTITIONS, TOOLS_BIN } from './tools';

/**
 * The real Temporal server (go.temporal.io/server, built by scripts/provision-temporal-server.sh) on
 * PostgreSQL: the same services a production cluster runs (frontend, history, matching, worker), here in
 * one process, with history and visibility in two PostgreSQL databases of their own. Used by
 * `dev up --temporal server`, the server-profile drills and the server-profile benchmark.
 *
 * Unlike `start-dev`, nothing is pre-created: the schemas are set up and migrated by the sql tool, and the
 * namespace and our search attributes are registered once the server answers (registerNamespace).
 */
const execFileAsync = promisify(execFile);
const SCHEMA_DIR = path.join(PROJECT_ROOT, '.tools', 'temporal-server', 'schema');
const PROVISION = "run 'bash scripts/provision-temporal-server.sh'";
/** How long closed workflows stay in the history database: a month, for the support desk's questions. */
const RETENTION_DAYS = 30;

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  schemaDir: string;
}

/** The server, its sql tool and the versioned schemas: from the environment, else what the provision script built. */
export function serverBinaries(): ServerBinaries {
  const env = process.env;
  const server = env.TEMPORAL_SERVER_BIN ?? path.join(TOOLS_BIN, 'temporal-server');
  const sqlTool = env.TEMPORAL_SQL_TOOL_BIN ?? path.join(TOOLS_BIN, 'temporal-sql-tool');
  const schemaDir = env.TEMPORAL_SCHEMA_DIR ?? SCHEMA_DIR;
  for (const [file, what] of [
    [server, 'temporal-server'],
    [sqlTool, 'temporal-sql-tool'],
  ]) {
    if (!fs.existsSync(file))
      throw new InputError(
        `${what} not found at ${file}: ${PROVISION} (or set TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL_BIN and TEMPORAL_SCHEMA_DIR)`,
      );
  }
  if (!fs.existsSync(path.join(schemaDir, 'temporal', 'versioned')))
    throw new InputError(`no Temporal schemas under ${schemaDir}: ${PROVISION}`);
  return { server, sqlTool, schemaDir };
}

export interface ServerPorts {
  frontend: number;
  history: number;
  matching: number;
  worker: number;
  /** Membership (ringpop) ports, one per service, in the order above; below 32768 (the server stores them in a smallint). */
  membership: [number, number, number, number];
  http: number;
  metrics: number;
}

/**
 * The dev stack's ports, all derived from the frontend's (TEMPORAL_ADDRESS), as in Temporal's own
 * configurations: services on frontend+1 … +3, HTTP +10, metrics +11, membership on frontend−300 … −297
 * (7233 → 6933), which must stay below 32768.
 */
export function portsFrom(frontend: number): ServerPorts {
  const m = frontend - 300;
  if (m < 1024 || m + 3 > 32_767)
    throw new InputError(
      `TEMPORAL_ADDRESS port ${frontend} does not suit the Temporal server: its membership ports (port − 300 … − 297) must lie between 1024 and 32767; pick a port between 1324 and 33064`,
    );
  const p = (i: number) => frontend + i;
  return {
    frontend,
    history: p(1),
    matching: p(2),
    worker: p(3),
    membership: [m, m + 1, m + 2, m + 3],
    http: p(10),
    metrics: p(11),
  };
}

export interface ServerOptions {
  /** Where the generated configuration and dynamic configuration go. */
  dir: string;
  /** A PostgreSQL superuser's URL (any database): to create the role and the two databases. */
  adminUrl: string;
  /** The role Temporal connects as, owner of its two databases. */
  user: string;
  password: string;
  ports: ServerPorts;
  /** Measurements only (bench/harness.ts): dynamic configuration beside ours, and the persistence's size. */
  tuning?: ServerTuning;
}

export interface ServerTuning {
  dynamicConfig?: Record<string, unknown>;
  /** Fixed for the life of a cluster: a change needs new databases. */
  historyShards?: number;
  /** The history store's connection pool. */
  maxConns?: number;
}

const DATABASES = { history: 'temporal', visibility: 'temporal_visibility' };

/**
 * Creates (first time) or migrates (every time: `update-schema` applies only newer versions) Temporal's two
 * databases, writes its configuration under `dir`, and returns the command that runs the server. Idempotent:
 * a restart over existing data keeps every workflow.
 */
export async function prepareTemporalServer(opts: ServerOptions): Promise<SpawnSpec> {
  const bins = serverBinaries();
  const dbs = DATABASES;
  const admin = new URL(opts.adminUrl);
  // Our own random hex (never an operator's text): safe inside the statement, which cannot take a parameter.
  if (!/^[0-9a-f]{16,}$/.test(opts.password))
    throw new Error('the temporal role password must be random hex');
  const adminDb = createDb(opts.adminUrl, { max: 1 });
  try {
    const role = await adminDb('pg_roles').where({ rolname: opts.user }).first();
    await adminDb.raw(`${role ? 'alter' : 'create'} role ?? login password '${opts.password}'`, [opts.user]);
    for (const name of [dbs.history, dbs.visibility]) {
      const url = new URL(opts.adminUrl);
      url.pathname = `/${name}`;
      await ensureDatabase(url.toString());
      await adminDb.raw('alter database ?? owner to ??', [name, opts.user]);
      // Temporal's databases are Temporal's: the project's roles have no business there.
      await adminDb.raw('revoke connect on database ?? from public', [name]);
    }
  } finally {
    await adminDb.destroy();
  }
  for (const [name, schema] of [
    [dbs.history, 'temporal'],
    [dbs.visibility, 'visibility'],
  ] as const) {
    const url = new URL(opts.adminUrl);
    url.pathname = `/${name}`;
    const db = createDb(url.toString(), { max: 1 });
    let setUp: boolean;
    try {
      setUp = Boolean(
        (
          await db.raw(
            `select 1 from information_schema.tables where table_schema = 'public' and table_name = 'schema_version'`,
          )
        ).rows.length,
      );
    } finally {
      await db.destroy();
    }
    const tool = (...args: string[]) =>
      // The password goes in the environment, not on a command line other users can read.
      execFileAsync(
        bins.sqlTool,
        [
          '--plugin',
          'postgres12',
          '--ep',
          admin.hostname,
          '-p',
          admin.port || '5432',
          '-u',
          opts.user,
          '--db',
          name,
          ...args,
        ],
        {
          maxBuffer: 16 << 20,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SQL_PASSWORD: opts.password },
        },
      ).catch((err: { stderr?: string; message: string }) => {
        throw new Error(
          `temporal-sql-tool ${args[0]} on ${name} failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' ')}`,
        );
      });
    if (!setUp) await tool('setup-schema', '-v', '0.0');
    await tool('update-schema', '-d', path.join(bins.schemaDir, schema, 'versioned'));
  }
  fs.mkdirSync(path.join(opts.dir, 'config'), { recursive: true });
  const dynamic = path.join(opts.dir, 'config', 'dynamicconfig.yaml');
  // JSON is YAML: the server reads both files with its YAML parser.
  fs.writeFileSync(
    dynamic,
    JSON.stringify(
      {
        ...dynamicConfig(),
        ...Object.fromEntries(
          Object.entries(opts.tuning?.dynamicConfig ?? {}).map(([k, v]) => [k, [{ value: v }]]),
        ),
      },
      null,
      2,
    ),
  );
  const configFile = path.join(opts.dir, 'config', 'ecp-cutover.yaml');
  fs.writeFileSync(configFile, JSON.stringify(serverConfig(opts, dbs, dynamic), null, 2), { mode: 0o600 });
  // --allow-no-auth: on loopback, like the dev server; production puts mTLS and an authorizer in front (docs/operations.md).
  return { command: bins.server, args: ['--config-file', configFile, '--allow-no-auth', 'start'] };
}

function serverConfig(
  opts: ServerOptions,
  dbs: { history: string; visibility: string },
  dynamicConfigFile: string,
) {
  const admin = new URL(opts.adminUrl);
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${admin.hostname}:${admin.port || 5432}`,
      connectProtocol: 'tcp',
      user: opts.user,
      password: opts.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const { ports } = opts;
  const rpc = (grpcPort: number, membershipPort: number, extra: object = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const disabled = { history: { state: 'disabled' }, visibility: { state: 'disabled' } };
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'history',
      visibilityStore: 'visibility',
      // Shards are fixed for the life of a cluster; 4 is plenty for one machine (production: see docs/operations.md).
      numHistoryShards: opts.tuning?.historyShards ?? 4,
      datastores: {
        history: store(dbs.history, opts.tuning?.maxConns ?? 20),
        visibility: store(dbs.visibility, 4),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: {
        prometheus: {
          framework: 'tally',
          timerType: 'histogram',
          listenAddress: `127.0.0.1:${ports.metrics}`,
        },
      },
    },
    services: {
      frontend: rpc(ports.frontend, ports.membership[0], { httpPort: ports.http }),
      history: rpc(ports.history, ports.membership[1]),
      matching: rpc(ports.matching, ports.membership[2]),
      worker: rpc(ports.worker, ports.membership[3]),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: disabled,
    namespaceDefaults: { archival: disabled },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** Dynamic configuration: what this project relies on, said explicitly rather than left to the release's defaults. */
function dynamicConfig() {
  const on = (value: unknown) => [{ value }];
  return {
    'frontend.enableUpdateWorkflowExecution': on(true), // approvals and commands are Updates
    'system.enableDeploymentVersions': on(true), // Worker Versioning (docs/operations.md: upgrades)
    'frontend.workerVersioningWorkflowAPIs': on(true),
    'system.forceSearchAttributesCacheRefreshOnRead': on(true), // search attributes usable right after registration
    // One partition per task queue: one or two workers poll it (dev/tools.ts, TASK_QUEUE_PARTITIONS).
    ...Object.fromEntries(Object.entries(TASK_QUEUE_PARTITIONS).map(([k, v]) => [k, on(v)])),
  };
}

/**
 * Registers the namespace (if missing) and this project's search attributes on a real server, then waits
 * until both are usable through the server's caches (a worker that polls too early exits with "Namespace
 * not found"; a start with an unknown search attribute is refused).
 */
export async function registerNamespace(
  address: string,
  namespace: string,
  report: (line: string) => void = () => undefined,
): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: '5s' });
  try {
    const svc = connection.workflowService;
    const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: every one of ours is a Keyword
    const wanted = Object.fromEntries(Object.keys(SEARCH_ATTRIBUTES).map((k) => [k, KEYWORD]));
    // The server answers "unavailable" for a while after it starts: every call is inside the retry loop.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        const exists = await svc.describeNamespace({ namespace }).then(
          () => true,
          (err: { code?: number }) => {
            if (err.code === 5) return false; // NOT_FOUND
            throw err;
          },
        );
        if (!exists) {
          await svc.registerNamespace({
            namespace,
            workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(RETENTION_DAYS * 86_400) },
          });
          report(`namespace ${namespace} registered (retention ${RETENTION_DAYS} days)`);
        }
        const have = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = Object.keys(wanted).filter((k) => !(k in (have.customAttributes ?? {})));
        if (missing.length) {
          await connection.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(missing.map((k) => [k, wanted[k]])),
          });
          report(`search attributes ${missing.join(', ')} registered`);
        }
        // Usable through the caches: a visibility query on our attribute and a task-queue read in the namespace.
        await svc.listWorkflowExecutions({
          namespace,
          pageSize: 1,
          query: `${Object.keys(wanted)[0]} = 'none'`,
        });
        await svc.describeTaskQueue({
          namespace,
          taskQueue: { name: 'ecp-cutover-probe' },
          taskQueueType: 1,
        });
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`namespace ${namespace} not usable after 120 s: ${(err as Error).message}`, {
            cause: err,
          });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}
