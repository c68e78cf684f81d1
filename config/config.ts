import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import { InputError } from '../domain/errors';

/**
 * Every setting the tool reads, from environment variables, parsed once. Defaults point at the embedded
 * stack that `ecp-cutover dev up` starts; production sets them (docs/configuration.md).
 * Every bad value is reported at once, each with its variable's name.
 */
const portMsg = 'must be a port number from 1 to 65535';
const port = z.coerce.number({ error: portMsg }).int(portMsg).min(1, portMsg).max(65535, portMsg);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`,
  );
const duration = z.string().refine((v) => {
  try {
    parseDuration(v);
    return true;
  } catch {
    return false;
  }
}, 'must be a duration such as 500ms, 60s, 5m, 2h or 14d');
const hostPort = z.string().regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233');

/**
 * The configuration: each variable's meaning is its `.describe()` text, from which docs/configuration.md is
 * generated (scripts/docs.ts; `npm run docs -- --check` fails when it is stale).
 */
export const CONFIG_SCHEMA = z.object({
  ECP_CUTOVER_HOME: z
    .string()
    .min(1)
    .default('.ecp-cutover')
    .describe("The embedded stack's state directory (databases, logs, secrets)."),
  POSTGRES_PORT: port
    .default(55432)
    .describe("The embedded PostgreSQL's port (`dev up`); also the port of DATABASE_URL's default."),
  DATABASE_URL: url(['postgres:', 'postgresql:'])
    .optional()
    .describe(
      "The cutover's PostgreSQL, as the database owner. Default: `postgres://postgres:postgres@127.0.0.1:$POSTGRES_PORT/ecp_cutover` (the embedded stack's).",
    ),
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233').describe('The Temporal frontend (host:port).'),
  TEMPORAL_NAMESPACE: z
    .string()
    .min(1)
    .default('default')
    .describe('The Temporal namespace the workflows run in.'),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .min(1)
    .default('ecp-cutover')
    .describe('The task queue the worker polls and the workflows are started on.'),
  TEMPORAL_UI_PORT: port.default(8233).describe("The embedded Temporal Web UI's port."),
  TEMPORAL_TLS_CERT: z
    .string()
    .optional()
    .describe('mTLS to a Temporal cluster: the client certificate (PEM file); goes with TEMPORAL_TLS_KEY.'),
  TEMPORAL_TLS_KEY: z
    .string()
    .optional()
    .describe(
      "mTLS to a Temporal cluster: the client certificate's key (PEM file); goes with TEMPORAL_TLS_CERT.",
    ),
  TEMPORAL_TLS_CA: z
    .string()
    .optional()
    .describe("mTLS to a Temporal cluster: the CA that signed the server's certificate (PEM file)."),
  TEMPORAL_BIN: z
    .string()
    .optional()
    .describe('A `temporal` binary to use instead of `.tools/bin/temporal` (the embedded dev server).'),
  WORKER_DEPLOYMENT_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1-100 letters, digits, ".", "_" or "-"')
    .optional()
    .describe(
      "Worker Versioning: the worker deployment's name. Set, the worker polls as version <name>:<build id> and new workflows go to the deployment's current version (docs/operations.md, Upgrades); unset, workers are unversioned.",
    ),
  WORKER_METRICS_PORT: port
    .optional()
    .describe(
      "When set, the worker serves the Temporal SDK's metrics (Prometheus) on LISTEN_HOST:WORKER_METRICS_PORT/metrics (`dev up`: 9464, +1 per worker).",
    ),
  WORKER_MEMORY_LOG: duration
    .optional()
    .describe(
      'When set (e.g. 5s), the worker logs its memory (RSS, V8 heap, external) that often: for capacity checks.',
    ),
  WORKER_BUILD_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.+-]{1,100}$/, 'must be 1-100 letters, digits, ".", "_", "+" or "-"')
    .optional()
    .describe(
      'The Build ID (default: dist/build-info.json, written by `npm run build` from the version and the git commit).',
    ),
  SMTP_URL: url(['smtp:', 'smtps:'])
    .default('smtp://127.0.0.1:2525')
    .describe('The SMTP relay that notices are sent through.'),
  SMTP_FROM: z.string().email().default('ecp-support@hkex.example').describe('The sender of notices.'),
  SMTP_SINK_WEB_PORT: port.default(1080).describe("The dev SMTP sink's web view."),
  OPS_ALERT_EMAIL: z
    .string()
    .email()
    .optional()
    .describe(
      "The platform team's address: the reconciler mails each drift to it when it opens and when it clears (unset: no alerts).",
    ),
  RECONCILE_INTERVAL: duration
    .default('5m')
    .describe(
      "How often the reconciler's Temporal Schedule runs a pass (created by `dev up` and `reconcile --ensure-schedule`).",
    ),
  SIMULATOR_URL: url(['http:', 'https:'])
    .default('http://127.0.0.1:4100')
    .describe("The platforms' admin and intake APIs (the simulator's, on the embedded stack)."),
  SIMULATOR_ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      "The platforms' admin credential (the simulator requires it; default: <ECP_CUTOVER_HOME>/secrets/simulator-admin.token).",
    ),
  REHEARSAL_PLATFORM_URL: url(['http:', 'https:'])
    .default('http://127.0.0.1:4101')
    .describe(
      "The platforms' rehearsal environment (`batch rehearse`): in production the platform's test environment; on the embedded stack the simulator serves one beside the live one, on this URL, with state of its own (REHEARSAL_DATABASE_URL). A rehearsal drives only these platforms.",
    ),
  REHEARSAL_PLATFORM_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      "The rehearsal environment's own admin credential; set it in production (default: the simulator's, SIMULATOR_ADMIN_TOKEN or its file, which serves both environments on the embedded stack).",
    ),
  REHEARSAL_DATABASE_URL: url(['postgres:', 'postgresql:'])
    .optional()
    .describe(
      'The simulator\'s rehearsal platforms keep their state in this database (default: DATABASE_URL\'s name + "_rehearsal").',
    ),
  REHEARSAL_NOTICE_EMAIL: z
    .string()
    .email()
    .optional()
    .describe(
      "Where a rehearsal's rendered notices go: the platform team's address, never a firm's (default OPS_ALERT_EMAIL).",
    ),
  REQUIRE_REHEARSAL: duration
    .optional()
    .describe(
      'Set (e.g. 7d): an approval needs a successful rehearsal of the same plan within this long; unset or empty: not needed.',
    ),
  SIMULATOR_SFTP_PORT: port
    .default(4122)
    .describe(
      "ECP 2.0's SFTP channel in the simulator (loopback, or LISTEN_HOST; `dev status`: simulator.sftp).",
    ),
  LOAD_DIRECTORY_INTO_PLATFORM: z
    .enum(['true', 'false'])
    .default('false')
    .describe(
      "On the embedded stack, a directory import also loads the simulator's Client Connect (a real one is HKEX's).",
    ),
  PORTAL_PORT: port.default(3000).describe("The participants' portal."),
  CONTROL_API_PORT: port
    .default(3100)
    .describe('The control API (and the console): the only writer besides the worker.'),
  ECP_CUTOVER_API_URL: url(['http:', 'https:'])
    .optional()
    .describe(
      "Where the CLI finds the control API (default: this host's, `http://127.0.0.1:$CONTROL_API_PORT`).",
    ),
  API_DATABASE_URL: url(['postgres:', 'postgresql:'])
    .optional()
    .describe(
      "The control API's own database role (db/grants.ts; default: DATABASE_URL, the owner; `dev up` sets it).",
    ),
  WORKER_DATABASE_URL: url(['postgres:', 'postgresql:'])
    .optional()
    .describe(
      "The worker's own database role (db/grants.ts; default: DATABASE_URL, the owner; `dev up` sets it).",
    ),
  PORTAL_DATABASE_URL: url(['postgres:', 'postgresql:'])
    .optional()
    .describe(
      "The portal's own database role (db/grants.ts; default: DATABASE_URL, the owner; `dev up` sets it).",
    ),
  OIDC_ISSUER: z
    .string()
    .min(1)
    .optional()
    .describe(
      "OIDC mode: the identity provider's issuer. OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL go together: all three set, and the control API verifies the identity provider's JWTs instead of tokens.",
    ),
  OIDC_AUDIENCE: z
    .string()
    .min(1)
    .optional()
    .describe("OIDC mode: the audience the control API's JWTs carry (with OIDC_ISSUER and OIDC_JWKS_URL)."),
  OIDC_JWKS_URL: url(['https:', 'file:'])
    .optional()
    .describe(
      "OIDC mode: the identity provider's keys, `https://` or `file://` (with OIDC_ISSUER and OIDC_AUDIENCE).",
    ),
  OIDC_NAME_CLAIM: z
    .string()
    .min(1)
    .default('preferred_username')
    .describe("The claim that carries the operator's name."),
  OIDC_ROLES_CLAIM: z
    .string()
    .min(1)
    .default('roles')
    .describe("The claim that carries the operator's roles."),
  OIDC_CLIENT_ID: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      "The console's sign-in with the identity provider (authorization code + PKCE): the client registered there (needs OIDC mode).",
    ),
  OIDC_CLIENT_SECRET: z
    .string()
    .min(1)
    .optional()
    .describe('Only for a confidential client; a public client relies on PKCE alone.'),
  CONSOLE_PUBLIC_URL: url(['http:', 'https:'])
    .optional()
    .describe(
      "The console's address as browsers reach it (default: the request's host): the OIDC redirect URI is <it>/console/oidc/callback; https://… makes its cookies Secure.",
    ),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|[0-9A-Fa-f.:]+(\/\d{1,3})?(,[0-9A-Fa-f.:]+(\/\d{1,3})?)*)$/,
      'must be addresses or CIDRs separated by commas (10.0.0.5,10.1.0.0/16), or a number of proxy hops',
    )
    .optional()
    .describe(
      "The control API's and the console's reverse proxies, whose X-Forwarded-For is believed for the client's address (sign-in limits count per credential and client): addresses or CIDRs separated by commas (10.0.0.5,10.1.0.0/16), or a number of proxy hops. Unset: the connection's own address.",
    ),
  CONSOLE_IDLE_TIMEOUT: duration
    .default('15m')
    .describe('A console session ends after this long without a request (and after 12 h in any case).'),
  LISTEN_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Address the portal, simulator and SMTP sink listen on; 0.0.0.0 in containers.'),
  FREEZE_WINDOW_MAX: duration
    .default('60s')
    .describe("The bound on a folder's freeze window (invariant I1)."),
  DRAIN_TIMEOUT: duration
    .default('45s')
    .describe("How long a drain waits for legacy's processing before handing the files over."),
  APPROVAL_TIMEOUT: duration
    .default('24h')
    .describe('How long a switch-back request waits for its approval before it expires.'),
  MOVE_MAX_ATTEMPTS: z.coerce
    .number({ error: 'must be a whole number from 1 to 100' })
    .int()
    .min(1)
    .max(100)
    .default(8)
    .describe(
      'Attempts per forward step of a folder move (backoff 0.5 s → 10 s) before it is compensated (compensations never give up).',
    ),
  DECOMMISSION_QUIET_PERIOD: duration
    .default('14d')
    .describe('Legacy must have accepted nothing for this long before it is switched off.'),
  DECOMMISSION_REMINDER_DAYS: z
    .string()
    .regex(/^\d{1,3}(,\d{1,3})*$/, 'must be business-day counts such as 30,7,1')
    .default('30,7,1')
    .describe('Business days before the decommission on which every firm is reminded.'),
  DECOMMISSION_RECHECK: duration
    .default('1h')
    .describe(
      'How often a blocked decommission re-checks its gate (it also re-checks whenever a batch finishes).',
    ),
  COMMAND_TIMEOUT: duration
    .default('30s')
    .describe('How long a command waits for its workflow to record it before saying it is not recorded yet.'),
  READINESS_RECHECK: duration.default('10m').describe('How often a batch blocked on readiness checks again.'),
  MIN_NOTICE: duration
    .default('7d')
    .describe(
      'A batch must be planned at least this long before its cutover (participants need notice; `--min-notice` overrides).',
    ),
  COMMAND_SIGNING_KEY: z
    .string()
    .optional()
    .describe(
      'The key that the control API signs workflow commands with and the workers verify (hex or base64, ≥ 32 random bytes).',
    ),
  COMMAND_SIGNING_KEY_FILE: z
    .string()
    .optional()
    .describe(
      "…or a file holding it (default: the embedded stack's, <ECP_CUTOVER_HOME>/secrets/command-signing.key, which `dev up` makes).",
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('The least severe log level written.'),
  LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .default('json')
    .describe(
      'json: one JSON object a line (level, time, component, msg and fields), for log pipelines; pretty: one readable line, for people.',
    ),
});
const schema = CONFIG_SCHEMA;

