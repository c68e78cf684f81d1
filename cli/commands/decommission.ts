import type { Command } from 'commander';
import { formatHk } from '../../domain/time';
import { api, printJson, printTable } from '../context';

export function registerDecommissionCommands(program: Command): void {
  const d = program
    .command('decommission')
    .description('switch legacy ECP off on a scheduled date, only when every folder has moved');
  const AS = ['--as <operator>', 'assert who you are signed in as'] as const;
  d.command('schedule')
    .requiredOption('--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time')
    .option(...AS)
    .description('schedule the decommission (a second operator approves)')
    .action(async (opts: { at: string; as?: string }) => {
      const { at, gate, offDay } = await api(opts).call('POST /api/decommission', { body: { at: opts.at } });
      console.log(
        `decommission of legacy ECP scheduled for ${formatHk(at)}; approve with: ecp-cutover decommission approve`,
      );
      if (offDay) console.log(`warning: ${offDay}`);
      for (const i of gate.items.filter((x) => !x.pass))
        console.log(`warning: the gate would fail today — ${i.item}: ${i.detail}`);
    });

  d.command('approve')
    .option(...AS)
    .description('approve the scheduled decommission (four eyes: not if you scheduled it)')
    .action(async (opts: { as?: string }) => {
      const s = await api(opts).call('POST /api/decommission/approve');
      console.log(`decommission approved by ${s.approvedBy}`);
    });

  d.command('reschedule')
    .requiredOption('--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time')
    .option(...AS)
    .description('move the decommission (voids its approval)')
    .action(async (opts: { at: string; as?: string }) => {
      const s = await api(opts).call('POST /api/decommission/reschedule', { body: { at: opts.at } });
      console.log(`decommission moved to ${formatHk(s.plannedAt)}; its approval is void`);
    });

  d.command('status')
    .option('--json', 'machine-readable output')
    .description('scheduled time, gate items with pass/fail, reminders sent')
    .action(async (opts: { json?: boolean }) => {
      const view = await api().call('GET /api/decommission');
      if (opts.json) return printJson(view);
      if (!('plannedAt' in view)) return console.log('no decommission is scheduled');
      console.log(
        `decommission of legacy ECP: ${view.status}, planned ${formatHk(view.plannedAt)}; scheduled by ${view.requestedBy}, approved by ${view.approvedBy ?? '-'}`,
      );
      if (view.gate)
        printTable(
          ['GATE', 'PASS', 'DETAIL'],
          view.gate.map((g) => [g.item, g.pass ? 'yes' : 'NO', g.detail]),
        );
      printTable(
        ['NOTICE', 'ABOUT', 'FIRMS'],
        view.notices.map((n) => [n.kind, n.subject, n.firms]),
      );
    });
}
