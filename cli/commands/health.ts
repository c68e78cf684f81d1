import type { Command } from 'commander';
import net from 'node:net';
import os from 'node:os';
import { loadConfig } from '../../config/config';
import { InputError } from '../../domain/errors';

const SERVICES = ['portal', 'api', 'simulator', 'smtp-sink', 'worker'] as const;
type Service = (typeof SERVICES)[number];

async function httpOk(url: string): Promise<string | null> {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) }).catch((err: Error) => err);
  if (res instanceof Error) return `${url}: ${res.message}`;
  return res.ok ? null : `${url} answered ${res.status}`;
}

function tcpOk(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(null)));
    socket.setTimeout(4000, () => (socket.destroy(), resolve(`127.0.0.1:${port}: no answer`)));
    socket.on('error', (err) => resolve(`127.0.0.1:${port}: ${err.message}`));
  });
}

/**
 * `ecp-cutover health SERVICE`: is this host's service up? For a container's HEALTHCHECK and for people:
 * exit 0 and "ok", or exit 1 and one line saying what is wrong. HTTP services answer /healthz (the portal and
 * the control API reach PostgreSQL to answer); the worker is healthy when Temporal sees it polling its task
 * queue from this host.
 */
export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .argument('<service>', SERVICES.join(' | '))
    .description(
      "check that this host's service is up (exit 0) or say what is wrong (exit 1): for health checks",
    )
    .action(async (service: string) => {
      if (!(SERVICES as readonly string[]).includes(service))
        throw new InputError(`service '${service}' must be one of ${SERVICES.join(', ')}`);
      const config = loadConfig();
      const problem = await check(service as Service, config);
      if (problem) {
        process.stderr.write(`unhealthy: ${service}: ${problem}\n`);
        process.exitCode = 1;
        return;
      }
      console.log(`ok: ${service}`);
    });
}

async function check(service: Service, config: ReturnType<typeof loadConfig>): Promise<string | null> {
  switch (service) {
    case 'portal':
      return httpOk(`http://127.0.0.1:${config.PORTAL_PORT}/healthz`);
    case 'api':
      return httpOk(`http://127.0.0.1:${config.CONTROL_API_PORT}/healthz`);
    case 'simulator':
      return httpOk(`http://127.0.0.1:${new URL(config.SIMULATOR_URL).port || 80}/healthz`);
    case 'smtp-sink':
      return tcpOk(Number(new URL(config.SMTP_URL).port || 25));
    case 'worker': {
      const { connectClient } = await import('../../config/temporal');
      const client = await connectClient(config).catch((err: Error) => err);
      if (client instanceof Error) return `Temporal at ${config.TEMPORAL_ADDRESS}: ${client.message}`;
      try {
        const { temporal } = await import('@temporalio/proto');
        const queue = await client.workflowService.describeTaskQueue({
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        const mine = (queue.pollers ?? []).filter((p) =>
          String(p.identity ?? '').endsWith(`@${os.hostname()}`),
        );
        return mine.length
          ? null
          : `no worker of this host (${os.hostname()}) polls task queue ${config.TEMPORAL_TASK_QUEUE}`;
      } finally {
        await client.connection.close();
      }
    }
  }
}
