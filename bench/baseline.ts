/**
 * The benchmark's reference: the same batch as the orchestrated run, done by a straight-line script with no
 * Temporal. It calls the very activity functions the worker runs (so the database writes, platform API calls
 * and SMTP sends are the same, in the same order), inside @temporalio/testing's MockActivityEnvironment
 * (which gives them an activity context for heartbeats, without a server), with the batch's concurrency for
 * the folders. Happy path only: nothing fails in a benchmark.
 *
 * Run by bench/run.ts as its own process (like the worker):
 *   tsx bench/baseline.ts <batchId> <concurrency> <folder,folder,...>
 * with DATABASE_URL, SIMULATOR_URL and SMTP_URL set; prints {"ms": …, "cpuMs": …} on its last line.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { randomBytes } from 'node:crypto';
import { createSmtpMailer } from '../activities/mailer';
import { loadConfig } from '../config/config';
import { createDb } from '../db/connection';
import { createHttpGateway } from '../platform/http-gateway';
import { moveOptions } from '../app/options';
import { workerActivities } from '../worker/activity-deps';
import { batchWorkflowId, cutoverWorkflowId } from '../domain/workflow-ids';

const [batchId, concurrencyArg, foldersArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const folders = foldersArg.split(',');
const config = loadConfig();
const db = createDb(config.DATABASE_URL, { max: 20 });
const mailer = createSmtpMailer(config.SMTP_URL);
const a = workerActivities({
  db,
  gateway: createHttpGateway(config.SIMULATOR_URL, config.SIMULATOR_ADMIN_TOKEN),
  mailer,
  mailFrom: config.SMTP_FROM,
  commandKey: randomBytes(32) /* it verifies no command */,
});
const opts = moveOptions(config);
const run = <P extends unknown[], R>(fn: (...args: P) => Promise<R>, ...args: P): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);

// The plan, as `batch plan` records it (not timed: the orchestrated run plans before its clock starts too).
// It acts as the batch's workflow would: its id and run, so that the cutovers' checks (stores/run-store.ts) pass.
const workflowId = batchWorkflowId(batchId);
const runId = randomUUID();
await db.transaction(async (trx) => {
  await trx('batches').insert({
    id: batchId,
    name: 'baseline',
    planned_at: new Date(),
    requested_by: 'alice',
    failure_policy: 'continue',
    concurrency,
    workflow_id: workflowId,
    run_id: runId,
  });
  await trx('batch_folders').insert(folders.map((code) => ({ batch_id: batchId, folder_code: code })));
});

const started = Date.now();
// This process's CPU while it works (bench/run.ts adds PostgreSQL's, the simulator's and the sink's).
const cpuAtStart = process.cpuUsage();
let seq = 0;
const ev = (actor: string) => ({ batchId, actor, reason: null, workflowId, runId, seq: ++seq });
const notify = async (kind: 'batch_announced' | 'batch_outcome', subjectId: string) => {
  await run(a.queueBatchNotices, { kind, batchId, subjectId });
  await run(a.deliverNotices, { kind, subjectId });
  if (kind === 'batch_announced') {
    await run(a.queueReadinessNotices, { batchId, subjectId });
    await run(a.deliverNotices, { kind: 'readiness_action_needed', subjectId });
  }
};

await run(a.persistBatch, { ...ev('bob'), status: 'approved', change: 'approve' });
await notify('batch_announced', `${batchId}@planned`);
await run(a.persistBatch, { ...ev('system'), status: 'announced' });
await run(a.persistBatch, {
  ...ev('system'),
  status: 'running',
  change: 'start',
  startedAt: new Date().toISOString(),
});

const queue = [...folders];
const outcomes: Record<string, { status: 'live'; failure: null }> = {};
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let code = queue.shift(); code; code = queue.shift()) {
      const ref = {
        folderCode: code,
        kind: 'cutover' as const,
        batchId,
        actor: 'bob',
        workflowId: cutoverWorkflowId(batchId, code),
        runId,
      };
      const step = { ref, source: 'legacy' as const, target: 'ecp2' as const };
      await run(a.beginMove, { ref, reason: `cutover in batch ${batchId}`, parent: { workflowId, runId } });
      const frozenAt = Date.now();
      await run(a.freezeSource, step);
      await run(a.drainSource, {
        ...step,
        timeoutMs: Math.max(
          0,
          Math.min(opts.drainTimeoutMs, opts.freezeWindowMaxMs - (Date.now() - frozenAt) - 5_000),
        ),
      });
      await run(a.enableTarget, step);
      await run(a.verifyMove, step);
      await run(a.disableSource, step);
      await run(a.finishMove, { ref, outcome: 'succeeded', reason: null });
      outcomes[code] = { status: 'live', failure: null };
    }
  }),
);

await notify('batch_outcome', `${batchId}:outcome`);
await run(a.finishBatch, { ...ev('system'), status: 'completed', outcomes });
const ms = Date.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
mailer.close();
await db.destroy();
console.log(JSON.stringify({ ms, cpuMs: Math.round((cpu.user + cpu.system) / 1000) }));
process.exit(0);
