import { DateTime } from 'luxon';
import { FINAL_BATCH_STATUSES, type BatchProgress } from '../domain/batch-lifecycle';
import {
  planProblems,
  PlanRefused,
  timeProblems,
  type PlanField,
  type PlanProblem,
  type PlanRequest,
} from '../domain/batch-plan';
import { reminderInstant } from '../domain/calendar';
import type { BatchPlanArgs } from '../domain/commands';
import { parseDuration } from '../domain/duration';
import { ConflictError, InputError, NotFoundError } from '../domain/errors';
import { field } from '../domain/fields';
import { formatHk, hkDate, parseHkTime } from '../domain/time';
import { batchWorkflowId } from '../domain/workflow-ids';
import type { BatchView } from '../contract/views';
import {
  abortBatchUpdate,
  approveBatchUpdate,
  batchMigration,
  overrideReadinessUpdate,
  pauseBatchUpdate,
  rejectBatchUpdate,
  rescheduleBatchUpdate,
  resumeBatchUpdate,
} from '../workflows/batch-migration';
import { BATCH_ID } from '../workflows/search-attributes';
import { awaitRecorded, startWithCommand, updateWithCommand } from './commands';
import { requirePermission, type AppDeps, type Operator } from './context';
import { moveOptions } from './options';
import { requireRehearsal } from './rehearsal';
import { toBatchView } from './views';

export interface PlanInput {
  id: string;
  name: string;
  /** "YYYY-MM-DD HH:mm" Hong Kong time, or with a zone. */
  at: string;
  folders: string[];
  onFailure?: string;
  concurrency?: number;
  /** A duration ("7d", "1m") overriding MIN_NOTICE. */
  minNotice?: string;
  allowNonBusinessDay?: boolean;
  /** "10" firms or "5%". */
  maxNotReady?: string;
  /** Retired folders this batch closes and hides on legacy at its start (a rule of this tool, not the FAQ's). */
  retire?: string[];
}

/** "10" (firms) or "5%". */
export function parseMaxNotReady(raw: string | undefined): BatchPlanArgs['maxNotReady'] {
  if (raw === undefined) return null;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw.trim());
  if (!m || (m[2] === '' && !Number.isInteger(Number(m[1]))) || (m[2] === '%' && Number(m[1]) > 100)) {
    throw new InputError(
      `${field('maxNotReady')} '${raw}' must be a number of firms (e.g. 10) or a percentage (e.g. 5%)`,
    );
  }
  return m[2] === '%' ? { percent: Number(m[1]) } : { count: Number(m[1]) };
}

/**
 * Reads a plan as asked and checks it against the database, changing nothing: every problem, each with its
 * field (a time, a duration or a limit that cannot be read is a problem of its field, like a rule broken).
 */
async function examinePlan(deps: AppDeps, op: Operator, input: PlanInput) {
  const { stores, config } = deps;
  const problems: PlanProblem[] = [];
  const read = <T>(field: PlanField, f: () => T): T | null => {
    try {
      return f();
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push({ field, message: err.message });
      return null;
    }
  };
  const onFailure = input.onFailure ?? 'continue';
  if (onFailure !== 'continue' && onFailure !== 'halt')
    problems.push({
      field: 'onFailure',
      message: `${field('onFailure')} must be continue or halt, not '${onFailure}'`,
    });
  const req: PlanRequest = {
    id: input.id,
    name: input.name,
    plannedAt: read('at', () => parseHkTime(input.at)),
    folders: input.folders.map((f) => f.trim().toUpperCase()).filter(Boolean),
    requestedBy: op.name,
    failurePolicy: onFailure === 'halt' ? 'halt' : 'continue',
    concurrency: input.concurrency ?? 5,
    minNoticeMs:
      (input.minNotice !== undefined
        ? read('minNotice', () => parseDuration(input.minNotice!))
        : config.minNoticeMs) ?? config.minNoticeMs,
    allowNonBusinessDay: Boolean(input.allowNonBusinessDay),
    retire: (input.retire ?? []).map((f) => f.trim().toUpperCase()).filter(Boolean),
  };
  const maxNotReady = read('maxNotReady', () => parseMaxNotReady(input.maxNotReady));
  const rows = await stores.folders.list({ codes: req.folders });
  problems.push(
    ...planProblems(req, {
      now: DateTime.utc(),
      folders: new Map(
        rows.map((r) => [r.code, { placement: r.placement, activeBatch: r.plannedBatch?.id ?? null }]),
      ),
      batchExists: await stores.batches.exists(req.id),
      retire: await stores.batches.retireFacts(req.retire),
    }),
  );
  return { problems, req, maxNotReady };
}

