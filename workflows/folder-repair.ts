import { defineQuery, defineUpdate, setHandler, workflowInfo } from '@temporalio/workflow';
import { actorOf, type RepairRequestArgs, type SignedCommand } from '../domain/commands';
import {
  initialSwitchBackState,
  type SwitchBackCommand,
  type SwitchBackEffect,
  type SwitchBackState,
} from '../domain/switch-back-lifecycle';
import { SWITCH_BACK_WIRING } from './folder-rollback';
import { commandUpdates, verified } from './commands';
import { requestTextProblem, startCommand, textArg } from './inputs';
import { interpret } from './interpreter';
import { proxyActivities } from '@temporalio/workflow';
import type { createRepairActivities } from '../activities/repair';
import { operations } from './proxies';

/** The repair's platform work: a freeze waits for submissions in flight, a hand-over moves files; retried until it ends. */
const { repairFolder } = proxyActivities<ReturnType<typeof createRepairActivities>>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

export interface FolderRepairInput {
  command: SignedCommand<RepairRequestArgs>;
}

export type RepairStatus = SwitchBackState;

type Update = [SignedCommand<{ reason?: string }>];
export const approveRepairUpdate = defineUpdate<RepairStatus, Update>('approve');
export const rejectRepairUpdate = defineUpdate<RepairStatus, Update>('reject');
export const repairStatusQuery = defineQuery<RepairStatus>('status');

/**
 * A supervised repair of a stuck or drifted folder (workflow `repair-<folder>`): the switch-back's machine
 * (domain/switch-back-lifecycle.ts) with `repair` set — requested by one operator, approved by another (four
 * eyes, on verified identities), expiring unapproved — whose move drives both platforms to the side the
 * request names (activities/repair.ts), never both open, and records the folder there.
 */
export async function folderRepair(input: FolderRepairInput): Promise<RepairStatus> {
  const command = startCommand<RepairRequestArgs>(input, 'repair.request');
  const { workflowId, runId, startTime } = workflowInfo();
  const args = command.args;
  const it = interpret<SwitchBackState, SwitchBackCommand, SwitchBackEffect>({
    ...SWITCH_BACK_WIRING,
    initial: initialSwitchBackState({
      folderCode: args.folderCode,
      requestedBy: command.operator,
      reason: args.reason,
      repair: { to: args.to },
      expiresAt: new Date(startTime.getTime() + args.approvalTimeoutMs).toISOString(),
    }),
    async perform(e): Promise<SwitchBackCommand | void> {
      switch (e.type) {
        case 'recordRequest': {
          const claims = await verified(command, 'repair.request', { update: false }).catch(
            (err: Error) => err,
          );
          if (claims instanceof Error) return { type: 'refusedAtStart', reason: claims.message };
          const bad = requestTextProblem(claims.args);
          if (bad) return { type: 'refusedAtStart', reason: `repair.request refused: ${bad}` };
          const r = await operations.recordRepairRequest({ command: claims, workflowId, runId });
          return r.ok ? { type: 'recorded' } : { type: 'refusedAtStart', reason: r.reason };
        }
        case 'record':
          return void (await operations.recordEvent({
            entityType: 'folder',
            entityId: args.folderCode,
            actor: e.actor,
            from: 'awaiting_approval',
            to: e.to,
            reason: e.reason,
            workflowId,
            runId,
            key: `repair:${e.to}`,
          }));
        case 'move': {
          const r = await repairFolder({
            folderCode: args.folderCode,
            to: args.to,
            actor: e.actor,
            reason: e.reason,
            workflowId,
            runId,
          });
          return { type: 'moveFinished', outcome: r.outcome, failure: r.failure };
        }
        case 'notify':
          return; // the machine asks it of a switch-back only
      }
    },
  });
  const seen = new Set<string>([command.id]);
  setHandler(repairStatusQuery, () => it.state);
  const update = commandUpdates(it, (s) => s, seen);
  update(approveRepairUpdate, 'repair.approve', (c) => ({ type: 'approve', by: actorOf(c) }));
  update(rejectRepairUpdate, 'repair.reject', (c) => ({
    type: 'reject',
    by: actorOf(c),
    reason: textArg(c.args.reason, 'the reason'),
  }));
  await it.run();
  return it.state;
}
