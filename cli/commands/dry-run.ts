import type { Command } from 'commander';
import { NotFoundError } from '../../domain/errors';
import { formatHk, hkDate } from '../../domain/time';
import { readBatch } from '../../stores/batch-read';
import { batchReadiness } from '../../stores/readiness';
import { printJson, withDb } from '../context';

const STEPS = ['freeze legacy intake', 'drain in-flight submissions (or hand them over, checksums verified)', 'enable on ECP 2.0', 'verify (ECP 2.0 accepts, legacy refuses)', 'disable and hide on legacy', 'mark live'];

/** `batch dry-run ID`: what a batch would do, computed from PostgreSQL, changing nothing. */
export function registerDryRunCommand(batch: Command): void {
  batch
    .command('dry-run')
    .argument('<id>')
    .option('--json', 'machine-readable output, with the list of affected participants')
    .description('show what a batch will do: steps, affected participants, readiness gaps, portal and appendix changes')
    .action(async (id: string, opts: { json?: boolean }) => {
      const report = await withDb(async (db) => {
        const b = await readBatch(db, id);
        if (!b) throw new NotFoundError(`no batch ${id}`);
        const readiness = new Map((await batchReadiness(db, id)).map((r) => [r.code, r]));
        const folders = await db('folders').whereIn('code', b.folders.map((f) => f.code)).orderBy('code');
        return {
          batch: { id: b.id, name: b.name, status: b.status, plannedAt: b.plannedAt },
          steps: STEPS,
          folders: folders.map((f) => ({
            code: f.code,
            name: f.name_en,
            placement: f.placement,
            affectedParticipants: readiness.get(f.code)?.affected ?? [],
            notReady: readiness.get(f.code)?.notReady ?? [],
            portal: { from: 'on legacy ECP', to: `on ECP 2.0 since ${formatHk(b.plannedAt)}` },
            appendixRow: { market: f.market, folder: f.name_en, code: f.code, dateMoved: hkDate(b.plannedAt), batch: b.id },
          })),
        };
      });
      if (opts.json) return printJson(report);
      const all = new Set(report.folders.flatMap((f) => f.affectedParticipants));
      console.log(`dry run of batch ${report.batch.id} "${report.batch.name}" (${report.batch.status}), planned ${formatHk(report.batch.plannedAt)} — nothing is changed`);
      console.log(`\nsteps for each folder:\n${STEPS.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`);
      console.log(`\naffected participants: ${all.size} (list them with --json)`);
      for (const f of report.folders) {
        console.log(`\n${f.code}  ${f.name}  [${f.placement}]`);
        console.log(`  affected: ${f.affectedParticipants.length}; not ready: ${f.notReady.length}${f.notReady.length ? ` (e.g. ${f.notReady.slice(0, 3).map((n) => n.participant).join(', ')})` : ''}`);
        console.log(`  portal: ${f.portal.from} → ${f.portal.to}`);
        console.log(`  appendix 7.3 adds: ${f.appendixRow.market} | ${f.appendixRow.folder} | ${f.appendixRow.code} | ${f.appendixRow.dateMoved} | ${f.appendixRow.batch}`);
      }
    });
}
