import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { connectClient, connectWorker } from '../../config/temporal';
import { createAuthenticator } from '../../api/auth';
import { startControlApi } from '../../api/server';
import { createDb } from '../../db/connection';
import { InputError } from '../../domain/errors';
import { startPortal } from '../../portal/server';
import { startSimulator } from '../../simulator/server';
import { startSmtpSink } from '../../smtp-sink/server';
import { bundleInChildProcess, createWorker, writeWorkflowBundle } from '../../worker/worker';
import { createHttpGateway } from '../../platform/http-gateway';
import { createSmtpMailer } from '../../activities/mailer';
import { createCommandSigner, loadCommandKey, simulatorAdminToken } from '../../security/command-signing';

/** Long-running processes. Each stops cleanly on SIGTERM or SIGINT. */
export function registerServeCommands(program: Command): void {
  program
    .command('worker')
    .description('run a Temporal worker for the cutover workflows and activities')
    .action(async () => {
      const config = loadConfig();
      const commandKey = loadCommandKey(config);
      const db = createDb(config.WORKER_DATABASE_URL ?? config.DATABASE_URL, { max: 20 });
      const connection = await connectWorker(config);
      const mailer = createSmtpMailer(config.SMTP_URL);
      const bundle = await bundleInChildProcess();
      const worker = await createWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        deps: { db, gateway: createHttpGateway(config.SIMULATOR_URL, simulatorAdminToken(config)), mailer, mailFrom: config.SMTP_FROM, commandKey },
        workflowBundle: bundle,
      });
      fs.rmSync(path.dirname(bundle.codePath), { recursive: true, force: true }); // read by Worker.create
      console.log(`worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
      await worker.run(); // returns after SIGINT/SIGTERM (the SDK's runtime handles them)
      mailer.close();
      await connection.close();
      await db.destroy();
    });

  program
    .command('bundle-workflows', { hidden: true })
    .description('bundle the workflow code into a file (the worker runs this in a child process)')
    .requiredOption('--out <file>', 'where to write the bundle')
    .action(async (opts: { out: string }) => writeWorkflowBundle(opts.out));

  program
    .command('portal')
    .description('serve the public migration status portal')
    .option('--port <n>', 'port (default PORTAL_PORT)')
    .action(async (opts: { port?: string }) => {
      const config = loadConfig();
      const db = createDb(config.PORTAL_DATABASE_URL ?? config.DATABASE_URL, { max: 10 });
      const portal = await startPortal({ db, port: parsePort(opts.port, config.PORTAL_PORT), host: config.LISTEN_HOST });
      console.log(`portal on ${portal.url}`);
      await untilSignal();
      await portal.close();
      await db.destroy();
    });

  program
    .command('api')
    .description('serve the control API (operators sign in; the only writer besides the worker)')
    .option('--port <n>', 'port (default CONTROL_API_PORT)')
    .action(async (opts: { port?: string }) => {
      const config = loadConfig();
      const signer = createCommandSigner(loadCommandKey(config));
      const db = createDb(config.API_DATABASE_URL ?? config.DATABASE_URL, { max: 10 });
      const temporal = await connectClient(config);
      const api = await startControlApi({
        deps: { db, temporal, config, signer, gateway: createHttpGateway(config.SIMULATOR_URL, simulatorAdminToken(config)) },
        auth: createAuthenticator(db, config),
        port: parsePort(opts.port, config.CONTROL_API_PORT),
        host: config.LISTEN_HOST,
        log: (line) => console.error(line),
      });
      console.log(`control API on ${api.url} (${config.OIDC_ISSUER ? `OIDC: ${config.OIDC_ISSUER}` : 'operator tokens'}); OpenAPI at ${api.url}/openapi.json`);
      await untilSignal();
      await api.close();
      await temporal.connection.close();
      await db.destroy();
    });

  program
    .command('simulator')
    .description('serve the reference platform simulator (legacy ECP and ECP 2.0)')
    .option('--port <n>', 'port (default: the port of SIMULATOR_URL)')
    .option('--processing-delay <ms>', 'how long legacy takes to process a file', '500')
    .action(async (opts: { port?: string; processingDelay: string }) => {
      const config = loadConfig();
      const db = createDb(config.DATABASE_URL, { max: 20 });
      const adminToken = simulatorAdminToken(config);
      if (!adminToken) throw new InputError(`the simulator needs its admin credential: set SIMULATOR_ADMIN_TOKEN, or start the embedded stack with 'ecp-cutover dev up' (it writes ${config.simulatorTokenFile})`);
      const sim = await startSimulator({
        db,
        port: parsePort(opts.port, Number(new URL(config.SIMULATOR_URL).port)),
        processingDelayMs: Number(opts.processingDelay),
        host: config.LISTEN_HOST,
        adminToken,
        log: (line) => console.error(line),
      });
      console.log(`platform simulator on ${sim.url}`);
      await untilSignal();
      await sim.close();
      await db.destroy();
    });

  program
    .command('smtp-sink')
    .description('a development SMTP server that keeps what it receives')
    .option('--port <n>', 'SMTP port (default: the port of SMTP_URL)')
    .option('--web-port <n>', 'web view port (default SMTP_SINK_WEB_PORT)')
    .action(async (opts: { port?: string; webPort?: string }) => {
      const config = loadConfig();
      const sink = await startSmtpSink({
        smtpPort: parsePort(opts.port, Number(new URL(config.SMTP_URL).port || 25)),
        webPort: parsePort(opts.webPort, config.SMTP_SINK_WEB_PORT),
        storeFile: path.join(config.home, 'mail.jsonl'),
        host: config.LISTEN_HOST,
      });
      console.log(`SMTP sink on 127.0.0.1:${sink.smtpPort}, messages at http://127.0.0.1:${sink.webPort}/api/messages`);
      await untilSignal();
      await sink.close();
    });
}

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InputError(`port '${raw}' must be a number from 1 to 65535`);
  return n;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}
