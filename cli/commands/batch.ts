import type { Command } from 'commander';
import { abortBatch, approveBatch, dryRun, mustRead, overrideReadiness, pauseBatch, planBatch, rejectBatch, rescheduleBatch, resumeBatch } from '../../app/batches';
import type { AppDeps, Operator } from '../../app/context';
import { isFinalBatch } from '../../domain/batch-lifecycle';
import { formatHk } from '../../domain/time';
import type { BatchView } from '../../stores/batch-read';
import { operatorNamed, printJson, withApp } from '../context';

export function renderBatch(b: BatchView): string {
  const done = b.folders.filter((f) => ['live', 'failed', 'skipped', 'aborted'].includes(f.status)).length;
  const width = 30;
  const bar = '#'.repeat(Math.round((done / Math.max(1, b.folders.length)) * width)).padEnd(width, '.');
  const lines = [
    `batch ${b.id} "${b.name}": ${b.status}${b.reason && isFinalBatch(b.status) ? ` (${b.reason})` : ''}`,
    `planned ${formatHk(b.plannedAt)} by ${b.requestedBy}; approved by ${b.approvedBy ?? '-'}; on failure ${b.failurePolicy}; concurrency ${b.concurrency}`,
    `[${bar}] ${done}/${b.folders.length} done, ${b.folders.filter((f) => f.status === 'live').length} live`,
    ...b.folders.map((f) => `  ${f.code.padEnd(10)} ${f.status.padEnd(8)} ${(f.step ?? '').padEnd(16)} ${f.freezeWindowMs === null ? '' : `freeze ${f.freezeWindowMs} ms`}${f.failure ? `  ${f.failure}` : ''}`),
  ];
  return lines.join('\n');
}