/**
 * Plans a batch, all or nothing across PostgreSQL and Temporal: every rule is checked first (PlanRefused with
 * every problem); then the workflow `batch-<ID>` is started with the signed plan, and the workflow itself
 * records it (or refuses it, recording nothing). No row without its workflow, no workflow that goes on
 * without its row.
 */
export async function planBatch(deps: AppDeps, op: Operator, input: PlanInput): Promise<BatchView> {
  requirePermission(op, 'batch.plan');
  const { config } = deps;
  const { problems, req, maxNotReady } = await examinePlan(deps, op, input);
  if (problems.length > 0 || !req.plannedAt) throw new PlanRefused(req.id, problems);
  const args: BatchPlanArgs = {
    batchId: req.id,
    name: req.name,
    folders: req.folders,
    failurePolicy: req.failurePolicy,
    concurrency: req.concurrency,
    maxNotReady,
    readinessRecheckMs: config.readinessRecheckMs,
    minNoticeMs: req.minNoticeMs,
    plannedAt: req.plannedAt.toISO()!,
    reminderAt: reminderInstant(req.plannedAt).toISO()!,
    moveOptions: moveOptions(config),
    ...(req.retire.length ? { retire: req.retire } : {}),
  };
  const workflowId = batchWorkflowId(req.id);
  const { handle, command } = await startWithCommand(
    deps,
    op,
    'batch.plan',
    batchMigration,
    {
      workflowId,
      typedSearchAttributes: [{ key: BATCH_ID, value: req.id }],
    },
    args,
    {
      alreadyStarted: `batch ${req.id} already exists (a workflow ${workflowId} was started before): choose another ${field('id')}`,
    },
  );
  await awaitRecorded(
    deps,
    handle,
    command.id,
    `batch ${req.id}`,
    `check 'ecp-cutover batch status ${req.id}' in a minute`,
    (r) => (r as BatchProgress).reason,
  );
  return mustRead(deps, req.id);
}

/**
 * A plan not yet submitted, as the planner's preview before planning (the console's "dry run"): every
 * problem with its field, and — for the folders that are in the catalog — what the batch would do and whom it
 * concerns. Changes nothing.
 */
export async function previewPlan(deps: AppDeps, op: Operator, input: PlanInput) {
  requirePermission(op, 'batch.plan');
  const { problems, req } = await examinePlan(deps, op, input);
  const r = await deps.stores.readiness.ofFolders(req.folders, (await deps.stores.readiness.users()).users, {
    list: 20,
  });
  return {
    ok: problems.length === 0,
    problems,
    plannedAt: req.plannedAt?.toISO() ?? null,
    steps: STEPS,
    affected: r.affected,
    notReady: r.notReady,
    folders: r.folders.map((f) => ({
      code: f.code,
      name: f.name,
      affected: f.affected,
      notReady: f.notReady,
      notReadyFirms: f.notReadyFirms,
    })),
  };
}

export async function mustRead(deps: AppDeps, id: string): Promise<BatchView> {
  const b = await deps.stores.batches.get(id);
  if (!b) throw new NotFoundError(`no batch ${id}: list folders and plans with 'ecp-cutover folders'`);
  return toBatchView(b);
}

/** Each command to a planned batch, and the Update of its workflow that carries it. */
const UPDATES = {
  'batch.approve': approveBatchUpdate,
  'batch.reject': rejectBatchUpdate,
  'batch.reschedule': rescheduleBatchUpdate,
  'batch.pause': pauseBatchUpdate,
  'batch.resume': resumeBatchUpdate,
  'batch.abort': abortBatchUpdate,
  'batch.override_readiness': overrideReadinessUpdate,
} as const;
type BatchAction = keyof typeof UPDATES;

/** One signed Update to a batch; the answer is the batch as stored once the change took effect. */
async function command(
  deps: AppDeps,
  op: Operator,
  id: string,
  action: BatchAction,
  args: Record<string, unknown>,
  what: string,
  /** A last check before the command; what it answers is added to the command's arguments (unless given). */
  check?: () => Promise<Record<string, unknown> | void>,
): Promise<BatchView> {
  const batch = await mustRead(deps, id);
  requirePermission(op, action);
  // A finished batch's workflow has closed: say so, rather than "no such workflow".
  if (FINAL_BATCH_STATUSES.includes(batch.status))
    throw new ConflictError(
      `batch ${id} is ${batch.status}: it has finished, so there is no ${what} to make`,
    );
  const pinned = (await check?.()) ?? {};
  await updateWithCommand(
    deps,
    op,
    action,
    batchWorkflowId(id),
    UPDATES[action],
    { ...pinned, ...args },
    `${what} of batch ${id}`,
    `no workflow for batch ${id}`,
  );
  return mustRead(deps, id);
}

