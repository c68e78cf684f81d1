import { WorkflowIdReusePolicy } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Config } from '../config/config';
import { businessDaysBefore, nonBusinessReason } from '../domain/calendar';
import type { DecommissionScheduleArgs } from '../domain/commands';
import { decommissionGate } from '../domain/decommission-gate';
import type { DecommissionState, GateItem } from '../domain/decommission-lifecycle';
import { parseDuration } from '../domain/duration';
import { ConflictError, InputError } from '../domain/errors';
import { formatHk, hkDate, parseHkTime } from '../domain/time';
import { DECOMMISSION_WORKFLOW_ID } from '../domain/workflow-ids';
import {
  approveDecommissionUpdate,
  decommissionLegacy,
  rescheduleDecommissionUpdate,
} from '../workflows/decommission-legacy';
import { awaitRecorded, startWithCommand, updateWithCommand } from './commands';
import { requirePermission, type AppDeps, type Operator } from './context';
import { iso } from './views';

const reminders = (config: Config, at: DateTime) =>
  config.DECOMMISSION_REMINDER_DAYS.split(',').map((n) => businessDaysBefore(at, Number(n)).toISO()!);

/**
 * A decommission date must be in the future and leave time for every reminder: with reminders 30, 7 and 1
 * business days before, a date 20 business days away is too early (firms would miss the first reminder).
 */
function decommissionDate(config: Config, raw: string): DateTime {
  const at = parseHkTime(raw);
  if (at <= DateTime.utc())
    throw new InputError(`${formatHk(at.toISO())} is in the past: pick a future date`);
  const days = Math.max(...config.DECOMMISSION_REMINDER_DAYS.split(',').map(Number));
  if (businessDaysBefore(at, days) <= DateTime.utc()) {
    throw new InputError(
      `${formatHk(at.toISO())} is too early: every firm is reminded ${days} business days before (DECOMMISSION_REMINDER_DAYS), so pick a date at least ${days} business days away`,
    );
  }
  return at;
}

/** Starts the one decommission workflow with the signed schedule; it records it. Returns the gate as it stands. */
export async function scheduleDecommission(deps: AppDeps, op: Operator, rawAt: string) {
  requirePermission(op, 'decommission.schedule');
  const { config } = deps;
  const at = decommissionDate(config, rawAt);
  const offDay = nonBusinessReason(hkDate(at.toISO()!));
  const existing = await deps.stores.decommission.row();
  if (existing?.status === 'completed') throw new ConflictError('legacy ECP is already decommissioned');
  const gate = await decommissionGateNow(deps);
  const args: DecommissionScheduleArgs = {
    plannedAt: at.toISO()!,
    reminderAts: reminders(config, at),
    quietPeriodMs: parseDuration(config.DECOMMISSION_QUIET_PERIOD),
    recheckMs: parseDuration(config.DECOMMISSION_RECHECK),
  };
  const { handle, command } = await startWithCommand(
    deps,
    op,
    'decommission.schedule',
    decommissionLegacy,
    {
      workflowId: DECOMMISSION_WORKFLOW_ID,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE /* after a cancelled or refused one */,
    },
    args,
    {
      alreadyStarted:
        "a decommission is already scheduled: see 'ecp-cutover decommission status', or reschedule it",
    },
  );
  await awaitRecorded(
    deps,
    handle,
    command.id,
    'the decommission',
    "check 'ecp-cutover decommission status' in a minute",
    (r) => (r as DecommissionState).reason,
  );
  return { at: at.toISO()!, gate, offDay };
}

const notScheduled = "no decommission is scheduled: 'ecp-cutover decommission schedule --at ...'";

/** `seen`: the date the approver looked at; the workflow refuses if the decommission was moved since. */
export async function approveDecommission(
  deps: AppDeps,
  op: Operator,
  seen: { plannedAt?: string } = {},
): Promise<DecommissionState> {
  requirePermission(op, 'decommission.approve');
  const args = seen.plannedAt ? { plannedAt: parseHkTime(seen.plannedAt).toISO()! } : {};
  return updateWithCommand(
    deps,
    op,
    'decommission.approve',
    DECOMMISSION_WORKFLOW_ID,
    approveDecommissionUpdate,
    args,
    'approval of the decommission',
    notScheduled,
  );
}

export async function rescheduleDecommission(
  deps: AppDeps,
  op: Operator,
  rawAt: string,
): Promise<DecommissionState> {
  requirePermission(op, 'decommission.reschedule');
  const at = decommissionDate(deps.config, rawAt);
  return updateWithCommand(
    deps,
    op,
    'decommission.reschedule',
    DECOMMISSION_WORKFLOW_ID,
    rescheduleDecommissionUpdate,
    { plannedAt: at.toISO()!, reminderAts: reminders(deps.config, at) },
    'reschedule of the decommission',
    notScheduled,
  );
}

/**
 * The gate as it stands now (the workflow checks it again at the date): what would block a decommission today,
 * decided by domain/decommission-gate.ts on the stored facts and legacy's last acceptance, asked of the platform.
 */
export async function decommissionGateNow(deps: AppDeps): Promise<{ pass: boolean; items: GateItem[] }> {
  const stored = await deps.stores.decommission.gateFacts();
  return decommissionGate({
    ...stored,
    lastLegacyAcceptance: await deps.gateway.lastLegacyAcceptance(),
    quietPeriodMs: parseDuration(deps.config.DECOMMISSION_QUIET_PERIOD),
    now: new Date(),
  });
}

/** The decommission as stored: status, plan, gate, notices sent; null if none was ever scheduled. */
export async function decommissionStatus(deps: AppDeps) {
  const row = await deps.stores.decommission.row();
  if (!row) return null;
  const notices = await deps.stores.decommission.noticeCounts();
  return {
    status: row.status,
    plannedAt: row.plannedAt.toISOString(),
    requestedBy: row.requestedBy,
    approvedBy: row.approvedBy,
    gate: row.gate,
    gateCheckedAt: iso(row.gateCheckedAt),
    completedAt: iso(row.completedAt),
    /** When every firm is reminded (DECOMMISSION_REMINDER_DAYS business days before the date, as the workflow was told). */
    reminderAts: reminders(deps.config, DateTime.fromJSDate(row.plannedAt)).sort(),
    notices,
  };
}
