import type { Command } from 'commander';
import fs from 'node:fs';
import { isFinalBatch } from '../../domain/batch-lifecycle';
import { InputError } from '../../domain/errors';
import { formatHk } from '../../domain/time';
import type { RouteKey } from '../../contract/api';
import type { BatchView, RehearsalView } from '../../contract/views';
import { api, printJson, printTable } from '../context';

export function renderBatch(b: BatchView): string {
  const done = b.folders.filter((f) => ['live', 'failed', 'skipped', 'aborted'].includes(f.status)).length;
  const width = 30;
  const bar = '#'.repeat(Math.round((done / Math.max(1, b.folders.length)) * width)).padEnd(width, '.');
  const lines = [
    `batch ${b.id} "${b.name}": ${b.status}${b.reason && isFinalBatch(b.status) ? ` (${b.reason})` : ''}`,
    `planned ${formatHk(b.plannedAt)} by ${b.requestedBy}; approved by ${b.approvedBy ?? '-'}; on failure ${b.failurePolicy}; concurrency ${b.concurrency}`,
    `[${bar}] ${done}/${b.folders.length} done, ${b.folders.filter((f) => f.status === 'live').length} live`,
    ...b.folders.map(
      (f) =>
        `  ${f.code.padEnd(10)} ${f.status.padEnd(8)} ${(f.step ?? '').padEnd(16)} ${f.freezeWindowMs === null ? '' : `freeze ${f.freezeWindowMs} ms`}${f.failure ? `  ${f.failure}` : ''}`,
    ),
    ...b.retires.map((f) => `  ${f.code.padEnd(10)} ${f.status.padEnd(8)} ${RETIRE_STATUS[f.status](f)}`),
  ];
  return lines.join('\n');
}

const RETIRE_STATUS: Record<
  BatchView['retires'][number]['status'],
  (f: BatchView['retires'][number]) => string