const reasonOf = (reason: string | undefined) => {
  if (!reason || reason.trim().length < 3)
    throw new InputError(`${field('reason')} must say why (at least 3 characters)`);
  return reason.trim();
};

/** `seen`: the plan the approver looked at (its planned time); the workflow refuses if it changed since. */
/**
 * With REQUIRE_REHEARSAL, a successful rehearsal of this very plan first (app/rehearsal.ts), checked after the
 * batch, the role and its state; the approval then carries the planned time that was checked, so a reschedule
 * between the check and the approval is refused by the workflow rather than approved unrehearsed.
 */
export const approveBatch = (deps: AppDeps, op: Operator, id: string, seen: { plannedAt?: string } = {}) =>
  command(
    deps,
    op,
    id,
    'batch.approve',
    seen.plannedAt ? { plannedAt: parseHkTime(seen.plannedAt).toISO()! } : {},
    'approval',
    () => requireRehearsal(deps, id),
  );
export const rejectBatch = (deps: AppDeps, op: Operator, id: string, reason: string | undefined) =>
  command(deps, op, id, 'batch.reject', { reason: reasonOf(reason) }, 'rejection');
export const pauseBatch = (deps: AppDeps, op: Operator, id: string) =>
  command(deps, op, id, 'batch.pause', {}, 'pause');
export const resumeBatch = (deps: AppDeps, op: Operator, id: string) =>
  command(deps, op, id, 'batch.resume', {}, 'resume');
export const abortBatch = (deps: AppDeps, op: Operator, id: string, reason: string | undefined) =>
  command(deps, op, id, 'batch.abort', { reason: reasonOf(reason ?? 'aborted by an operator') }, 'abort');
export const overrideReadiness = (deps: AppDeps, op: Operator, id: string, reason: string | undefined) =>
  command(deps, op, id, 'batch.override_readiness', { reason: reasonOf(reason) }, 'readiness override');

/** A new instant, under the same rules as a plan's (future, notice period, business day): it voids the approval. */
export async function rescheduleBatch(
  deps: AppDeps,
  op: Operator,
  id: string,
  at: string,
  opts: { minNotice?: string; allowNonBusinessDay?: boolean } = {},
): Promise<BatchView> {
  const when = parseHkTime(at);
  const problems = timeProblems(
    when,
    DateTime.utc(),
    opts.minNotice !== undefined ? parseDuration(opts.minNotice) : deps.config.minNoticeMs,
    Boolean(opts.allowNonBusinessDay),
  );
  if (problems.length) throw new InputError(`reschedule of batch ${id} refused: ${problems.join('; ')}`);
  return command(
    deps,
    op,
    id,
    'batch.reschedule',
    { plannedAt: when.toISO()!, reminderAt: reminderInstant(when).toISO()! },
    'reschedule',
  );
}

const STEPS = [
  'freeze legacy intake',
  'drain in-flight submissions (or hand them over, checksums verified)',
  'enable on ECP 2.0',
  'verify (ECP 2.0 accepts, legacy refuses)',
  'disable and hide on legacy',
  'mark live',
];

/** Firms listed per folder by a dry run and a readiness report (the counts are always complete). */
export const LISTED = 5000;

/** What a batch would do, computed from PostgreSQL, changing nothing. */
export async function dryRun(deps: AppDeps, id: string, list = LISTED) {
  const b = await mustRead(deps, id);
  const r = await deps.stores.readiness.ofBatch(id, (await deps.stores.readiness.users()).users, { list });
  const readiness = new Map(r.folders.map((f) => [f.code, f]));
  const folders = await deps.stores.folders.list({ codes: b.folders.map((f) => f.code) }, 'code');
  return {
    batch: { id: b.id, name: b.name, status: b.status, plannedAt: b.plannedAt },
    steps: STEPS,
    /** Distinct firms the batch concerns, and those not ready for one of its folders. */
    affected: r.affected,
    notReady: r.notReady,
    folders: folders.map((f) => ({
      code: f.code,
      name: f.nameEn,
      placement: f.placement,
      affected: readiness.get(f.code)?.affected ?? 0,
      /** At most LISTED firms (the counts are complete). */
      affectedParticipants: readiness.get(f.code)?.affectedFirms ?? [],
      notReadyCount: readiness.get(f.code)?.notReady ?? 0,
      notReady: readiness.get(f.code)?.notReadyFirms ?? [],
      portal: { from: 'on legacy ECP', to: `on ECP 2.0 since ${formatHk(b.plannedAt)}` },
      appendixRow: {
        market: f.market,
        folder: f.nameEn,
        code: f.code,
        dateMoved: hkDate(b.plannedAt),
        batch: b.id,
      },
    })),
  };
}
