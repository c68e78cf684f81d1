import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { refuseUnsigned } from './refuse-unsigned';
import type { GateItem } from '../../domain/decommission-lifecycle';
import { DECOMMISSION_WORKFLOW_ID } from '../../domain/workflow-ids';
import { mail, operations } from '../proxies';

export { DECOMMISSION_WORKFLOW_ID };

export interface DecommissionInputV1 {
  plannedAt: string;
  /** Reminder instants (business days before, computed by the planner), ISO. */
  reminderAts: string[];
  requestedBy: string;
  quietPeriodMs: number;
  /** How often a blocked decommission re-checks its gate (it also re-checks when a batch finishes). */
  recheckMs: number;
}

type DecommissionStatus = 'awaiting_approval' | 'scheduled' | 'blocked' | 'running' | 'completed';

interface DecommissionState {
  status: DecommissionStatus;
  plannedAt: string;
  requestedBy: string;
  approvedBy: string | null;
  gate: GateItem[] | null;
  remindersSent: string[];
}

export const approveDecommissionUpdateV1 = defineUpdate<DecommissionState, [{ approver: string }]>('approve');
export const rescheduleDecommissionUpdateV1 = defineUpdate<
  DecommissionState,
  [{ by: string; plannedAt: string; reminderAts: string[] }]
>('reschedule');
/** Sent by every batch when it finishes: the gate may pass now (the same signal name in every version). */
export const batchFinishedSignal = defineSignal<[string]>('batchFinished');
export const decommissionStateQueryV1 = defineQuery<DecommissionState>('state');

/**
 * VERSION 1, frozen: runs only decommissions whose history began before the lifecycle machine
 * (workflows/decommission-legacy.ts decides with `patched()`). Do not change.
 *
 * Decommission of legacy ECP (one workflow, id `decommission-legacy-ecp`, so a second schedule is refused by
 * Temporal). Approved by a second operator (I5); reminders to every firm; at the planned time the gate must
 * pass — every folder moved, no batch unfinished, a quiet legacy — or it waits `blocked`, re-checking when a
 * batch finishes and on an interval; past its date it then needs a fresh approval. Never partial: the
 * switch-off is one idempotent platform call, only after the gate passed.
 */
