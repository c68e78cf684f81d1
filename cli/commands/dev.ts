import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { InputError } from '../../domain/errors';
import { DEFAULT_PROFILE, workerMetricsPort, workerNames, type Profile } from '../../dev/profile';
import { printJson, printTable } from '../context';

export function registerDevCommands(program: Command): void {
  const dev = program
    .command('dev')
    .description(
      'the embedded stack: PostgreSQL, Temporal, SMTP sink, simulator, worker, portal, control API',
    );
  dev
    .command('up')
    .description('start every service in the background (idempotent); state under .ecp-cutover/')
    .option(
      '--temporal <kind>',
      "'dev' (the CLI's dev server, SQLite; the default) or 'server' (the real Temporal server on PostgreSQL, two workers)",
    )
    .option(
      '--external <services>',
      "'postgres', 'temporal', both (comma-separated) or 'none': use the ones DATABASE_URL / TEMPORAL_ADDRESS name instead of starting them",
    )
    .action(async (opts: { temporal?: string; external?: string }) => {
      const config = loadConfig();
      const requested = profileOptions(opts);
      const { up } = await import('../../dev/stack');
      const profile = await up(config, (line) => console.log(line), requested);
      printEndpoints(config, profile);
    });
  dev
    .command('down')
    .description('stop exactly the processes `dev up` started; data stays')
    .action(async () => {
      const { down } = await import('../../dev/stack');
      await down(loadConfig(), (line) => console.log(line));
    });
  dev
    .command('status')
    .description('which services run, with their pids and URLs')
    .option('--json', 'the endpoints as JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const { status } = await import('../../dev/stack');
      const { profile, services } = status(config);
      const pid = (name: string) => services.find((s) => s.name === name)?.pid ?? null;
      if (opts.json) {
        const e = endpoints(config, profile);
        return printJson({ ...e, workers: e.workers.map((w) => ({ ...w, pid: pid(w.name) })), services });
      }
      printTable(
        ['SERVICE', 'STATE', 'PID', 'URL'],
        services.map((r) => [r.name, r.pid ? 'running' : 'stopped', r.pid, r.url]),
      );
    });
}

/** The profile the flags ask for (null: none given, the saved one stands); `--external none` clears it. */
function profileOptions(opts: { temporal?: string; external?: string }): Partial<Profile> | null {
  if (opts.temporal === undefined && opts.external === undefined) return null;
  const requested: Partial<Profile> = {};
  if (opts.temporal !== undefined) {
    if (opts.temporal !== 'dev' && opts.temporal !== 'server')
      throw new InputError(`--temporal ${opts.temporal}: say 'dev' or 'server'`);
    requested.temporal = opts.temporal;
  }
  if (opts.external !== undefined) {
    const names =
      opts.external === 'none'
        ? []
        : opts.external
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean);
    const bad = names.filter((n) => n !== 'postgres' && n !== 'temporal');
    if (bad.length)
      throw new InputError(`--external ${bad.join(',')}: say postgres, temporal, postgres,temporal or none`);
    requested.external = [...new Set(names)].sort() as Profile['external'];
  }
  return requested;
}

/** Where everything is; `temporal.kind` says which Temporal runs, `workers` lists each worker process. */
export function endpoints(config: ReturnType<typeof loadConfig>, profile: Profile = DEFAULT_PROFILE) {
  const smtp = new URL(config.SMTP_URL);
  const server = profile.temporal === 'server';
  const database = new URL(config.DATABASE_URL);
  if (profile.external.includes('postgres')) database.password = database.password ? '***' : ''; // a real credential: not printed
  return {
    postgres: { url: database.toString(), external: profile.external.includes('postgres') },
    temporal: {
      kind: profile.temporal,
      address: config.TEMPORAL_ADDRESS,
      namespace: config.TEMPORAL_NAMESPACE,
      external: profile.external.includes('temporal'),
      // The real server has no Web UI of its own (production runs temporalio/ui next to it: docker-compose.yml).
      ui: server ? null : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`,
    },
    smtp: {
      host: smtp.hostname,
      port: Number(smtp.port || 25),
      messages: `http://127.0.0.1:${config.SMTP_SINK_WEB_PORT}/api/messages`,
    },
    simulator: { url: config.SIMULATOR_URL, sftp: `sftp://127.0.0.1:${config.SIMULATOR_SFTP_PORT}` },
    portal: { url: `http://127.0.0.1:${config.PORTAL_PORT}` },
    api: {
      url: config.ECP_CUTOVER_API_URL,
      openapi: `${config.ECP_CUTOVER_API_URL}/openapi.json`,
      console: `${config.ECP_CUTOVER_API_URL}/console`,
    },
    // Prometheus: the workers' SDK metrics, the portal's requests, and the project's state on the control API (bearer token).
    workers: workerNames(profile).map((name, i) => ({
      name,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      metrics: `http://127.0.0.1:${workerMetricsPort(config, i)}/metrics`,
    })),
    metrics: {
      api: `${config.ECP_CUTOVER_API_URL}/metrics`,
      portal: `http://127.0.0.1:${config.PORTAL_PORT}/metrics`,
    },
  };
}

function printEndpoints(config: ReturnType<typeof loadConfig>, profile: Profile): void {
  const e = endpoints(config, profile);
  console.log(`
PostgreSQL        ${e.postgres.url}
Temporal          ${e.temporal.address} (namespace ${e.temporal.namespace}; ${e.temporal.kind === 'server' ? 'Temporal server on PostgreSQL' : 'dev server'})
Temporal Web UI   ${e.temporal.ui ?? 'none with the server profile: temporal workflow list|describe, or temporalio/ui'}
Workers           ${e.workers.map((w) => w.name).join(', ')} on task queue ${config.TEMPORAL_TASK_QUEUE}
SMTP sink         smtp://${e.smtp.host}:${e.smtp.port}, received mail at ${e.smtp.messages.replace('/api/messages', '/')}
Simulator         ${e.simulator.url}  (ECP 2.0's SFTP: ${e.simulator.sftp}; log in as a user: ecp-cutover simulator credentials EMAIL)
Portal            ${e.portal.url}
Control API       ${e.api.url}  (OpenAPI: ${e.api.openapi})
Console           ${e.api.console}  (sign in with an operator's token)`);
}
