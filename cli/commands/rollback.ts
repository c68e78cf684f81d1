import type { Command } from 'commander';
import { approveSwitchBack, rejectSwitchBack, requestSwitchBack } from '../../app/switch-back';
import { operatorNamed, withApp } from '../context';

/** `folder rollback|approve-rollback|reject-rollback`: switch a live folder back to legacy, four eyes. */
export function registerRollbackCommands(folder: Command): void {
  folder
    .command('rollback')
    .description('request that a live folder be switched back to legacy ECP (a second operator approves)')
    .argument('<code>', 'folder code')
    .requiredOption('--reason <text>', 'why, for the audit trail and the participants')
    .requiredOption('--as <operator>', 'who asks (a planner)')
    .action(async (code: string, opts: { reason: string; as: string }) => {
      const r = await withApp(async (deps) => requestSwitchBack(deps, await operatorNamed(deps.db, opts.as), code, opts.reason));
      console.log(`switch-back of ${r.folderCode} requested by ${r.requestedBy}; a second operator approves it with:\n  ecp-cutover folder approve-rollback ${r.folderCode}`);
    });

  folder
    .command('approve-rollback')
    .description('approve a pending switch-back (not your own)')
    .argument('<code>', 'folder code')
    .requiredOption('--as <operator>', 'who decides (an approver)')
    .action(async (code: string, opts: { as: string }) => {
      const s = await withApp(async (deps) => approveSwitchBack(deps, await operatorNamed(deps.db, opts.as), code));
      console.log(`switch-back of ${s.folderCode} approved by ${s.approvedBy}; it runs now (follow it with 'ecp-cutover folder ${s.folderCode}')`);
    });

  folder
    .command('reject-rollback')
    .description('reject a pending switch-back')
    .argument('<code>', 'folder code')
    .requiredOption('--as <operator>', 'who decides (an approver)')
    .option('--reason <text>', 'why (required)')
    .action(async (code: string, opts: { as: string; reason?: string }) => {
      const s = await withApp(async (deps) => rejectSwitchBack(deps, await operatorNamed(deps.db, opts.as), code, opts.reason));
      console.log(`switch-back of ${s.folderCode} rejected by ${s.rejectedBy}`);
    });
}
