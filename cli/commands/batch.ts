import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import type { Config } from '../../config/config';
import { loadConfig } from '../../config/config';
import { connectClient } from '../../config/temporal';
import type { Db } from '../../db/connection';
import { assertPlan, type PlanRequest } from '../../domain/batch-plan';
import { reminderInstant } from '../../domain/calendar';
import { parseDuration } from '../../domain/duration';
import { ConflictError, InputError, NotFoundError } from '../../domain/errors';
import { formatHk, parseHkTime } from '../../domain/time';
import { readBatch, type BatchView } from '../../stores/batch-read';
import { FINAL_STATUSES } from '../../stores/batch-store';
import { requireRole, type Role } from '../../stores/operator-store';
import {
  abortBatchUpdate, approveBatchUpdate, batchMigration, overrideReadinessUpdate, pauseBatchUpdate, rejectBatchUpdate, rescheduleBatchUpdate, resumeBatchUpdate,
} from '../../workflows/batch-migration';
import { BATCH_ID } from '../../workflows/search-attributes';
import { moveOptions, printJson, withDb, withTemporal } from '../context';
import { refusalsAsDomainErrors } from '../temporal-errors';
import { registerDryRunCommand } from './dry-run';

export const batchWorkflowId = (id: string) => `batch-${id}`;

export interface PlanOptions {
  id: string;
  name: string;
  at: string;
  folders: string;
  as: string;
  onFailure: string;
  concurrency: string;
  minNotice?: string;
  allowNonBusinessDay?: boolean;
  maxNotReady?: string;
}

/** "--max-not-ready 10" (firms) or "--max-not-ready 5%". */
export function parseMaxNotReady(raw: string | undefined): { count: number } | { percent: number } | null {
  if (raw === undefined) return null;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw.trim());
  if (!m || (m[2] === '' && !Number.isInteger(Number(m[1]))) || (m[2] === '%' && Number(m[1]) > 100)) {
    throw new InputError(`--max-not-ready '${raw}' must be a number of firms (e.g. 10) or a percentage (e.g. 5%)`);
  }
  return m[2] === '%' ? { percent: Number(m[1]) } : { count: Number(m[1]) };
}

/** Validates and records a plan, then starts its workflow, all or nothing. Returns the stored batch. */
export async function planBatch(db: Db, client: Client, config: Config, opts: PlanOptions): Promise<BatchView> {
  if (opts.onFailure !== 'continue' && opts.onFailure !== 'halt') throw new InputError(`--on-failure must be continue or halt, not '${opts.onFailure}'`);
  const maxNotReady = parseMaxNotReady(opts.maxNotReady);
  const req: PlanRequest = {
    id: opts.id,
    name: opts.name,
    plannedAt: parseHkTime(opts.at),
    folders: opts.folders.split(',').map((f) => f.trim().toUpperCase()).filter(Boolean),
    requestedBy: opts.as,
    failurePolicy: opts.onFailure,
    concurrency: Number(opts.concurrency),
    minNoticeMs: opts.minNotice !== undefined ? parseDuration(opts.minNotice) : config.minNoticeMs,
    allowNonBusinessDay: Boolean(opts.allowNonBusinessDay),
  };
  await requireRole(db, opts.as, 'planner');
  const rows = await db('folders as f')
    .leftJoin('batch_folders as bf', function () {
      this.on('bf.folder_code', 'f.code').andOn(db.raw('bf.active'));
    })
    .whereIn('f.code', req.folders)
    .select('f.code', 'f.placement', 'bf.batch_id');
  assertPlan(req, {
    now: DateTime.utc(),
    folders: new Map(rows.map((r) => [r.code, { placement: r.placement, activeBatch: r.batch_id }])),
    batchExists: Boolean(await db('batches').where({ id: req.id }).first('id')),
  });
  try {
    await db.transaction(async (trx) => {
      await trx('batches').insert({
        id: req.id, name: req.name, planned_at: req.plannedAt.toJSDate(), requested_by: req.requestedBy,
        failure_policy: req.failurePolicy, concurrency: req.concurrency, workflow_id: batchWorkflowId(req.id),
      });
      await trx('batch_folders').insert(req.folders.map((code) => ({ batch_id: req.id, folder_code: code })));
      await trx('events').insert({ actor: req.requestedBy, entity_type: 'batch', entity_id: req.id, to_state: 'awaiting_approval', reason: `planned: ${req.folders.join(', ')}`, workflow_id: batchWorkflowId(req.id) });
      // Started inside the transaction: if Temporal refuses, nothing is recorded.
      await refusalsAsDomainErrors(`batch ${req.id}`, () =>
        client.workflow.start(batchMigration, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          workflowId: batchWorkflowId(req.id),
          args: [{
            batchId: req.id, name: req.name, plannedAt: req.plannedAt.toISO()!, reminderAt: reminderInstant(req.plannedAt).toISO()!,
            folders: req.folders, requestedBy: req.requestedBy, failurePolicy: req.failurePolicy, concurrency: req.concurrency,
            moveOptions: moveOptions(config),
            maxNotReady,
          }],
          typedSearchAttributes: [{ key: BATCH_ID, value: req.id }],
        }), { alreadyStarted: `a workflow for batch ${req.id} already exists: choose another --id` });
    });
  } catch (err) {
    if ((err as { constraint?: string }).constraint === 'batch_folders_one_active_plan_idx') {
      throw new ConflictError('a folder of this plan was planned in another batch a moment ago (one plan per folder): check with ecp-cutover folders', { cause: err });
    }
    throw err;
  }
  return (await readBatch(db, req.id))!;
}

