import type { Command } from 'commander';
import fs from 'node:fs';
import { InputError } from '../../domain/errors';
import { formatHk } from '../../domain/time';
import { EVENTS_PAGE } from '../../contract/limits';
import { api, printJson, printTable } from '../context';

/** `appendix` (the same content as the portal's /appendix/7.3) and `events` (the audit trail). */
export function registerReadSideCommands(program: Command): void {
  program
    .command('appendix')
    .description(
      'Appendix 7.3, the folders migrated to ECP 2.0 (submission and download folders apart), as the portal serves it',
    )
    .option('--format <f>', 'md, html or csv', 'md')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { format: string; out?: string }) => {
      const text = await api().call('GET /api/appendix', { query: { format: opts.format as 'md' } });
      if (opts.out) {
        fs.writeFileSync(opts.out, text);
        console.log(`wrote ${opts.out}`);
      } else process.stdout.write(text);
    });

  program
    .command('events')
    .description('the audit trail, newest first')
    .option('--folder <code>', 'events of one folder')
    .option('--batch <id>', 'events of one batch and of its folders')
    .option('--participant <code>', 'notices of one firm')
    .option('--operator <name>', 'what one operator did')
    .option('--page <n>', `page (${EVENTS_PAGE} events a page)`, '1')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        folder?: string;
        batch?: string;
        participant?: string;
        operator?: string;
        page: string;
        json?: boolean;
      }) => {
        const page = Number(opts.page);
        if (!Number.isInteger(page) || page < 1) throw new InputError('--page must be a whole number from 1');
        const rows = await api().call('GET /api/events', {
          query: {
            folder: opts.folder,
            batch: opts.batch,
            participant: opts.participant,
            operator: opts.operator,
            page,
          },
        });
        if (opts.json) return printJson(rows);
        printTable(
          ['AT', 'ACTOR', 'ENTITY', 'FROM', 'TO', 'REASON'],
          rows.map((e) => [formatHk(e.at), e.actor, `${e.entityType} ${e.entityId}`, e.from, e.to, e.reason]),
        );
        if (rows.length === EVENTS_PAGE) console.log(`(more: --page ${page + 1})`);
      },
    );
}
