import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { parseDuration } from '../../domain/duration';
import { InputError } from '../../domain/errors';
import { createLog, idsOf } from '../../observability/log';

// Each service loads its modules when it starts (dynamic imports), so that `ecp-cutover --help` and the short
// commands do not load Temporal's native core, the database driver or the mail stack (BENCHMARKS.md).
// The services are composition roots: each opens its own database pool and builds what runs on it.
const database = () => import('../../db/connection');
const gateway = () => import('../../platform/http-gateway');
const signing = () => import('../../security/command-signing');

/** Long-running processes. Each stops cleanly on SIGTERM or SIGINT. */
export function registerServeCommands(program: Command): void {
  program
    .command('worker')
    .description('run a Temporal worker for the cutover workflows and activities')
    .action(async () => {
      const config = loadConfig();
      const [
        { createDb },
        { createHttpGateway },
        { loadCommandKey, simulatorAdminToken },
        { connectWorker },
        { createSmtpMailer },
        { bundleInChildProcess, createWorker },
        { buildInfo, prebuiltWorkflowBundle },
      ] = await Promise.all([
        database(),
        gateway(),
        signing(),
        import('../../config/temporal'),
        import('../../activities/mailer'),
        import('../../worker/worker'),
        import('../../worker/build-info'),
      ]);
      const commandKey = loadCommandKey(config);
      const pool = createDb(config.WORKER_DATABASE_URL ?? config.DATABASE_URL, { max: 20 });
      const log = createLog(config, 'worker');
      {
        // Before any connection: the SDK's logs (workflow and activity logs carry workflowId, runId, the
        // activity) as our JSON lines, and its metrics (task latencies, slots, polls) if asked for.
        const { Runtime, DefaultLogger } = await import('@temporalio/worker');
        const level =
          ({ trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' } as const)[
            config.LOG_LEVEL as 'info'
          ] ?? 'ERROR';
        Runtime.install({
          logger: new DefaultLogger(level, (e) =>
            log[e.level.toLowerCase() as 'info']({ ...e.meta, ...idsOf(e.meta?.workflowId) }, e.message),
          ),
          ...(config.WORKER_METRICS_PORT
            ? {
                telemetryOptions: {
                  metrics: {
                    prometheus: { bindAddress: `${config.LISTEN_HOST}:${config.WORKER_METRICS_PORT}` },
                  },
                },
              }
            : {}),
        });
      }
      const connection = await connectWorker(config);
      const mailer = createSmtpMailer(config.SMTP_URL);
      // Built: the bundle `npm run build` made. From the sources: bundled now, in a short-lived child process.
      const prebuilt = prebuiltWorkflowBundle();
      const bundle = prebuilt ? { codePath: prebuilt } : await bundleInChildProcess();
      const versioning = config.WORKER_DEPLOYMENT_NAME
        ? {
            deploymentName: config.WORKER_DEPLOYMENT_NAME,
            buildId: config.WORKER_BUILD_ID ?? buildInfo().buildId,
          }
        : undefined;
      const worker = await createWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        deps: {
          db: pool,
          gateway: createHttpGateway(config.SIMULATOR_URL, simulatorAdminToken(config)),
          mailer,
          mailFrom: config.SMTP_FROM,
          commandKey,
          opsAlertEmail: config.OPS_ALERT_EMAIL,
          // The platforms' rehearsal environment (issue 28): its own URL and credential (default: the simulator's).
          rehearsalGateway: createHttpGateway(
            config.REHEARSAL_PLATFORM_URL,
            config.REHEARSAL_PLATFORM_TOKEN ?? simulatorAdminToken(config),
          ),
          rehearsalNoticeEmail: config.REHEARSAL_NOTICE_EMAIL,
        },
        workflowBundle: bundle,
        versioning,
      });
      if (!prebuilt) fs.rmSync(path.dirname(bundle.codePath), { recursive: true, force: true }); // read by Worker.create
      const version = versioning ? `, version ${versioning.deploymentName}:${versioning.buildId}` : '';
      log.info(
        { taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS },
        `worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}${version} (${prebuilt ? 'built workflows' : 'workflows bundled at start'})`,
      );
      const mib = (n: number) => Math.round(n / 2 ** 20);
      const memoryLog = config.WORKER_MEMORY_LOG
        ? setInterval(() => {
            const m = process.memoryUsage();
            log.info(
              `memory: rss ${mib(m.rss)} MiB, heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} MiB, external ${mib(m.external)} MiB (buffers ${mib(m.arrayBuffers)} MiB)`,
            );
          }, parseDuration(config.WORKER_MEMORY_LOG)).unref()
        : undefined;
      await worker.run(); // returns after SIGINT/SIGTERM (the SDK's runtime handles them)
      clearInterval(memoryLog);
      mailer.close();
      await connection.close();
      await pool.destroy();
    });

  program
    .command('bundle-workflows', { hidden: true })
    .description('bundle the workflow code into a file (the worker runs this in a child process)')
    .requiredOption('--out <file>', 'where to write the bundle')
    .action(async (opts: { out: string }) =>
      (await import('../../worker/worker')).writeWorkflowBundle(opts.out),
    );

  program
    .command('portal')
    .description('serve the public migration status portal')
    .option('--port <n>', 'port (default PORTAL_PORT)')
    .action(async (opts: { port?: string }) => {
      const config = loadConfig();
      const [{ createDb }, { startPortal }] = await Promise.all([database(), import('../../portal/server')]);
      const pool = createDb(config.PORTAL_DATABASE_URL ?? config.DATABASE_URL, { max: 10 });
      const portal = await startPortal({
        db: pool,
        port: parsePort(opts.port, config.PORTAL_PORT),
        host: config.LISTEN_HOST,
      });
      createLog(config, 'portal').info({ url: portal.url }, `portal on ${portal.url}`);
      await untilSignal();
      await portal.close();
      await pool.destroy();
    });

  program
    .command('api')
    .description('serve the control API (operators sign in; the only writer besides the worker)')
    .option('--port <n>', 'port (default CONTROL_API_PORT)')
    .action(async (opts: { port?: string }) => {
      const config = loadConfig();
      const [
        { createDb },
        { createAppStores },
        { createHttpGateway },
        { createCommandSigner, loadCommandKey, simulatorAdminToken },
        { connectClient },
        { createAuthenticator },
        { startControlApi },
      ] = await Promise.all([
        database(),
        import('../../stores/app-stores'),
        gateway(),
        signing(),
        import('../../config/temporal'),
        import('../../api/auth'),
        import('../../api/server'),
      ]);
      const signer = createCommandSigner(loadCommandKey(config));
      const apiLog = createLog(config, 'api');
      const pool = createDb(config.API_DATABASE_URL ?? config.DATABASE_URL, { max: 10 });
      const temporal = await connectClient(config);
      // The application layer over the stores of this pool: the API's (and its console's) one way to PostgreSQL.
      const platforms = createHttpGateway(config.SIMULATOR_URL, simulatorAdminToken(config));
      const stores = createAppStores(pool, platforms);
      const api = await startControlApi({
        deps: { stores, temporal, config, signer, gateway: platforms },
        auth: createAuthenticator(stores.operators, config),
        port: parsePort(opts.port, config.CONTROL_API_PORT),
        host: config.LISTEN_HOST,
        log: apiLog,
      });
      apiLog.info(
        { url: api.url },
        `control API on ${api.url} (${config.OIDC_ISSUER ? `OIDC: ${config.OIDC_ISSUER}` : 'operator tokens'}); OpenAPI at ${api.url}/openapi.json`,
      );
      await untilSignal();
      await api.close();
      await temporal.connection.close();
      await pool.destroy();
    });

  program
    .command('smtp-sink')
    .description('a development SMTP server that keeps what it receives')
    .option('--port <n>', 'SMTP port (default: the port of SMTP_URL)')
    .option('--web-port <n>', 'web view port (default SMTP_SINK_WEB_PORT)')
    .action(async (opts: { port?: string; webPort?: string }) => {
      const config = loadConfig();
      const { startSmtpSink } = await import('../../smtp-sink/server');
      const sink = await startSmtpSink({
        smtpPort: parsePort(opts.port, Number(new URL(config.SMTP_URL).port || 25)),
        webPort: parsePort(opts.webPort, config.SMTP_SINK_WEB_PORT),
        storeFile: path.join(config.home, 'mail.jsonl'),
        host: config.LISTEN_HOST,
      });
      createLog(config, 'smtp-sink').info(
        `SMTP sink on 127.0.0.1:${sink.smtpPort}, messages at http://127.0.0.1:${sink.webPort}/api/messages`,
      );
      await untilSignal();
      await sink.close();
    });
}

export function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new InputError(`port '${raw}' must be a number from 1 to 65535`);
  return n;
}

export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}
