import type { Command } from 'commander';
import fs from 'node:fs';
import { appendixCsv, appendixHtml, appendixMarkdown } from '../../domain/appendix';
import { InputError } from '../../domain/errors';
import { formatHk } from '../../domain/time';
import { cutoverWorkflowId } from '../../domain/workflow-ids';
import { appendixRows } from '../../stores/appendix';
import { toEventView } from '../../stores/folder-store';
import { printJson, printTable, withDb } from '../context';

const FORMATS = { md: appendixMarkdown, html: appendixHtml, csv: appendixCsv } as const;

/** `appendix` (the same content as the portal's /appendix/7.3) and `events` (the audit trail). */
export function registerReadSideCommands(program: Command): void {
  program
    .command('appendix')
    .description('Appendix 7.3 "Submission folders migrated to ECP 2.0", as the portal serves it')
    .option('--format <f>', 'md, html or csv', 'md')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { format: string; out?: string }) => {
      const render = FORMATS[opts.format as keyof typeof FORMATS];
      if (!render) throw new InputError(`--format must be md, html or csv, not '${opts.format}'`);
      const text = render(await withDb((db) => appendixRows(db)));
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
    .option('--page <n>', 'page (50 events a page)', '1')
    .option('--json', 'machine-readable output')
    .action(async (opts: { folder?: string; batch?: string; participant?: string; page: string; json?: boolean }) => {
      const page = Number(opts.page);
      if (!Number.isInteger(page) || page < 1) throw new InputError('--page must be a whole number from 1');
      if ([opts.folder, opts.batch, opts.participant].filter(Boolean).length > 1) throw new InputError('give at most one of --folder, --batch, --participant');
      if (opts.participant !== undefined && !/^\d{5}$/.test(opts.participant)) throw new InputError(`'${opts.participant}' is not a participant code: 5 digits`);
      const rows = await withDb(async (db) => {
        if (opts.participant) {
          // A firm's trail is its notices and their delivery attempts.
          return (await db('notice_attempts as a').join('notices as n', 'n.id', 'a.notice_id').where('n.participant_code', opts.participant)
            .orderBy('a.id', 'desc').limit(50).offset((page - 1) * 50)
            .select('a.id', 'a.attempted_at as at', db.raw(`'system' as actor`), db.raw(`'notice' as entity_type`), 'n.kind as entity_id', db.raw('null as from_state'), 'a.outcome as to_state', 'a.smtp_response as reason', db.raw('null as workflow_id')))
            .map(toEventView);
        }
        const q = db('events').orderBy('id', 'desc').limit(50).offset((page - 1) * 50);
        if (opts.folder) q.where({ entity_type: 'folder', entity_id: opts.folder.toUpperCase() });
        if (opts.batch) {
          const prefix = cutoverWorkflowId(opts.batch, '').replace(/[\\%_]/g, (c) => '\\' + c);
          q.where((w) => w.where({ entity_type: 'batch', entity_id: opts.batch }).orWhere('workflow_id', 'like', `${prefix}%`));
        }
        return (await q).map(toEventView);
      });
      if (opts.json) return printJson(rows);
      printTable(['AT', 'ACTOR', 'ENTITY', 'FROM', 'TO', 'REASON'], rows.map((e) => [formatHk(e.at), e.actor, `${e.entityType} ${e.entityId}`, e.from, e.to, e.reason]));
      if (rows.length === 50) console.log(`(more: --page ${page + 1})`);
    });
}
