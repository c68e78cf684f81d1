import type { Command } from 'commander';
import { isAffected, readiness } from '../../domain/audience';
import { InputError, NotFoundError } from '../../domain/errors';
import { formatHk } from '../../domain/time';
import { readBatch } from '../../stores/batch-read';
import { batchReadiness, readinessTotals } from '../../stores/readiness';
import { printJson, printTable, withDb } from '../context';

/** `participant CODE` (the support desk's one screen) and `readiness BATCH`. */
export function registerParticipantCommands(program: Command): void {
  program
    .command('participant')
    .argument('<code>', '5-digit participant code, e.g. 01234')
    .option('--json', 'machine-readable output')
    .description("a firm's folders and where each lives, its readiness, and every notice with its delivery status")
    .action(async (code: string, opts: { json?: boolean }) => {
      if (!/^\d{5}$/.test(code)) throw new InputError(`'${code}' is not a participant code: 5 digits, leading zeros kept (e.g. 01234)`);
      const view = await withDb(async (db) => {
        const p = await db('participants').where({ code }).first();
        if (!p) throw new NotFoundError(`no participant ${code} in the directory: import it with 'ecp-cutover directory import'`);
        const users = await db('users').where({ participant_code: code }).orderBy('email');
        const sftp = new Set(await db('participant_sftp_folders').where({ participant_code: code }).pluck('folder_code'));
        const folders = (await db('folders').orderBy('code')).filter((f) => isAffected(p.user_types, { code: f.code, userTypes: f.user_types, ccFunction: f.cc_function }));
        const notices = await db('notices').where({ participant_code: code }).orderBy('id');
        const attempts = await db('notice_attempts').whereIn('notice_id', notices.map((n) => n.id)).orderBy('id');
        return {
          participant: { code: p.code, nameEn: p.name_en, nameZh: p.name_zh, userTypes: p.user_types, emails: p.emails, language: p.language, users: users.length },
          folders: folders.map((f) => {
            const r = readiness({ code: f.code, userTypes: f.user_types, ccFunction: f.cc_function },
              users.map((u) => ({ email: u.email, functions: u.functions, sftpKeyRegistered: u.sftp_key_registered, ipRegistered: u.ip_registered })), sftp.has(f.code));
            return { code: f.code, name: f.name_en, placement: f.placement, liveSince: f.live_since, ready: r.ready, missing: r.ready ? null : r.missing };
          }),
          notices: notices.map((n) => ({
            kind: n.kind, subject: n.subject_id, status: n.status, to: n.recipients, folders: n.folders, sentAt: n.sent_at, messageId: n.message_id,
            attempts: attempts.filter((a) => a.notice_id === n.id).map((a) => ({ at: a.attempted_at, outcome: a.outcome, smtp: a.smtp_response })),
          })),
        };
      });
      if (opts.json) return printJson(view);
      const p = view.participant;
      console.log(`${p.code}  ${p.nameEn}  ${p.nameZh}\nuser types ${p.userTypes.join(', ')}; ${p.users} user(s); contacts ${p.emails.join(', ')} (${p.language})\n`);
      printTable(['FOLDER', 'WHERE', 'SINCE', 'READY', 'NAME'], view.folders.map((f) => [f.code, f.placement, f.liveSince ? formatHk(f.liveSince) : '', f.ready ? 'yes' : `no: ${f.missing}`, f.name]));
      console.log(`\nnotices (${view.notices.length}):`);
      printTable(['KIND', 'ABOUT', 'STATUS', 'SENT', 'ATTEMPTS', 'FOLDERS'], view.notices.map((n) => [n.kind, n.subject, n.status, n.sentAt ? formatHk(n.sentAt) : '', n.attempts.length, (n.folders as string[]).join(' ')]));
    });

  program
    .command('readiness')
    .argument('<batch>', 'batch id')
    .option('--json', 'machine-readable output, with every not-ready firm')
    .description('per folder of a batch: affected firms, ready, and the not ready with what they lack')
    .action(async (id: string, opts: { json?: boolean }) => {
      const report = await withDb(async (db) => {
        if (!(await readBatch(db, id))) throw new NotFoundError(`no batch ${id}`);
        const folders = await batchReadiness(db, id);
        return { batch: id, ...readinessTotals(folders), folders: folders.map((f) => ({ ...f, affected: f.affected.length })) };
      });
      if (opts.json) return printJson(report);
      console.log(`batch ${id}: ${report.affected} affected firm(s), ${report.notReady} not ready for at least one folder (${report.percentNotReady.toFixed(1)}%)\n`);
      printTable(['FOLDER', 'AFFECTED', 'READY', 'NOT READY', 'E.G.'], report.folders.map((f) => [f.code, f.affected, f.ready, f.notReady.length, f.notReady[0] ? `${f.notReady[0].participant}: ${f.notReady[0].missing}` : '']));
    });
}
