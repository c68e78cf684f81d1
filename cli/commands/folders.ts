import type { Command } from 'commander';
import { PLACEMENTS } from '../../domain/placement';
import { formatHk } from '../../domain/time';
import type { Placement } from '../../domain/placement';
import { api, printJson, printTable } from '../context';
import { registerRollbackCommands } from './rollback';

export function registerFolderCommands(program: Command): void {
  program
    .command('folders')
    .description('every folder and where it lives now')
    .option('--status <placement>', `only folders in this placement (${PLACEMENTS.join(', ')})`)
    .option('--json', 'machine-readable output')
    .action(async (opts: { status?: string; json?: boolean }) => {
      const folders = await api().call('GET /api/folders', {
        query: { status: opts.status as Placement | undefined },
      });
      if (opts.json) return printJson(folders);
      printTable(
        ['CODE', 'PLACEMENT', 'SINCE', 'BATCH', 'MARKET', 'NAME', 'DRIFT'],
        folders.map((f) => [
          f.code,
          f.placement,
          f.liveSince ? formatHk(f.liveSince) : '',
          f.plannedBatch?.id,
          f.market,
          f.nameEn,
          f.drifts.join(', '),
        ]),
      );
      const counts = PLACEMENTS.map(
        (p) => [p, folders.filter((f) => f.placement === p).length] as const,
      ).filter(([, n]) => n > 0);
      const drifted = folders.filter((f) => f.drifts.length).length;
      console.log(
        `\n${folders.length} folders: ${counts.map(([p, n]) => `${n} ${p}`).join(', ')}${drifted ? `; ${drifted} with drift open ('ecp-cutover reconcile')` : ''}`,
      );
    });

  const folder = program
    .command('folder')
    .description('one folder: placement, batch, dates, freeze window, last events')
    .argument('<code>', 'folder code, e.g. SD1')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { json?: boolean }) => {
      const out = await api().call('GET /api/folders/{code}', { params: { code } });
      if (opts.json) return printJson(out);
      const { folder: f, runs, events, drifts } = out;
      console.log(`${f.code}  ${f.nameEn}\n      ${f.nameZh}`);
      console.log(
        `market ${f.market}; user types ${f.userTypes.join(', ')}; function ${f.ccFunction ?? '-'}`,
      );
      console.log(
        `placement: ${f.placement} since ${formatHk(f.placementChangedAt)}${f.liveSince ? `; live on ECP 2.0 since ${formatHk(f.liveSince)}` : ''}`,
      );
      if (f.plannedBatch)
        console.log(
          `planned: batch ${f.plannedBatch.id} at ${formatHk(f.plannedBatch.plannedAt)} (${f.plannedBatch.status})`,
        );
      if (f.lastFailure) console.log(`last failure: ${f.lastFailure}`);
      for (const d of drifts.filter((x) => !x.resolvedAt))
        console.log(`DRIFT (${d.kind}, since ${formatHk(d.detectedAt)}): ${d.detail}`);
      if (runs.length) {
        console.log('\nruns:');
        printTable(
          ['KIND', 'BATCH', 'STATUS', 'STEP', 'STARTED', 'FREEZE'],
          runs.map((r) => [
            r.kind,
            r.batchId,
            r.status,
            r.step,
            formatHk(r.startedAt),
            r.freezeWindowMs === null ? '' : `${r.freezeWindowMs} ms`,
          ]),
        );
      }
      if (events.length) {
        console.log('\nlast events:');
        printTable(
          ['AT', 'ACTOR', 'FROM', 'TO', 'REASON'],
          events.map((e) => [formatHk(e.at), e.actor, e.from, e.to, e.reason]),
        );
      }
    });
  registerRollbackCommands(folder);
}