async function mustRead(db: Db, id: string): Promise<BatchView> {
  const b = await readBatch(db, id);
  if (!b) throw new NotFoundError(`no batch ${id}: list folders and plans with 'ecp-cutover folders'`);
  return b;
}

/**
 * Sends one Update to a batch's workflow; a refusal comes back as one clear line (exit 2). The operator's
 * role is checked here first (the workflow checks it again): a refused request then leaves no trace in the
 * workflow's history either.
 */
async function update<A>(id: string, what: string, def: UpdateDefinition<unknown, [A]>, args: A, as: { operator: string; role: Role }) {
  const config = loadConfig();
  const batch = await withDb(async (db) => {
    const b = await mustRead(db, id);
    await requireRole(db, as.operator, as.role);
    return b;
  });
  // A finished batch's workflow has closed: say so, rather than "no such workflow".
  if (FINAL_STATUSES.includes(batch.status)) throw new ConflictError(`batch ${id} is ${batch.status}: it has finished, so there is no ${what} to make`);
  const client = await connectClient(config);
  try {
    return await refusalsAsDomainErrors(`${what} of batch ${id}`, () => client.workflow.getHandle(batchWorkflowId(id)).executeUpdate(def, { args: [args] }));
  } finally {
    await client.connection.close();
  }
}

export function renderBatch(b: BatchView): string {
  const done = b.folders.filter((f) => ['live', 'failed', 'skipped', 'aborted'].includes(f.status)).length;
  const width = 30;
  const bar = '#'.repeat(Math.round((done / Math.max(1, b.folders.length)) * width)).padEnd(width, '.');
  const lines = [
    `batch ${b.id} "${b.name}": ${b.status}`,
    `planned ${formatHk(b.plannedAt)} by ${b.requestedBy}; approved by ${b.approvedBy ?? '-'}; on failure ${b.failurePolicy}; concurrency ${b.concurrency}`,
    `[${bar}] ${done}/${b.folders.length} done, ${b.folders.filter((f) => f.status === 'live').length} live`,
    ...b.folders.map((f) => `  ${f.code.padEnd(10)} ${f.status.padEnd(8)} ${(f.step ?? '').padEnd(16)} ${f.freezeWindowMs === null ? '' : `freeze ${f.freezeWindowMs} ms`}${f.failure ? `  ${f.failure}` : ''}`),
  ];
  return lines.join('\n');
}