/** Runs a use-case as the operator named by --as. */
const as = <T>(name: string, fn: (deps: AppDeps, op: Operator) => Promise<T>) => withApp(async (deps) => fn(deps, await operatorNamed(deps.db, name)));

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
    .action(async (opts: { id: string; name: string; at: string; folders: string; as: string; onFailure: string; concurrency: string; minNotice?: string; allowNonBusinessDay?: boolean; maxNotReady?: string }) => {
      const b = await as(opts.as, (deps, op) => planBatch(deps, op, { ...opts, folders: opts.folders.split(','), concurrency: Number(opts.concurrency) }));
      console.log(`batch ${b.id} planned for ${formatHk(b.plannedAt)} with ${b.folders.length} folder(s); awaiting approval by a second operator:\n  ecp-cutover batch approve ${b.id}`);
    });

  batch
    .command('approve')
    .argument('<id>')
    .requiredOption('--as <operator>', 'an approver other than the planner')
    .description('approve a planned batch (four eyes)')
    .action(async (id: string, opts: { as: string }) => {
      await as(opts.as, (deps, op) => approveBatch(deps, op, id));
      console.log(`batch ${id} approved by ${opts.as}; participants are told; it runs at its planned time (watch: ecp-cutover batch status ${id} --watch)`);
    });

  batch
    .command('reject')
    .argument('<id>')
    .requiredOption('--as <operator>', 'an approver')
    .requiredOption('--reason <text>', 'why')
    .description('reject a batch awaiting approval (an approved batch is stopped with abort)')
    .action(async (id: string, opts: { as: string; reason: string }) => {
      await as(opts.as, (deps, op) => rejectBatch(deps, op, id, opts.reason));
      console.log(`batch ${id} rejected by ${opts.as}; its folders stay on legacy`);
    });

  batch
    .command('reschedule')
    .argument('<id>')
    .requiredOption('--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time')
    .requiredOption('--as <operator>', 'a planner')
    .description('move a batch that has not started (voids its approval)')
    .action(async (id: string, opts: { at: string; as: string }) => {
      const b = await as(opts.as, (deps, op) => rescheduleBatch(deps, op, id, opts.at));
      console.log(`batch ${id} moved to ${formatHk(b.plannedAt)}; its approval is void: ecp-cutover batch approve ${id}`);
    });

  for (const [name, run, done] of [
    ['pause', pauseBatch, 'paused: no new folder starts; running ones finish'],
    ['resume', resumeBatch, 'resumed'],
  ] as const) {
    batch
      .command(name)
      .argument('<id>')
      .requiredOption('--as <operator>', 'a planner')
      .description(`${name} a running batch`)
      .action(async (id: string, opts: { as: string }) => {
        await as(opts.as, (deps, op) => run(deps, op, id));
        console.log(`batch ${id} ${done}`);
      });
  }

  batch
    .command('abort')
    .argument('<id>')
    .requiredOption('--as <operator>', 'a planner or an approver')
    .option('--reason <text>', 'why', 'aborted by an operator')
    .description('stop a batch: before its start every folder stays on legacy; while it runs, folders not started stay on legacy and started ones finish or compensate')
    .action(async (id: string, opts: { as: string; reason: string }) => {
      const b = await as(opts.as, (deps, op) => abortBatch(deps, op, id, opts.reason));
      console.log(b.status === 'aborting' ? `batch ${id} aborting: folders not started stay on legacy; started ones finish` : `batch ${id} ${b.status}: every folder stays on legacy`);
    });

  batch
    .command('override-readiness')
    .argument('<id>')
    .requiredOption('--as <operator>', 'an approver other than the planner')
    .requiredOption('--reason <text>', 'why the batch may run with firms not ready')
    .description('let a batch blocked on readiness run anyway')
    .action(async (id: string, opts: { as: string; reason: string }) => {
      await as(opts.as, (deps, op) => overrideReadiness(deps, op, id, opts.reason));
      console.log(`batch ${id}: readiness overridden by ${opts.as}; it runs now`);
    });

  batch
    .command('status')
    .argument('<id>')
    .option('--watch', 'refresh until the batch is final')
    .option('--json', 'machine-readable output')
    .description('a batch and each of its folders (from PostgreSQL)')
    .action(async (id: string, opts: { watch?: boolean; json?: boolean }) => {
      await withApp(async (deps) => {
        for (;;) {
          const b = await mustRead(deps, id);
          if (opts.json) printJson(b);
          else process.stdout.write((opts.watch && process.stdout.isTTY ? '\x1b[2J\x1b[H' : '') + renderBatch(b) + '\n');
          if (!opts.watch || isFinalBatch(b.status)) return;
          await new Promise((r) => setTimeout(r, 1000));
        }
      });
    });

  batch
    .command('dry-run')
    .argument('<id>')
    .option('--json', 'machine-readable output, with the list of affected participants')
    .description('show what a batch will do: steps, affected participants, readiness gaps, portal and appendix changes')
    .action(async (id: string, opts: { json?: boolean }) => {
      const report = await withApp((deps) => dryRun(deps, id));
      if (opts.json) return printJson(report);
      const all = new Set(report.folders.flatMap((f) => f.affectedParticipants));
      console.log(`dry run of batch ${report.batch.id} "${report.batch.name}" (${report.batch.status}), planned ${formatHk(report.batch.plannedAt)} — nothing is changed`);
      console.log(`\nsteps for each folder:\n${report.steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`);
      console.log(`\naffected participants: ${all.size} (list them with --json)`);
      for (const f of report.folders) {
        console.log(`\n${f.code}  ${f.name}  [${f.placement}]`);
        console.log(`  affected: ${f.affectedParticipants.length}; not ready: ${f.notReady.length}${f.notReady.length ? ` (e.g. ${f.notReady.slice(0, 3).map((n) => n.participant).join(', ')})` : ''}`);
        console.log(`  portal: ${f.portal.from} → ${f.portal.to}`);
        console.log(`  appendix 7.3 adds: ${f.appendixRow.market} | ${f.appendixRow.folder} | ${f.appendixRow.code} | ${f.appendixRow.dateMoved} | ${f.appendixRow.batch}`);
      }
    });
}
