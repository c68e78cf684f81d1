import pino from 'pino';
import type { Config } from '../config/config';

export type Log = pino.Logger;

/**
 * Structured logs: one JSON object a line on stdout (level, time, component, msg, and fields such as
 * workflowId, runId, batchId, folder, operator), for the log pipeline; `LOG_FORMAT=pretty` prints the same as
 * one readable line for people. Written synchronously, so that the last lines before an exit are not lost.
 */
export function createLog(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>, component: string): Log {
  const out =
    config.LOG_FORMAT === 'pretty'
      ? { write: (line: string) => void process.stdout.write(pretty(line)) }
      : pino.destination({ fd: 1, sync: true });
  return pino(
    {
      level: config.LOG_LEVEL,
      base: { component },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    out,
  );
}

function pretty(line: string): string {
  const { time, level, component, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(time)} ${String(level).toUpperCase().padEnd(5)} ${String(component)}: ${String(msg)}${rest ? `  ${rest}` : ''}\n`;
}

/**
 * The ids a workflow id carries unambiguously (domain/workflow-ids.ts): batch-<id> its batch, rollback-<folder>
 * and repair-<folder> their folder. A cutover's `cutover-<batch>-<folder>` stays whole in workflowId: batch ids
 * and folder codes may both contain '-'; the move's own log lines name the folder.
 */
export function idsOf(workflowId: unknown): { batchId?: string; folder?: string } {
  if (typeof workflowId !== 'string') return {};
  const m = /^(batch|rollback|repair)-(.+)$/.exec(workflowId);
  if (!m) return {};
  return m[1] === 'batch' ? { batchId: m[2] } : { folder: m[2] };
}
