import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { formatHk } from '../../domain/time';
import { api, printJson, printTable } from '../context';

/**
 * `ecp-cutover reconcile`: one reconciler pass now, through the control API (the worker runs it). Exit code 0
 * when clean, 1 when the pass found drift or any is still open (a monitoring job can run it). `--ensure-schedule` is
 * host-local: it creates or updates the Temporal Schedule that runs a pass every RECONCILE_INTERVAL.
 */
export function registerReconcileCommand(program: Command): void {
  program
    .command('reconcile')
    .description('compare each folder with both platforms now; exit 1 if drift was found or is open')
    .option('--json', 'machine-readable output')
    .option(
      '--ensure-schedule',
      'host-local: create or update the Schedule that reconciles every RECONCILE_INTERVAL, and stop',
    )
    .option('--as <operator>', 'assert who you are signed in as')
    .action(async (opts: { json?: boolean; ensureSchedule?: boolean; as?: string }) => {
      if (opts.ensureSchedule) {
        const config = loadConfig();
        const [{ connectClient }, { ensureReconcileSchedule }] = await Promise.all([
          import('../../config/temporal'),
          import('../../app/reconcile'),
        ]);
        const client = await connectClient(config);
        try {
          const what = await ensureReconcileSchedule(client, config);
          console.log(`reconcile schedule ${what}: a pass every ${config.RECONCILE_INTERVAL}`);
        } finally {
          await client.connection.close();
        }
        return;
      }
      const s = await api(opts).call('POST /api/reconcile');
      if (opts.json) printJson(s);
      else {
        console.log(
          `reconciled ${s.folders} folders in ${s.durationMs} ms: ${s.detected.length} drift(s) found, ${s.resolved.length} resolved, ${s.openCount} open; ${s.moving.length} moving (looked at next pass)`,
        );
        for (const d of s.detected.filter((x) => x.action))
          console.log(`acted: ${d.folder} ${d.kind}: ${d.action}`);
        if (s.unreadable.length)
          console.log(`could not read: ${s.unreadable.map((u) => `${u.folder} (${u.error})`).join(', ')}`);
        if (s.open.length)
          printTable(
            ['FOLDER', 'DRIFT', 'SINCE', 'DETAIL'],
            s.open.map((d) => [d.folder, d.kind, formatHk(d.detectedAt), d.detail]),
          );
      }
      // 1: drift found by this pass (even one it closed at once) or still open.
      if (s.detected.length > 0 || s.openCount > 0) process.exitCode = 1;
    });
  program
    .command('drifts')
    .description('drift episodes: the open ones (--all: the last 200), and the last pass')
    .option('--all', 'resolved ones too')
    .option('--json', 'machine-readable output')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const v = await api().call('GET /api/drifts', { query: { all: opts.all ? 'true' : undefined } });
      if (opts.json) return printJson(v);
      console.log(
        v.lastPass
          ? `last pass ${formatHk(v.lastPass.at)} (${v.lastPass.trigger}, ${v.lastPass.durationMs} ms): ${v.lastPass.openDrifts} open`
          : 'no reconciler pass yet',
      );
      printTable(
        ['FOLDER', 'DRIFT', 'SINCE', 'RESOLVED', 'ACTION', 'DETAIL'],
        v.drifts.map((d) => [
          d.folder,
          d.kind,
          formatHk(d.detectedAt),
          d.resolvedAt ? formatHk(d.resolvedAt) : '',
          d.action,
          d.detail,
        ]),
      );
    });
}
