import {
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { actorOf, type DecommissionScheduleArgs, type SignedCommand } from '../domain/commands';
import {
  decommissionWants,
  initialDecommissionState,
  isFinalDecommission,
  nextDecommissionTimer,
  recoverDecommission,
  transitionDecommission,
  type DecommissionCommand,
  type DecommissionEffect,
  type DecommissionState,
} from '../domain/decommission-lifecycle';
import { commandUpdates, verified } from './commands';
import { startCommand } from './inputs';
import { interpret } from './interpreter';
import { mail, operations } from './proxies';
import { decommissionLegacyV1, type DecommissionInputV1 } from './v1/decommission-legacy';
import { LIFECYCLE_MACHINE_PATCH } from './patches';

export interface DecommissionInput {
  command: SignedCommand<DecommissionScheduleArgs>;
}

type Update = [SignedCommand<{ plannedAt?: string; reminderAts?: string[] }>];
export const approveDecommissionUpdate = defineUpdate<DecommissionState, Update>('approve');
export const rescheduleDecommissionUpdate = defineUpdate<DecommissionState, Update>('reschedule');
/** Sent by every batch when it finishes: the gate may pass now. Anyone may send it: it only asks for a re-check. */
export const batchFinishedSignal = defineSignal<[string]>('batchFinished');
export const decommissionStateQuery = defineQuery<DecommissionState>('state');

/**
 * Decommission of legacy ECP (one workflow, id `decommission-legacy-ecp`, so a second schedule is refused by
 * Temporal): the interpreter of the decommission machine (domain/decommission-lifecycle.ts).
 */
export async function decommissionLegacy(
  input: DecommissionInput | DecommissionInputV1,
): Promise<DecommissionState> {
  if (!patched(LIFECYCLE_MACHINE_PATCH))
    return decommissionLegacyV1(input as DecommissionInputV1) as unknown as Promise<DecommissionState>;
  const command = startCommand<DecommissionScheduleArgs>(input, 'decommission.schedule');
  const { workflowId, runId } = workflowInfo();
  const args = command.args;

  const it = interpret<DecommissionState, DecommissionCommand, DecommissionEffect>({
    machine: {
      transition: transitionDecommission,
      nextTimer: nextDecommissionTimer,
      isFinal: (s) => isFinalDecommission(s.status),
      wants: decommissionWants,
      recover: recoverDecommission,
    },
    initial: initialDecommissionState({
      plannedAt: args.plannedAt,
      reminderAts: args.reminderAts,
      requestedBy: command.operator,
      recheckMs: args.recheckMs,
    }),
    initialEffects: [{ type: 'recordRequest' }],
    isWrite: (e) => e.type === 'persist',
    cancelCommand: { type: 'cancelRequested' },
    async perform(e): Promise<DecommissionCommand | void> {
      switch (e.type) {
        case 'recordRequest': {
          const claims = await verified(command, 'decommission.schedule', { update: false }).catch(
            (err: Error) => err,
          );
          if (claims instanceof Error) return { type: 'refusedAtStart', reason: claims.message };
          const r = await operations.recordDecommissionRequest({ command: claims, workflowId, runId });
          return r.ok ? { type: 'recorded' } : { type: 'refusedAtStart', reason: r.reason };
        }
        case 'persist':
          return void (await operations.setDecommission({
            status: e.status,
            actor: e.actor,
            reason: e.reason,
            plannedAt: e.plannedAt,
            approvedBy: e.approvedBy,
            workflowId,
            runId,
            seq: e.seq,
          }));
        case 'notify': {
          const subjectId = `legacy-ecp@${e.plannedAt}${e.tag}`;
          await mail.queueEveryoneNotices({
            kind: e.kind,
            subjectId,
            at: e.kind === 'legacy_decommissioned' ? new Date(Date.now()).toISOString() : e.plannedAt,
          });
          await mail.deliverNotices({ kind: e.kind, subjectId });
          return;
        }
        case 'checkGate': {
          const g = await operations.checkDecommissionGate({ quietPeriodMs: args.quietPeriodMs });
          return { type: 'gateChecked', plan: e.plan, purpose: e.purpose, pass: g.pass, items: g.items };
        }
        case 'switchOff':
          await operations.switchOffLegacy({ workflowId, runId });
          return { type: 'switchedOff' };
      }
    },
  });

  const seen = new Set<string>([command.id]);
  setHandler(decommissionStateQuery, () => it.state);
  setHandler(batchFinishedSignal, () => void it.dispatch({ type: 'batchFinished' }));
  const update = commandUpdates(it, (s) => s, seen);
  update(approveDecommissionUpdate, 'decommission.approve', (c) => {
    if (c.args.plannedAt !== undefined && typeof c.args.plannedAt !== 'string')
      throw new TypeError('malformed');
    return { type: 'approve', by: actorOf(c), plannedAt: c.args.plannedAt };
  });
  update(rescheduleDecommissionUpdate, 'decommission.reschedule', (c) => {
    if (typeof c.args.plannedAt !== 'string' || !Array.isArray(c.args.reminderAts))
      throw new TypeError('malformed');
    return {
      type: 'reschedule',
      by: actorOf(c),
      plannedAt: c.args.plannedAt,
      reminderAts: c.args.reminderAts.map(String),
    };
  });
  await it.run();
  return it.state;
}
