import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { connectClient } from '../../config/temporal';
import { ConflictError, InputError, NotFoundError } from '../../domain/errors';
import { requireRole } from '../../stores/operator-store';
import { approveRollbackUpdate, folderRollback, rejectRollbackUpdate } from '../../workflows/folder-rollback';
import { FOLDER_CODE } from '../../workflows/search-attributes';
import { moveOptions, withTemporal } from '../context';
import { refusalsAsDomainErrors } from '../temporal-errors';

const rollbackId = (code: string) => `rollback-${code}`;

/** `folder rollback|approve-rollback|reject-rollback`: switch a live folder back to legacy, four eyes. */
export function registerRollbackCommands(folder: Command): void {
  folder
    .command('rollback')
    .description('request that a live folder be switched back to legacy ECP (a second operator approves)')
    .argument('<code>', 'folder code')
    .requiredOption('--reason <text>', 'why, for the audit trail and the participants')
    .requiredOption('--as <operator>', 'who asks (a planner)')
    .action(async (raw: string, opts: { reason: string; as: string }) => {
      const code = raw.toUpperCase();
      if (opts.reason.trim().length < 3) throw new InputError('--reason must say why (at least 3 characters)');
      await withTemporal(async (db, client, config) => {
        await requireRole(db, opts.as, 'planner');
        const f = await db('folders').where({ code }).first('placement');
        if (!f) throw new NotFoundError(`folder ${code} is not in the catalog: list them with 'ecp-cutover folders'`);
        if (f.placement !== 'live') throw new ConflictError(`folder ${code} is ${f.placement}, not live: only a live folder can be switched back`);
        await refusalsAsDomainErrors(
          `switch-back of ${code}`,
          () =>
            client.workflow.start(folderRollback, {
              taskQueue: config.TEMPORAL_TASK_QUEUE,
              workflowId: rollbackId(code),
              args: [{ folderCode: code, requestedBy: opts.as, reason: opts.reason, options: moveOptions(config), approvalTimeoutMs: config.approvalTimeoutMs }],
              typedSearchAttributes: [{ key: FOLDER_CODE, value: code }],
            }),
          { alreadyStarted: `a switch-back of ${code} is already pending: approve it with 'ecp-cutover folder approve-rollback ${code} --as <approver>'` },
        );
      });
      console.log(`switch-back of ${code} requested by ${opts.as}; a second operator approves it with:\n  ecp-cutover folder approve-rollback ${code} --as <approver>`);
    });

  for (const [name, verb] of [['approve-rollback', 'approve'], ['reject-rollback', 'reject']] as const) {
    folder
      .command(name)
      .description(`${verb} a pending switch-back (not your own)`)
      .argument('<code>', 'folder code')
      .requiredOption('--as <operator>', 'who decides (an approver)')
      .option('--reason <text>', 'why (required to reject)')
      .action(async (raw: string, opts: { as: string; reason?: string }) => {
        const code = raw.toUpperCase();
        if (verb === 'reject' && !opts.reason) throw new InputError('--reason is required to reject');
        const config = loadConfig();
        const client = await connectClient(config);
        try {
          const handle = client.workflow.getHandle(rollbackId(code));
          const status = await refusalsAsDomainErrors(
            `${verb} of the switch-back of ${code}`,
            () =>
              verb === 'approve'
                ? handle.executeUpdate(approveRollbackUpdate, { args: [{ approver: opts.as }] })
                : handle.executeUpdate(rejectRollbackUpdate, { args: [{ by: opts.as, reason: opts.reason ?? '' }] }),
            { notFound: `no switch-back of ${code} is pending: request one with 'ecp-cutover folder rollback ${code} --reason ... --as <planner>'` },
          );
          console.log(verb === 'approve' ? `switch-back of ${code} approved by ${status.approvedBy}; it runs now (follow it with 'ecp-cutover folder ${code}')` : `switch-back of ${code} rejected by ${opts.as}`);
        } finally {
          await client.connection.close();
        }
      });
  }
}
