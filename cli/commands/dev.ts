import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { down, status, up } from '../../dev/stack';
import { printJson, printTable } from '../context';

export function registerDevCommands(program: Command): void {
  const dev = program.command('dev').description('the embedded stack: PostgreSQL, Temporal, SMTP sink, simulator, worker, portal, control API');
  dev
    .command('up')
    .description('start every service in the background (idempotent); state under .ecp-cutover/')
    .action(async () => {
      const config = loadConfig();
      await up(config, (line) => console.log(line));
      printEndpoints(config);
    });
  dev
    .command('down')
    .description('stop exactly the processes `dev up` started; data stays')
    .action(async () => {
      await down(loadConfig(), (line) => console.log(line));
    });
  dev
    .command('status')
    .description('which services run, with their pids and URLs')
    .option('--json', 'the endpoints as JSON')
    .action((opts: { json?: boolean }) => {
      const config = loadConfig();
      const rows = status(config);
      if (opts.json) return printJson({ ...endpoints(config), services: rows });
      printTable(['SERVICE', 'STATE', 'PID', 'URL'], rows.map((r) => [r.name, r.pid ? 'running' : 'stopped', r.pid, r.url]));
    });
}

export function endpoints(config: ReturnType<typeof loadConfig>) {
  const smtp = new URL(config.SMTP_URL);
  return {
    postgres: { url: config.DATABASE_URL },
    temporal: { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, ui: `http://127.0.0.1:${config.TEMPORAL_UI_PORT}` },
    smtp: { host: smtp.hostname, port: Number(smtp.port || 25), messages: `http://127.0.0.1:${config.SMTP_SINK_WEB_PORT}/api/messages` },
    simulator: { url: config.SIMULATOR_URL },
    portal: { url: `http://127.0.0.1:${config.PORTAL_PORT}` },
    api: { url: config.ECP_CUTOVER_API_URL, openapi: `${config.ECP_CUTOVER_API_URL}/openapi.json` },
    workers: [{ name: 'worker', taskQueue: config.TEMPORAL_TASK_QUEUE }],
  };
}

function printEndpoints(config: ReturnType<typeof loadConfig>): void {
  const e = endpoints(config);
  console.log(`
PostgreSQL        ${e.postgres.url}
Temporal          ${e.temporal.address} (namespace ${e.temporal.namespace})
Temporal Web UI   ${e.temporal.ui}
SMTP sink         smtp://${e.smtp.host}:${e.smtp.port}, received mail at ${e.smtp.messages.replace('/api/messages', '/')}
Simulator         ${e.simulator.url}
Portal            ${e.portal.url}
Control API       ${e.api.url}  (OpenAPI: ${e.api.openapi})`);
}
