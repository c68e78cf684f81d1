import type { Command } from 'commander';
import { api } from '../context';

/** `folder rollback|approve-rollback|reject-rollback`: switch a live folder back to legacy, four eyes. */
export function registerRollbackCommands(folder: Command): void {
  const AS = ['--as <operator>', 'assert who you are signed in as'] as const;
  folder
    .command('rollback')
    .description('request that a live folder be switched back to legacy ECP (a second operator approves)')
    .argument('<code>', 'folder code')
    .requiredOption('--reason <text>', 'why, for the audit trail and the participants')
    .option(...AS)
    .action(async (code: string, opts: { reason: string; as?: string }) => {
      const r = await api(opts).call('POST /api/folders/{code}/switch-back', {
        params: { code },
        body: { reason: opts.reason },
      });
      console.log(
        `switch-back of ${r.folderCode} requested by ${r.requestedBy}; a second operator approves it with:\n  ecp-cutover folder approve-rollback ${r.folderCode}`,
      );
    });

  folder
    .command('approve-rollback')
    .description('approve a pending switch-back (not your own)')
    .argument('<code>', 'folder code')
    .option(...AS)
    .action(async (code: string, opts: { as?: string }) => {
      const s = await api(opts).call('POST /api/folders/{code}/switch-back/approve', { params: { code } });
      console.log(
        `switch-back of ${s.folderCode} approved by ${s.approvedBy}; it runs now (follow it with 'ecp-cutover folder ${s.folderCode}')`,
      );
    });

  folder
    .command('reject-rollback')
    .description('reject a pending switch-back')
    .argument('<code>', 'folder code')
    .requiredOption('--reason <text>', 'why')
    .option(...AS)
    .action(async (code: string, opts: { as?: string; reason: string }) => {
      const s = await api(opts).call('POST /api/folders/{code}/switch-back/reject', {
        params: { code },
        body: { reason: opts.reason },
      });
      console.log(`switch-back of ${s.folderCode} rejected by ${s.rejectedBy}`);
    });

  // A supervised repair of a stuck or drifted folder (docs/operations.md "Drift"): the same four eyes.
  folder
    .command('repair')
    .description(
      'request that a stuck or drifted folder be put on legacy or live, both platforms and its record (a second operator approves)',
    )
    .argument('<code>', 'folder code')
    .requiredOption('--to <side>', 'legacy or live')
    .requiredOption('--reason <text>', 'why, for the audit trail')
    .option(...AS)
    .action(async (code: string, opts: { to: string; reason: string; as?: string }) => {
      const r = await api(opts).call('POST /api/folders/{code}/repair', {
        params: { code },
        body: { to: opts.to as 'legacy' | 'live', reason: opts.reason },
      });
      console.log(
        `repair of ${r.folderCode} to ${r.to} requested by ${r.requestedBy}; a second operator approves it with:\n  ecp-cutover folder approve-repair ${r.folderCode}`,
      );
    });

  folder
    .command('approve-repair')
    .description('approve a pending repair (not your own)')
    .argument('<code>', 'folder code')
    .option(...AS)
    .action(async (code: string, opts: { as?: string }) => {
      const s = await api(opts).call('POST /api/folders/{code}/repair/approve', { params: { code } });
      console.log(
        `repair of ${s.folderCode} approved by ${s.approvedBy}; it runs now (follow it with 'ecp-cutover folder ${s.folderCode}')`,
      );
    });

  folder
    .command('reject-repair')
    .description('reject a pending repair')
    .argument('<code>', 'folder code')
    .requiredOption('--reason <text>', 'why')
    .option(...AS)
    .action(async (code: string, opts: { as?: string; reason: string }) => {
      const s = await api(opts).call('POST /api/folders/{code}/repair/reject', {
        params: { code },
        body: { reason: opts.reason },
      });
      console.log(`repair of ${s.folderCode} rejected by ${s.rejectedBy}`);
    });
}