export async function decommissionLegacyV1(input: DecommissionInputV1): Promise<DecommissionState> {
  const { workflowId, runId } = workflowInfo();
  const s: DecommissionState = {
    status: 'awaiting_approval',
    plannedAt: input.plannedAt,
    requestedBy: input.requestedBy,
    approvedBy: null,
    gate: null,
    remindersSent: [],
  };
  let reminderAts = input.reminderAts;
  let plan = 0;
  let seq = 0;
  let wake = 0;
  const record = (
    status: DecommissionStatus,
    actor: string,
    reason: string | null,
    extra: { plannedAt?: string; approvedBy?: string | null } = {},
  ) => {
    s.status = status;
    return operations.setDecommission({ status, actor, reason, workflowId, runId, seq: ++seq, ...extra });
  };
  const refuse = (why: string) => {
    throw ApplicationFailure.create({
      message: `the decommission is ${s.status}: ${why}`,
      type: 'Refused',
      nonRetryable: true,
    });
  };
  const notifyAll = async (
    kind: 'decommission_scheduled' | 'decommission_reminder' | 'legacy_decommissioned',
    tag: string,
  ) => {
    const subjectId = `legacy-ecp@${s.plannedAt}${tag}`;
    await mail.queueEveryoneNotices({
      kind,
      subjectId,
      at: kind === 'legacy_decommissioned' ? new Date(Date.now()).toISOString() : s.plannedAt,
    });
    await mail.deliverNotices({ kind, subjectId });
  };
  const gate = async () => {
    const g = await operations.checkDecommissionGate({ quietPeriodMs: input.quietPeriodMs });
    s.gate = g.items;
    return g.pass;
  };

  setHandler(decommissionStateQueryV1, () => s);
  setHandler(batchFinishedSignal, () => void wake++);
  setHandler(
    approveDecommissionUpdateV1,
    async ({ approver }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: approver, role: 'approver' });
      if (s.status !== 'awaiting_approval') refuse('nothing to approve');
      s.approvedBy = approver;
      await record('scheduled', approver, null, { approvedBy: approver });
      return s;
    },
    {
      validator: ({ approver }) => {
        if (s.status !== 'awaiting_approval') refuse('only a decommission awaiting approval can be approved');
        if (approver === input.requestedBy) {
          throw ApplicationFailure.nonRetryable(
            `four eyes: ${approver} scheduled the decommission and cannot approve it; ask another approver`,
            'Refused',
          );
        }
      },
    },
  );
  setHandler(
    rescheduleDecommissionUpdateV1,
    async ({ by, plannedAt, reminderAts: next }) => {
      refuseUnsigned();
      await operations.checkOperatorRole({ name: by, role: 'planner' });
      if (s.status === 'running' || s.status === 'completed') refuse('it can no longer be rescheduled');
      plan++;
      s.plannedAt = plannedAt;
      s.approvedBy = null;
      reminderAts = next;
      await record('awaiting_approval', by, `rescheduled to ${plannedAt}; approval voided`, {
        plannedAt,
        approvedBy: null,
      });
      return s;
    },
    {
      validator: ({ plannedAt }) => {
        if (s.status === 'running' || s.status === 'completed') refuse('it can no longer be rescheduled');
        if (!(Date.parse(plannedAt) > Date.now()))
          throw ApplicationFailure.nonRetryable(`the new time ${plannedAt} is not in the future`, 'Refused');
      },
    },
  );

  const msUntil = (iso: string) => Date.parse(iso) - Date.now();
  const sleepUntil = async (iso: string) => {
    const current = plan;
    if (msUntil(iso) > 0) await condition(() => plan !== current, msUntil(iso));
    return plan === current;
  };

  let announced = -1;
  for (;;) {
    if (s.status === 'awaiting_approval') {
      const current = plan;
      await condition(() => s.status !== 'awaiting_approval' || plan !== current);
      continue;
    }
    if (announced !== plan) {
      announced = plan;
      await notifyAll('decommission_scheduled', '');
    }
    // Reminders still ahead (one already past when the plan was approved is not sent late).
    const due = reminderAts
      .filter((r) => !s.remindersSent.includes(`${plan}:${r}`) && msUntil(r) > -60_000)
      .sort();
    if (due.length > 0) {
      if (!(await sleepUntil(due[0]))) continue;
      s.remindersSent.push(`${plan}:${due[0]}`);
      await gate(); // the gate at each reminder, for the operators (a warning, not a decision)
      await notifyAll('decommission_reminder', `:${due[0]}`);
      continue;
    }
    if (!(await sleepUntil(s.plannedAt))) continue;
    if (await gate()) break;
    // Blocked: wait until the gate passes (a batch finished, or on the interval) or the plan changes.
    await record(
      'blocked',
      'system',
      (s.gate ?? [])
        .filter((i) => !i.pass)
        .map((i) => `${i.item}: ${i.detail}`)
        .join('; '),
    );
    const current = plan;
    for (;;) {
      const w = wake;
      await condition(() => wake !== w || plan !== current, input.recheckMs);
      if (plan !== current) break;
      if (await gate()) {
        // Past its date: it goes ahead only with a fresh approval.
        s.approvedBy = null;
        plan++;
        await record(
          'awaiting_approval',
          'system',
          'gate passes now; the planned date has passed, so a fresh approval is needed',
          { approvedBy: null },
        );
        break;
      }
    }
  }

  await record('running', s.approvedBy ?? 'system', 'gate passed');
  await operations.switchOffLegacy({ workflowId, runId });
  await notifyAll('legacy_decommissioned', ':done');
  await record('completed', 'system', 'legacy ECP decommissioned');
  await condition(allHandlersFinished);
  return s;
}
