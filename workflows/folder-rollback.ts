import { defineQuery, defineUpdate, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { actorOf, type SignedCommand, type SwitchBackRequestArgs } from '../domain/commands';
import {
  initialSwitchBackState,
  isFinalSwitchBack,
  nextSwitchBackTimer,
  recoverSwitchBack,
  transitionSwitchBack,
  type SwitchBackCommand,
  type SwitchBackEffect,
  type SwitchBackState,
} from '../domain/switch-back-lifecycle';
import { commandUpdates, verified } from './commands';
import { requestTextProblem, startCommand, textArg } from './inputs';
import { interpret } from './interpreter';
import { moveFolder, type MoveProgress } from './move-folder';
import { mail, operations } from './proxies';
import { folderRollbackV1, type FolderRollbackInputV1 } from './v1/folder-rollback';
import { LIFECYCLE_MACHINE_PATCH } from './patches';

export interface FolderRollbackInput {
  command: SignedCommand<SwitchBackRequestArgs>;
}

export interface RollbackStatus extends SwitchBackState {
  move: MoveProgress;
}

type Update = [SignedCommand<{ reason?: string }>];
export const approveRollbackUpdate = defineUpdate<RollbackStatus, Update>('approve');
export const rejectRollbackUpdate = defineUpdate<RollbackStatus, Update>('reject');
export const rollbackStatusQuery = defineQuery<RollbackStatus>('status');

/** How the switch-back machine is run: the request recorded first, events as writes (also a repair's: folder-repair.ts). */
export const SWITCH_BACK_WIRING = {
  machine: {
    transition: transitionSwitchBack,
    nextTimer: nextSwitchBackTimer,
    isFinal: (s: SwitchBackState) => isFinalSwitchBack(s.status),
    wants: () => true,
    recover: recoverSwitchBack,
  },
  initialEffects: [{ type: 'recordRequest' }] as SwitchBackEffect[],
  isWrite: (e: SwitchBackEffect) => e.type === 'record',
  cancelCommand: { type: 'cancelRequested' } as SwitchBackCommand,
};

/**
 * Switch-back of a live folder to legacy ECP (workflow id `rollback-<folder>`): the interpreter of the
 * switch-back machine (domain/switch-back-lifecycle.ts). Requested by one operator, approved by another
 * (I5, on verified identities), then the mirror of the cutover: freeze ECP 2.0 → drain → enable and show
 * legacy → verify → disable ECP 2.0; the firms that use the folder are told.
 */
export async function folderRollback(
  input: FolderRollbackInput | FolderRollbackInputV1,
): Promise<RollbackStatus> {
  if (!patched(LIFECYCLE_MACHINE_PATCH))
    return folderRollbackV1(input as FolderRollbackInputV1) as unknown as Promise<RollbackStatus>;
  const command = startCommand<SwitchBackRequestArgs>(input, 'switch_back.request');
  const { workflowId, runId, startTime } = workflowInfo();
  const args = command.args;
  const move: MoveProgress = {
    folderCode: args.folderCode,
    kind: 'rollback',
    step: 'begin',
    outcome: 'running',
    failure: null,
    freezeWindowMs: null,
  };
  const record = (actor: string, from: string, to: string, reason: string | null) =>
    operations.recordEvent({
      entityType: 'folder',
      entityId: args.folderCode,
      actor,
      from,
      to,
      reason,
      workflowId,
      runId,
      key: `rollback:${to}`,
    });

  const it = interpret<SwitchBackState, SwitchBackCommand, SwitchBackEffect>({
    ...SWITCH_BACK_WIRING,
    initial: initialSwitchBackState({
      folderCode: args.folderCode,
      requestedBy: command.operator,
      reason: args.reason,
      expiresAt: new Date(startTime.getTime() + args.approvalTimeoutMs).toISOString(),
    }),
    async perform(e): Promise<SwitchBackCommand | void> {
      switch (e.type) {
        case 'recordRequest': {
          const claims = await verified(command, 'switch_back.request', { update: false }).catch(
            (err: Error) => err,
          );
          if (claims instanceof Error) return { type: 'refusedAtStart', reason: claims.message };
          const bad = requestTextProblem(claims.args);
          if (bad) return { type: 'refusedAtStart', reason: `switch_back.request refused: ${bad}` };
          const r = await operations.recordSwitchBackRequest({ command: claims, workflowId, runId });
          return r.ok ? { type: 'recorded' } : { type: 'refusedAtStart', reason: r.reason };
        }
        case 'record':
          return void (await record(e.actor, 'awaiting_approval', e.to, e.reason));
        case 'move': {
          const r = await moveFolder(
            { folderCode: args.folderCode, kind: 'rollback', batchId: null, actor: e.actor },
            'ecp2',
            'legacy',
            args.moveOptions,
            move,
            e.reason,
          );
          return { type: 'moveFinished', outcome: r.outcome, failure: r.failure };
        }
        case 'notify': {
          // The firms that use the folder are told it is back on legacy ECP.
          const subjectId = `${args.folderCode}@${runId}`;
          await mail.queueFolderNotices({
            kind: 'folder_switched_back',
            folderCode: args.folderCode,
            subjectId,
          });
          await mail.deliverNotices({ kind: 'folder_switched_back', subjectId });
          return;
        }
      }
    },
  });

  const view = (s: SwitchBackState): RollbackStatus => ({ ...s, move });
  const seen = new Set<string>([command.id]);
  setHandler(rollbackStatusQuery, () => view(it.state));
  const update = commandUpdates(it, view, seen);
  update(approveRollbackUpdate, 'switch_back.approve', (c) => ({ type: 'approve', by: actorOf(c) }));
  update(rejectRollbackUpdate, 'switch_back.reject', (c) => ({
    type: 'reject',
    by: actorOf(c),
    reason: textArg(c.args.reason, 'the reason'),
  }));
  await it.run();
  return view(it.state);
}