export function registerBatchCommands(program: Command): void {
  const batch = program.command('batch').description('plan, approve, run and watch batches of folders');

  batch
    .command('plan')
    .description('plan a batch; a second operator approves it; it runs at the planned Hong Kong time')
    .requiredOption('--id <id>', 'batch id, e.g. B2')
    .requiredOption('--name <name>', 'a name people recognise')
    .requiredOption('--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time (or add a zone)')
    .requiredOption('--folders <codes>', 'comma-separated folder codes')
    .requiredOption('--as <operator>', 'who plans (a planner)')
    .option('--on-failure <policy>', 'continue (others go on) or halt (no new folder starts)', 'continue')
    .option('--concurrency <n>', 'folders cut over at the same time', '5')
    .option('--min-notice <duration>', 'override the notice period (MIN_NOTICE), e.g. 1m for a demo')
    .option('--allow-non-business-day', 'allow a weekend or Hong Kong public holiday')
    .option('--max-not-ready <n|p%>', 'readiness policy: above this many (or this share of) affected firms not ready, the batch waits blocked')
    .action(async (opts: PlanOptions) => {
      const b = await withTemporal((db, client, config) => planBatch(db, client, config, opts));
      console.log(`batch ${b.id} planned for ${formatHk(b.plannedAt)} with ${b.folders.length} folder(s); awaiting approval by a second operator:\n  ecp-cutover batch approve ${b.id} --as <approver>`);
    });

  batch
    .command('approve')
    .argument('<id>')
    .requiredOption('--as <operator>', 'an approver other than the planner')
    .description('approve a planned batch (four eyes)')
    .action(async (id: string, opts: { as: string }) => {
      await update(id, 'approval', approveBatchUpdate, { approver: opts.as }, { operator: opts.as, role: 'approver' });
      console.log(`batch ${id} approved by ${opts.as}; participants are told; it runs at its planned time (watch: ecp-cutover batch status ${id} --watch)`);
    });

  batch
    .command('reject')
    .argument('<id>')
    .requiredOption('--as <operator>', 'an approver')
    .requiredOption('--reason <text>', 'why')
    .description('reject a batch that has not started')
    .action(async (id: string, opts: { as: string; reason: string }) => {
      await update(id, 'rejection', rejectBatchUpdate, { by: opts.as, reason: opts.reason }, { operator: opts.as, role: 'approver' });
      console.log(`batch ${id} rejected by ${opts.as}`);
    });

  batch
    .command('reschedule')
    .argument('<id>')
    .requiredOption('--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time')
    .requiredOption('--as <operator>', 'a planner')
    .description('move a batch that has not started (voids its approval)')
    .action(async (id: string, opts: { at: string; as: string }) => {
      const at = parseHkTime(opts.at);
      if (at <= DateTime.utc()) throw new InputError(`${formatHk(at.toISO())} is in the past`);
      await update(id, 'reschedule', rescheduleBatchUpdate, { by: opts.as, plannedAt: at.toISO()!, reminderAt: reminderInstant(at).toISO()! }, { operator: opts.as, role: 'planner' });
      console.log(`batch ${id} moved to ${formatHk(at.toISO())}; its approval is void: ecp-cutover batch approve ${id} --as <approver>`);
    });

  for (const [name, def, done] of [
    ['pause', pauseBatchUpdate, 'paused: no new folder starts; running ones finish'],
    ['resume', resumeBatchUpdate, 'resumed'],
  ] as const) {
    batch
      .command(name)
      .argument('<id>')
      .requiredOption('--as <operator>', 'a planner')
      .description(`${name} a running batch`)
      .action(async (id: string, opts: { as: string }) => {
        await update(id, name, def, { by: opts.as }, { operator: opts.as, role: 'planner' });
        console.log(`batch ${id} ${done}`);
      });
  }

  batch
    .command('abort')
    .argument('<id>')
    .requiredOption('--as <operator>', 'a planner')
    .option('--reason <text>', 'why', 'aborted by an operator')
    .description('abort a batch: folders not started stay on legacy; started ones finish or compensate')
    .action(async (id: string, opts: { as: string; reason: string }) => {
      await update(id, 'abort', abortBatchUpdate, { by: opts.as, reason: opts.reason }, { operator: opts.as, role: 'planner' });
      console.log(`batch ${id}: abort requested; folders not started stay on legacy`);
    });

  batch
    .command('override-readiness')
    .argument('<id>')
    .requiredOption('--as <operator>', 'an approver')
    .requiredOption('--reason <text>', 'why the batch may run with firms not ready')
    .description('let a batch blocked on readiness run anyway')
    .action(async (id: string, opts: { as: string; reason: string }) => {
      await update(id, 'readiness override', overrideReadinessUpdate, { by: opts.as, reason: opts.reason }, { operator: opts.as, role: 'approver' });
      console.log(`batch ${id}: readiness overridden by ${opts.as}; it runs now`);
    });

  batch
    .command('status')
    .argument('<id>')
    .option('--watch', 'refresh until the batch is final')
    .option('--json', 'machine-readable output')
    .description('a batch and each of its folders (from PostgreSQL)')
    .action(async (id: string, opts: { watch?: boolean; json?: boolean }) => {
      await withDb(async (db) => {
        for (;;) {
          const b = await mustRead(db, id);
          const final = FINAL_STATUSES.includes(b.status);
          if (opts.json) printJson(b);
          else process.stdout.write((opts.watch && process.stdout.isTTY ? '\x1b[2J\x1b[H' : '') + renderBatch(b) + '\n');
          if (!opts.watch || final) return;
          await new Promise((r) => setTimeout(r, 1000));
        }
      });
    });

  registerDryRunCommand(batch);
}