export type RawConfig = z.infer<typeof schema>;
/** Every environment variable the tool reads (docker-compose.yml is checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export interface Config extends Omit<
  RawConfig,
  | 'DATABASE_URL'
  | 'ECP_CUTOVER_API_URL'
  | 'FREEZE_WINDOW_MAX'
  | 'DRAIN_TIMEOUT'
  | 'APPROVAL_TIMEOUT'
  | 'MIN_NOTICE'
  | 'READINESS_RECHECK'
  | 'COMMAND_TIMEOUT'
  | 'CONSOLE_IDLE_TIMEOUT'
> {
  DATABASE_URL: string;
  ECP_CUTOVER_API_URL: string;
  /** Absolute path of the embedded stack's state directory. */
  home: string;
  commandKeyFile: string;
  simulatorTokenFile: string;
  /** The simulator's SFTP host key, made once per state directory. */
  simulatorSftpHostKeyFile: string;
  freezeWindowMaxMs: number;
  drainTimeoutMs: number;
  approvalTimeoutMs: number;
  minNoticeMs: number;
  readinessRecheckMs: number;
  commandTimeoutMs: number;
  consoleIdleMs: number;
  /** REQUIRE_REHEARSAL in ms; null: approvals need no rehearsal. */
  requireRehearsalMs: number | null;
  /** The database of the simulator's rehearsal platforms. */
  rehearsalDatabaseUrl: string;
  /** TRUST_PROXY as the HTTP layer takes it. */
  trustProxy: string[] | number | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])} ${i.message}`,
    );
    throw new InputError(
      `bad configuration: ${problems.join('; ')} (fix the environment variables and run again)`,
    );
  }
  const c = parsed.data;
  const oidc = [c.OIDC_ISSUER, c.OIDC_AUDIENCE, c.OIDC_JWKS_URL].filter(Boolean).length;
  if (oidc !== 0 && oidc !== 3)
    throw new InputError(
      'bad configuration: OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL go together (set all three for OIDC mode, or none for tokens)',
    );
  if (c.OIDC_CLIENT_ID && oidc !== 3)
    throw new InputError(
      "bad configuration: OIDC_CLIENT_ID (the console's sign-in with the identity provider) needs OIDC mode: set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL too",
    );
  if (Boolean(c.TEMPORAL_TLS_CERT) !== Boolean(c.TEMPORAL_TLS_KEY)) {
    throw new InputError(
      'bad configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (set both or neither)',
    );
  }
  // A rehearsal must never drive the live platforms, nor keep its simulated state in the live database.
  if (sameEndpoint(c.REHEARSAL_PLATFORM_URL, c.SIMULATOR_URL))
    throw new InputError(
      `bad configuration: REHEARSAL_PLATFORM_URL names the live platforms (SIMULATOR_URL ${c.SIMULATOR_URL}): a rehearsal must drive the platforms' test environment; set it to that environment's address`,
    );
  const databaseUrl =
    c.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${c.POSTGRES_PORT}/ecp_cutover`;
  if (c.REHEARSAL_DATABASE_URL && sameEndpoint(c.REHEARSAL_DATABASE_URL, databaseUrl))
    throw new InputError(
      "bad configuration: REHEARSAL_DATABASE_URL is the live database (DATABASE_URL): the rehearsal platforms' state needs a database of its own; unset it for <database>_rehearsal",
    );
  if (c.REQUIRE_REHEARSAL && parseDuration(c.REQUIRE_REHEARSAL) <= 0)
    throw new InputError(
      'bad configuration: REQUIRE_REHEARSAL must be a positive duration such as 7d (or unset: approvals need no rehearsal)',
    );
  return {
    ...c,
    DATABASE_URL: databaseUrl,
    ECP_CUTOVER_API_URL: (c.ECP_CUTOVER_API_URL ?? `http://127.0.0.1:${c.CONTROL_API_PORT}`).replace(
      /\/+$/,
      '',
    ),
    home: path.resolve(c.ECP_CUTOVER_HOME),
    commandKeyFile: path.resolve(
      c.COMMAND_SIGNING_KEY_FILE ?? path.join(c.ECP_CUTOVER_HOME, 'secrets', 'command-signing.key'),
    ),
    simulatorTokenFile: path.resolve(c.ECP_CUTOVER_HOME, 'secrets', 'simulator-admin.token'),
    simulatorSftpHostKeyFile: path.resolve(c.ECP_CUTOVER_HOME, 'secrets', 'simulator-sftp-host.key'),
    freezeWindowMaxMs: parseDuration(c.FREEZE_WINDOW_MAX),
    drainTimeoutMs: parseDuration(c.DRAIN_TIMEOUT),
    approvalTimeoutMs: parseDuration(c.APPROVAL_TIMEOUT),
    minNoticeMs: parseDuration(c.MIN_NOTICE),
    readinessRecheckMs: parseDuration(c.READINESS_RECHECK),
    commandTimeoutMs: parseDuration(c.COMMAND_TIMEOUT),
    consoleIdleMs: parseDuration(c.CONSOLE_IDLE_TIMEOUT),
    requireRehearsalMs: c.REQUIRE_REHEARSAL ? parseDuration(c.REQUIRE_REHEARSAL) : null,
    rehearsalDatabaseUrl:
      c.REHEARSAL_DATABASE_URL ??
      rehearsalDatabaseOf(
        c.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${c.POSTGRES_PORT}/ecp_cutover`,
      ),
    trustProxy:
      c.TRUST_PROXY === undefined
        ? undefined
        : /^\d+$/.test(c.TRUST_PROXY)
          ? Number(c.TRUST_PROXY)
          : c.TRUST_PROXY.split(','),
  };
}

/** The rehearsal platforms' database beside `url`'s: the same server, its name + "_rehearsal". */
export function rehearsalDatabaseOf(url: string): string {
  const u = new URL(url);
  u.pathname = `/${decodeURIComponent(u.pathname.slice(1) || 'postgres')}_rehearsal`;
  return u.toString();
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Two URLs that reach the same server and path (loopback spelled any way, default ports, a trailing slash). */
function sameEndpoint(a: string, b: string): boolean {
  const norm = (raw: string) => {
    const u = new URL(raw);
    const host = LOOPBACK.has(u.hostname) ? 'loopback' : u.hostname.toLowerCase();
    const port =
      u.port ||
      (
        { 'http:': '80', 'https:': '443', 'postgres:': '5432', 'postgresql:': '5432' } as Record<
          string,
          string
        >
      )[u.protocol] ||
      '';
    return `${host}:${port}${u.pathname.replace(/\/+$/, '')}`;
  };
  return norm(a) === norm(b);
}