> = {
  pending: () => 'to be closed and hidden on legacy at the start (retired, not moved)',
  retired: (f) => `closed and hidden on legacy at ${formatHk(f.retiredAt!)}`,
  refused: (f) => `not retired, the platform refused: ${f.failure}`,
  not_retired: () => 'not retired: the batch ended before its start',
};
const codes = (list: string | undefined) =>
  (list ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
const AS = ['--as <operator>', 'assert who you are signed in as (refused if you are someone else)'] as const;
type As = { as?: string };

export function registerBatchCommands(program: Command): void {
  const batch = program.command('batch').description('plan, approve, run and watch batches of folders');

  batch
    .command('plan')
    .description('plan a batch; a second operator approves it; it runs at the planned Hong Kong time')
    .requiredOption('--id <id>', 'batch id, e.g. B2')
    .requiredOption('--name <name>', 'a name people recognise')
    .requiredOption('--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time (or add a zone)')
    .option('--folders <codes>', 'comma-separated folder codes to move')
    .option(
      '--retire <codes>',
      "retired folders to close and hide on legacy at the start (a rule of this tool, not the FAQ's), e.g. SDPDF,CCOLDSS",
    )
    .option(...AS)
    .option('--on-failure <policy>', 'continue (others go on) or halt (no new folder starts)', 'continue')
    .option('--concurrency <n>', 'folders cut over at the same time', '5')
    .option('--min-notice <duration>', 'override the notice period (MIN_NOTICE), e.g. 1m for a demo')
    .option('--allow-non-business-day', 'allow a weekend or Hong Kong public holiday')
    .option(
      '--max-not-ready <n|p%>',
      'readiness policy: above this many (or this share of) affected firms not ready, the batch waits blocked',
    )
    .action(
      async (
        opts: As & {
          id: string;
          name: string;
          at: string;
          folders?: string;
          retire?: string;
          onFailure: string;
          concurrency: string;
          minNotice?: string;
          allowNonBusinessDay?: boolean;
          maxNotReady?: string;
        },
      ) => {
        const concurrency = Number(opts.concurrency);
        const b = await api(opts).call('POST /api/batches', {
          body: {
            id: opts.id,
            name: opts.name,
            at: opts.at,
            folders: codes(opts.folders),
            retire: codes(opts.retire),
            onFailure: opts.onFailure,
            concurrency: Number.isFinite(concurrency) ? concurrency : (opts.concurrency as unknown as number),
            minNotice: opts.minNotice,
            allowNonBusinessDay: opts.allowNonBusinessDay,
            maxNotReady: opts.maxNotReady,
          },
        });
        const retires = b.retires.length ? `, retiring ${b.retires.map((f) => f.code).join(', ')}` : '';
        console.log(
          `batch ${b.id} planned for ${formatHk(b.plannedAt)} with ${b.folders.length} folder(s)${retires} by ${b.requestedBy}; awaiting approval by a second operator:\n  ecp-cutover batch approve ${b.id}`,
        );
      },
    );

  // `rehearse` answers with a rehearsal, not the batch: its own command below.
  type Change = Exclude<
    Extract<RouteKey, `POST /api/batches/{id}/${string}`> extends `POST /api/batches/{id}/${infer N}`
      ? N
      : never,
    'rehearse'
  >;
  const change = (
    name: Change,
    description: string,
    body: (opts: Record<string, string>) => object,
    done: (b: BatchView) => string,
    options: [string, string, boolean][] = [],
  ) => {
    const c = batch
      .command(name)
      .argument('<id>')
      .description(description)
      .option(...AS);
    for (const [flags, what, required] of options) {
      if (required) c.requiredOption(flags, what);
      else c.option(flags, what);
    }
    c.action(async (id: string, opts: Record<string, string>) => {
      const b = await api(opts).call(`POST /api/batches/{id}/${name}`, {
        params: { id },
        body: body(opts) as never,
      });
      console.log(done(b));
    });
  };
  batch
    .command('approve')
    .argument('<id>')
    .option(...AS)
    .description(
      'approve a planned batch (four eyes: not your own); it shows what you approve, and is refused if the plan changes meanwhile',
    )
    .action(async (id: string, opts: As) => {
      const client = api(opts);
      const seen = await client.call('GET /api/batches/{id}', { params: { id } });
      console.log(
        `approving batch ${seen.id} "${seen.name}": ${seen.folders.length} folder(s) (${seen.folders.map((f) => f.code).join(', ')}) at ${formatHk(seen.plannedAt)}, planned by ${seen.requestedBy}`,
      );
      // The latest rehearsal of this plan (REQUIRE_REHEARSAL refuses the approval without a good one, and says so).
      const rehearsals = await client.call('GET /api/batches/{id}/rehearsals', { params: { id } });
      console.log(rehearsals.line);
      const b = await client.call('POST /api/batches/{id}/approve', {
        params: { id },
        body: { plannedAt: seen.plannedAt },
      });
      console.log(
        `batch ${b.id} approved by ${b.approvedBy}; participants are told; it runs at ${formatHk(b.plannedAt)} (watch: ecp-cutover batch status ${b.id} --watch)`,
      );
    });
  change(
    'reject',
    'reject a batch awaiting approval (an approved batch is stopped with abort)',
    (o) => ({ reason: o.reason }),
    (b) => `batch ${b.id} rejected; its folders stay on legacy`,
    [['--reason <text>', 'why', true]],
  );
  change(
    'reschedule',
    'move a batch that has not started (voids its approval); the same rules as a plan',
    (o) => ({
      at: o.at,
      minNotice: o.minNotice,
      allowNonBusinessDay: o.allowNonBusinessDay ? true : undefined,
    }),
    (b) =>
      `batch ${b.id} moved to ${formatHk(b.plannedAt)}; its approval is void: ecp-cutover batch approve ${b.id}`,
    [
      ['--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time', true],
      ['--min-notice <duration>', 'override the notice period (MIN_NOTICE)', false],
      ['--allow-non-business-day', 'allow a weekend or Hong Kong public holiday', false],
    ],
  );
  change(
    'pause',
    'pause a running batch: no new folder starts; running ones finish',
    () => ({}),
    (b) => `batch ${b.id} paused: no new folder starts; running ones finish`,
  );
  change(
    'resume',
    'resume a paused batch',
    () => ({}),
    (b) => `batch ${b.id} resumed`,
  );
  change(
    'abort',
    'stop a batch: before its start every folder stays on legacy; while it runs, folders not started stay on legacy and started ones finish or compensate',
    (o) => ({ reason: o.reason ?? 'aborted by an operator' }),
    (b) =>
      b.status === 'aborting'
        ? `batch ${b.id} aborting: folders not started stay on legacy; started ones finish`
        : `batch ${b.id} ${b.status}: every folder stays on legacy`,
    [['--reason <text>', 'why', false]],
  );
  change(
    'override-readiness',
    'let a batch blocked on readiness run anyway (four eyes)',
    (o) => ({ reason: o.reason }),
    (b) => `batch ${b.id}: readiness overridden; it runs now`,
    [['--reason <text>', 'why the batch may run with firms not ready', true]],
  );

  batch
    .command('status')
    .argument('<id>')
    .option('--watch', 'refresh until the batch is final')
    .option('--json', 'machine-readable output')
    .description('a batch and each of its folders')
    .action(async (id: string, opts: { watch?: boolean; json?: boolean }) => {
      const client = api();
      for (;;) {
        const b = await client.call('GET /api/batches/{id}', { params: { id } });
        if (opts.json) printJson(b);
        else
          process.stdout.write(
            (opts.watch && process.stdout.isTTY ? '\x1b[2J\x1b[H' : '') + renderBatch(b) + '\n',
          );
        if (!opts.watch || isFinalBatch(b.status)) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    });

  batch
    .command('dry-run')
    .argument('<id>')
    .option('--json', 'machine-readable output, with the list of affected participants')
    .description(
      'show what a batch will do: steps, affected participants, readiness gaps, portal and appendix changes',
    )
    .action(async (id: string, opts: { json?: boolean }) => {
      const report = await api().call('GET /api/batches/{id}/dry-run', { params: { id } });
      if (opts.json) return printJson(report);
      console.log(
        `dry run of batch ${report.batch.id} "${report.batch.name}" (${report.batch.status}), planned ${formatHk(report.batch.plannedAt)} — nothing is changed`,
      );
      console.log(`\nsteps for each folder:\n${report.steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`);
      console.log(
        `\naffected participants: ${report.affected}, ${report.notReady} not ready for at least one folder (list them with --json)`,
      );
      for (const f of report.folders) {
        console.log(`\n${f.code}  ${f.name}  [${f.placement}]`);
        console.log(
          `  affected: ${f.affected}; not ready: ${f.notReadyCount}${
            f.notReady.length
              ? ` (e.g. ${f.notReady
                  .slice(0, 3)
                  .map((n) => n.participant)
                  .join(', ')})`
              : ''
          }`,
        );
        console.log(`  portal: ${f.portal.from} → ${f.portal.to}`);
        console.log(
          `  appendix 7.3 adds: ${f.appendixRow.market} | ${f.appendixRow.folder} | ${f.appendixRow.code} | ${f.appendixRow.dateMoved} | ${f.appendixRow.batch}`,
        );
      }
    });

  batch
    .command('report')
    .argument('<id>')
    .option(
      '--out <file>',
      'write the report to a file (html or csv, from its extension or --format) instead of standard output',
    )
    .option(
      '--format <f>',
      'html (one self-contained, printable file) or csv (one row per folder, then per notice kind)',
    )
    .option(
      '--rehearsal [rehearsal]',
      "the report of a rehearsal of the batch: its latest, or the one named (see 'batch rehearsals ID')",
    )
    .description(
      "a batch's report for the record: who planned and approved what and when, each folder's move and outcome, freeze windows, readiness, notices, drift",
    )
    .action(async (id: string, opts: { out?: string; format?: string; rehearsal?: string | true }) => {
      const format = opts.format ?? (opts.out?.toLowerCase().endsWith('.csv') ? 'csv' : 'html');
      if (format !== 'html' && format !== 'csv')
        throw new InputError(`--format must be html or csv, not '${format}'`);
      const client = api();
      // --rehearsal: the batch's latest rehearsal; --rehearsal RID: that one (ecp-cutover batch rehearsals ID lists them).
      const rehearsal =
        opts.rehearsal === true
          ? (await client.call('GET /api/batches/{id}/rehearsals', { params: { id } })).rehearsals[0]?.id
          : opts.rehearsal;
      if (opts.rehearsal === true && !rehearsal)
        throw new InputError(`batch ${id} has no rehearsal: run 'ecp-cutover batch rehearse ${id}' first`);
      const facts = rehearsal
        ? await client.call('GET /api/rehearsals/{id}/report', { params: { id: rehearsal } })
        : await client.call('GET /api/batches/{id}/report', { params: { id } });
      if (rehearsal && facts.batch.id !== id)
        throw new InputError(`rehearsal ${rehearsal} is of batch ${facts.batch.id}, not ${id}`);
      const [{ reportDocument }, { reportCsv }] = await Promise.all([
        import('../../console/report-page'),
        import('../../domain/report'),
      ]);
      const text = format === 'csv' ? reportCsv(facts) : reportDocument(facts);
      if (!opts.out) return void process.stdout.write(text);
      fs.writeFileSync(opts.out, text);
      console.log(
        `wrote the report of ${rehearsal ? `rehearsal ${rehearsal} of ` : ''}batch ${facts.batch.id} (${format}) to ${opts.out}`,
      );
    });

  batch
    .command('rehearse')
    .argument('<id>')
    .option(...AS)
    .option('--no-wait', 'answer once the rehearsal is recorded, without waiting for its moves')
    .option('--json', 'machine-readable output (the rehearsal as it ended)')
    .description(
      "rehearse a batch not yet started (planner): its folder moves now, through the same workflows, against the platforms' rehearsal environment; the live platforms, folders, portal and firms are untouched",
    )
    .action(async (id: string, opts: As & { wait: boolean; json?: boolean }) => {
      const client = api(opts);
      let r = await client.call('POST /api/batches/{id}/rehearse', { params: { id }, body: {} });
      if (!opts.json) console.log(`rehearsal ${r.id} of batch ${id} started against ${r.environment}`);
      while (opts.wait && r.status === 'running') {
        await new Promise((done) => setTimeout(done, 1000));
        r = await client.call('GET /api/rehearsals/{id}', { params: { id: r.id } });
      }
      if (opts.json) return printJson(r);
      console.log(renderRehearsal(r));
    });

  batch
    .command('rehearsals')
    .argument('<id>')
    .option('--json', 'machine-readable output')
    .description(
      "a batch's rehearsals, the latest first, and whether REQUIRE_REHEARSAL would let it be approved now",
    )
    .action(async (id: string, opts: { json?: boolean }) => {
      const v = await api().call('GET /api/batches/{id}/rehearsals', { params: { id } });
      if (opts.json) return printJson(v);
      console.log(v.line);
      if (v.required)
        console.log(
          v.refusal ?? `REQUIRE_REHEARSAL=${v.required}: an approval of this plan would be accepted`,
        );
      printTable(
        ['REHEARSAL', 'STARTED', 'STATUS', 'PLAN', 'FOLDERS', 'FAILURE'],
        v.rehearsals.map((r) => [
          r.id,
          formatHk(r.startedAt),
          r.status,
          r.planHash === v.planHash ? 'this plan' : 'an earlier plan',
          `${r.folders.filter((f) => f.status === 'succeeded').length}/${r.folders.length} moved`,
          r.failure ?? '',
        ]),
      );
    });
}

/** A rehearsal as the CLI prints it: outcome, duration, readiness, notices, each folder, and where its report is. */
export function renderRehearsal(r: RehearsalView): string {
  const windows = r.folders.map((f) => f.freezeWindowMs).filter((w): w is number => w !== null);
  return [
    `rehearsal ${r.id} of batch ${r.batchId} (plan for ${formatHk(r.plannedAt)}): ${r.status}${r.failure ? ` (${r.failure})` : ''}${r.durationMs === null ? '' : ` in ${(r.durationMs / 1000).toFixed(1)} s`}`,
    `against ${r.environment}; run by ${r.requestedBy} at ${formatHk(r.startedAt)}`,
    ...(r.readiness
      ? [
          `readiness (live directory, ${r.readiness.source}): ${r.readiness.notReady} of ${r.readiness.affected} affected firms not ready`,
        ]
      : []),
    ...(windows.length
      ? [`freeze windows: max ${Math.max(...windows)} ms over ${windows.length} folder(s)`]
      : []),
    ...(r.notices ? [`notices: ${r.notices}`] : []),
    ...r.folders.map(
      (f) =>
        `  ${f.code.padEnd(10)} ${f.status.padEnd(12)} ${f.freezeWindowMs === null ? '' : `freeze ${f.freezeWindowMs} ms`}${f.failure ? `  ${f.failure}` : ''}`,
    ),
    `report: ecp-cutover batch report ${r.batchId} --rehearsal ${r.id} --out rehearsal-${r.id}.html`,
  ].join('\n');
}

export function registerReadinessCommand(program: Command): void {
  program
    .command('readiness')
    .argument('<batch>', 'batch id')
    .option('--json', 'machine-readable output, with every not-ready firm')
    .description('per folder of a batch: affected firms, ready, and the not ready with what they lack')
    .action(async (id: string, opts: { json?: boolean }) => {
      const report = await api().call('GET /api/batches/{id}/readiness', { params: { id } });
      if (opts.json) return printJson(report);
      console.log(
        `batch ${id}: ${report.affected} affected firm(s), ${report.notReady} not ready for at least one folder (${report.percentNotReady.toFixed(1)}%)`,
      );
      console.log(
        report.users.source === 'client_connect'
          ? `users and functions as Client Connect had them at ${formatHk(report.users.at)}`
          : `users and functions from the imported directory: ${report.users.fallback}`,
      );
      if (report.users.disagreements)
        console.log(
          `warning: ${report.users.disagreements} firm(s) differ between Client Connect and the imported directory: ${report.users.disagreeing.join(', ')}${report.users.disagreements > report.users.disagreeing.length ? ', …' : ''}`,
        );
      if (report.shortOfAdmins)
        console.log(
          `warning: ${report.shortOfAdmins} firm(s) have fewer than two ECP administrators (FAQ B.4): ${report.adminWarnings
            .slice(0, 10)
            .map((w) => w.participant)
            .join(', ')}${report.shortOfAdmins > 10 ? ', …' : ''}`,
        );
      console.log('');
      printTable(
        ['FOLDER', 'AFFECTED', 'READY', 'NOT READY', 'E.G.'],
        report.folders.map((f) => [
          f.code,
          f.affected,
          f.ready,
          f.notReady,
          f.notReadyFirms[0] ? `${f.notReadyFirms[0].participant}: ${f.notReadyFirms[0].missing}` : '',
        ]),
      );
    });
}
