import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { loadConfig, type Config } from '../../config/config';
import type { Db } from '../../db/connection';
import { DECOMMISSION_ID } from '../../activities/decommission';
import { businessDaysBefore, nonBusinessReason } from '../../domain/calendar';
import { parseDuration } from '../../domain/duration';
import { ConflictError, InputError } from '../../domain/errors';
import { formatHk, hkDate, parseHkTime } from '../../domain/time';
import { createHttpGateway } from '../../platform/http-gateway';
import { checkGate } from '../../stores/decommission';
import { requireRole } from '../../stores/operator-store';
import { approveDecommissionUpdate, DECOMMISSION_WORKFLOW_ID, decommissionLegacy, rescheduleDecommissionUpdate } from '../../workflows/decommission-legacy';
import { printJson, printTable, withDb, withTemporal } from '../context';
import { refusalsAsDomainErrors } from '../temporal-errors';

const reminders = (config: Config, at: DateTime) => config.DECOMMISSION_REMINDER_DAYS.split(',').map((n) => businessDaysBefore(at, Number(n)).toISO()!);

/**
 * A decommission date must be in the future and leave time for every reminder: with reminders 30, 7 and 1
 * business days before, a date 20 business days away is too early (firms would miss the first reminder).
 */
function assertDecommissionDate(config: Config, at: DateTime): void {
  if (at <= DateTime.utc()) throw new InputError(`${formatHk(at.toISO())} is in the past: pick a future date`);
  const days = Math.max(...config.DECOMMISSION_REMINDER_DAYS.split(',').map(Number));
  if (businessDaysBefore(at, days) <= DateTime.utc()) {
    throw new InputError(`${formatHk(at.toISO())} is too early: every firm is reminded ${days} business days before (DECOMMISSION_REMINDER_DAYS), so pick a date at least ${days} business days away`);
  }
}

/** Records the plan and starts the one decommission workflow, all or nothing; returns the gate as it stands. */
export async function scheduleDecommission(db: Db, client: Client, config: Config, opts: { at: string; as: string }) {
  const at = parseHkTime(opts.at);
  assertDecommissionDate(config, at);
  const offDay = nonBusinessReason(hkDate(at.toISO()!));
  await requireRole(db, opts.as, 'planner');
  const existing = await db('decommission').where({ id: DECOMMISSION_ID }).first('status');
  if (existing?.status === 'completed') throw new ConflictError('legacy ECP is already decommissioned');
  const gate = await checkGate(db, createHttpGateway(config.SIMULATOR_URL), parseDuration(config.DECOMMISSION_QUIET_PERIOD));
  await db.transaction(async (trx) => {
    await trx('decommission').insert({ id: DECOMMISSION_ID, planned_at: at.toJSDate(), status: 'awaiting_approval', requested_by: opts.as, approved_by: null })
      .onConflict('id').merge(['planned_at', 'status', 'requested_by', 'approved_by', 'updated_at']);
    await refusalsAsDomainErrors('decommission', () =>
      client.workflow.start(decommissionLegacy, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: DECOMMISSION_WORKFLOW_ID,
        args: [{ plannedAt: at.toISO()!, reminderAts: reminders(config, at), requestedBy: opts.as, quietPeriodMs: parseDuration(config.DECOMMISSION_QUIET_PERIOD), recheckMs: parseDuration(config.DECOMMISSION_RECHECK) }],
      }), { alreadyStarted: "a decommission is already scheduled: see 'ecp-cutover decommission status', or reschedule it" });
  });
  return { at, gate, offDay };
}

export function registerDecommissionCommands(program: Command): void {
  const d = program.command('decommission').description('switch legacy ECP off on a scheduled date, only when every folder has moved');
  d.command('schedule')
    .requiredOption('--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time')
    .requiredOption('--as <operator>', 'a planner')
    .description('schedule the decommission (a second operator approves)')
    .action(async (opts: { at: string; as: string }) => {
      const { at, gate, offDay } = await withTemporal((db, client, config) => scheduleDecommission(db, client, config, opts));
      console.log(`decommission of legacy ECP scheduled for ${formatHk(at.toISO())}; approve with: ecp-cutover decommission approve --as <approver>`);
      if (offDay) console.log(`warning: ${offDay}`);
      for (const i of gate.items.filter((x) => !x.pass)) console.log(`warning: the gate would fail today — ${i.item}: ${i.detail}`);
    });

  d.command('approve')
    .requiredOption('--as <operator>', 'an approver other than the one who scheduled it')
    .description('approve the scheduled decommission (four eyes)')
    .action(async (opts: { as: string }) => {
      await withTemporal((_db, client) => refusalsAsDomainErrors('approval of the decommission', () =>
        client.workflow.getHandle(DECOMMISSION_WORKFLOW_ID).executeUpdate(approveDecommissionUpdate, { args: [{ approver: opts.as }] }),
      { notFound: "no decommission is scheduled: 'ecp-cutover decommission schedule --at ... --as <planner>'" }));
      console.log(`decommission approved by ${opts.as}`);
    });

  d.command('reschedule')
    .requiredOption('--at <time>', '"YYYY-MM-DD HH:mm" Hong Kong time')
    .requiredOption('--as <operator>', 'a planner')
    .description('move the decommission (voids its approval)')
    .action(async (opts: { at: string; as: string }) => {
      const at = parseHkTime(opts.at);
      assertDecommissionDate(loadConfig(), at);
      await withTemporal((_db, client, config) => refusalsAsDomainErrors('reschedule of the decommission', () =>
        client.workflow.getHandle(DECOMMISSION_WORKFLOW_ID).executeUpdate(rescheduleDecommissionUpdate, { args: [{ by: opts.as, plannedAt: at.toISO()!, reminderAts: reminders(config, at) }] }),
      { notFound: 'no decommission is scheduled' }));
      console.log(`decommission moved to ${formatHk(at.toISO())}; its approval is void`);
    });

  d.command('status')
    .option('--json', 'machine-readable output')
    .description('scheduled time, gate items with pass/fail, reminders sent')
    .action(async (opts: { json?: boolean }) => {
      const view = await withDb(async (db) => {
        const row = await db('decommission').where({ id: DECOMMISSION_ID }).first();
        const sent = await db('notices').whereIn('kind', ['decommission_scheduled', 'decommission_reminder', 'legacy_decommissioned']).groupBy('kind', 'subject_id').select('kind', 'subject_id').count({ n: '*' }) as { kind: string; subject_id: string; n: number }[];
        return row
          ? { status: row.status, plannedAt: row.planned_at, requestedBy: row.requested_by, approvedBy: row.approved_by, gate: row.gate, gateCheckedAt: row.gate_checked_at, completedAt: row.completed_at, notices: sent }
          : { status: 'not scheduled' };
      });
      if (opts.json) return printJson(view);
      if (!('plannedAt' in view)) return console.log('no decommission is scheduled');
      console.log(`decommission of legacy ECP: ${view.status}, planned ${formatHk(view.plannedAt)}; scheduled by ${view.requestedBy}, approved by ${view.approvedBy ?? '-'}`);
      if (view.gate) printTable(['GATE', 'PASS', 'DETAIL'], (view.gate as { item: string; pass: boolean; detail: string }[]).map((g) => [g.item, g.pass ? 'yes' : 'NO', g.detail]));
      printTable(['NOTICE', 'ABOUT', 'FIRMS'], (view.notices ?? []).map((n) => [String(n.kind), String(n.subject_id), Number(n.n)]));
    });
}
