import type { Command } from 'commander';
import { formatHk } from '../../domain/time';
import { api, printJson, printTable } from '../context';

/** `participant CODE`: the support desk's one screen. */
export function registerParticipantCommands(program: Command): void {
  program
    .command('participant')
    .argument('<code>', '5-digit participant code, e.g. 01234')
    .option('--json', 'machine-readable output')
    .description(
      "a firm's folders and where each lives, its readiness, and every notice with its delivery status",
    )
    .action(async (code: string, opts: { json?: boolean }) => {
      const view = await api().call('GET /api/participants/{participant}', { params: { participant: code } });
      if (opts.json) return printJson(view);
      const p = view.participant;
      console.log(
        `${p.code}  ${p.nameEn}  ${p.nameZh}\nuser types ${p.userTypes.join(', ')}; ${p.users} user(s); contacts ${p.emails.join(', ')} (${p.language})`,
      );
      const u = view.users;
      console.log(
        u.source === 'client_connect'
          ? '\nusers as Client Connect has them:'
          : `\nusers from the imported directory (${u.fallback}):`,
      );
      printTable(
        ['USER', 'ROLE', 'FUNCTIONS', 'SFTP KEY', 'IP'],
        u.list.map((x) => [
          x.email,
          x.role ?? '',
          x.functions.join(' ') || '(none: cannot enter ECP 2.0, FAQ B.5)',
          x.sftpKeyRegistered ? 'yes' : 'no',
          x.ipRegistered ? 'yes' : 'no',
        ]),
      );
      if (u.disagreesWithDirectory)
        console.log(
          `warning: the imported directory says otherwise (${(u.directory ?? []).map((x) => `${x.email}: ${x.functions.join(' ') || 'none'}`).join('; ') || 'no users'}): Client Connect is what ECP 2.0 applies`,
        );
      if (u.adminWarning) console.log(`warning: ${u.adminWarning}`);
      console.log('');
      printTable(
        ['FOLDER', 'WHERE', 'SINCE', 'READY', 'NAME', 'DRIFT'],
        view.folders.map((f) => [
          f.code,
          f.placement,
          f.liveSince ? formatHk(f.liveSince) : '',
          f.ready ? 'yes' : `no: ${f.missing}`,
          f.name,
          f.drifts.join(', '),
        ]),
      );
      console.log(`\nnotices (${view.notices.length}):`);
      printTable(
        ['KIND', 'ABOUT', 'STATUS', 'SENT', 'ATTEMPTS', 'FOLDERS'],
        view.notices.map((n) => [
          n.kind,
          n.subject,
          n.status,
          n.sentAt ? formatHk(n.sentAt) : '',
          n.attempts.length,
          n.folders.join(' '),
        ]),
      );
    });
}
