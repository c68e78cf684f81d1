import { BEFORE_START } from '../domain/batch-lifecycle';
import { ConflictError, NotFoundError } from '../domain/errors';
import {
  planHash,
  rehearsalLine,
  rehearsalRefusal,
  type RehearsedPlan,
  type RehearsalSummary,
} from '../domain/rehearsal';
import type { ReportFacts } from '../domain/report';
import type { BatchRehearseArgs } from '../domain/commands';
import type { RehearsalsView, RehearsalView } from '../contract/views';
import type { BatchRow } from '../stores/batch-read';
import type { RehearsalRow } from '../stores/rehearsal-store';
import { batchRehearsal } from '../workflows/batch-rehearsal';
import { BATCH_ID } from '../workflows/search-attributes';
import { startWithCommand } from './commands';
import { requirePermission, type AppDeps, type Operator } from './context';
import { moveOptions } from './options';

/**
 * Rehearsals of a batch (issue 28). `batch rehearse ID` runs the batch's folder moves now, through the same
 * workflows and activities, against the platforms' rehearsal environment (REHEARSAL_PLATFORM_URL), and
 * records the result bound to the plan (domain/rehearsal.ts). With REQUIRE_REHEARSAL an approval needs a
 * successful rehearsal of the same plan.
 */

/** The plan of a batch as its row holds it, with the move options it would run with now: what a rehearsal is bound to. */
export function planOf(deps: AppDeps, b: BatchRow): RehearsedPlan {
  return {
    batchId: b.id,
    folders: b.folders.map((f) => f.code),
    retire: b.retires.map((r) => r.code),
    plannedAt: b.plannedAt.toISOString(),
    failurePolicy: b.failurePolicy,
    concurrency: b.concurrency,
    moveOptions: moveOptions(deps.config),
  };
}

async function batchOf(deps: AppDeps, id: string): Promise<BatchRow> {
  const b = await deps.stores.batches.get(id);
  if (!b) throw new NotFoundError(`no batch ${id}: list folders and plans with 'ecp-cutover folders'`);
  return b;
}

/** A rehearsal id: the batch's, then R and the UTC instant to the millisecond (B1-R20260603101500123). */
const rehearsalIdOf = (batchId: string, now: Date) =>
  `${batchId}-R${now.toISOString().replace(/[-:TZ.]/g, '')}`;

export const rehearsalWorkflowId = (rehearsalId: string) => `rehearsal-${rehearsalId}`;

/**
 * Starts a rehearsal of a batch not yet started (signed, the planner's) and answers once the workflow has
 * recorded it (status `running`); the moves go on, and `rehearsalOf` follows them.
 */
export async function rehearseBatch(deps: AppDeps, op: Operator, id: string): Promise<RehearsalView> {
  requirePermission(op, 'batch.rehearse');
  const b = await batchOf(deps, id);
  if (!BEFORE_START.includes(b.status))
    throw new ConflictError(`batch ${id} is ${b.status}: only a batch not yet started is rehearsed`);
  // Two at once would align and move the same folders of the rehearsal environment under each other.
  const last = await deps.stores.rehearsals.latest(id);
  const running =
    last?.status === 'running' &&
    (await deps.temporal.workflow
      .getHandle(rehearsalWorkflowId(last.id))
      .describe()
      .then((d) => d.status.name === 'RUNNING')
      .catch(() => false))
      ? last
      : null;
  if (running)
    throw new ConflictError(
      `rehearsal ${running.id} of batch ${id} is still running: wait for it ('ecp-cutover batch rehearsals ${id}'), then rehearse again`,
    );
  const plan = planOf(deps, b);
  const rehearsalId = rehearsalIdOf(id, new Date());
  const args: BatchRehearseArgs = {
    rehearsalId,
    plan,
    planHash: planHash(plan),
    environment: deps.config.REHEARSAL_PLATFORM_URL,
  };
  const workflowId = rehearsalWorkflowId(rehearsalId);
  const { handle } = await startWithCommand(
    deps,
    op,
    'batch.rehearse',
    batchRehearsal,
    { workflowId, typedSearchAttributes: [{ key: BATCH_ID, value: id }] },
    args,
    {
      alreadyStarted: `rehearsal ${rehearsalId} was started already: try again`,
    },
  );
  const deadline = Date.now() + deps.config.commandTimeoutMs;
  for (;;) {
    const r = await deps.stores.rehearsals.get(rehearsalId);
    if (r) return toRehearsalView(r);
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') {
      const result =
        d.status.name === 'COMPLETED' ? ((await handle.result()) as { reason: string | null }) : null;
      throw new ConflictError(
        result?.reason ?? `rehearsal ${rehearsalId} ended ${d.status.name.toLowerCase()}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(
        `rehearsal ${rehearsalId} was handed to Temporal but is not recorded yet (is a worker running?): check 'ecp-cutover batch rehearsals ${id}' in a minute`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function rehearsalOf(deps: AppDeps, id: string): Promise<RehearsalView> {
  const r = await deps.stores.rehearsals.get(id);
  if (!r)
    throw new NotFoundError(
      `no rehearsal ${id}: list a batch's rehearsals with 'ecp-cutover batch rehearsals BATCH'`,
    );
  return toRehearsalView(r);
}

export async function rehearsalsOf(deps: AppDeps, batchId: string): Promise<RehearsalView[]> {
  await batchOf(deps, batchId);
  return (await deps.stores.rehearsals.ofBatch(batchId)).map(toRehearsalView);
}

/** The latest rehearsal of a batch and whether it rehearsed the plan as it stands (for the approve page and `batch approve`). */
export async function latestRehearsal(
  deps: AppDeps,
  b: BatchRow,
): Promise<{ latest: RehearsalSummary | undefined; hash: string; line: string }> {
  const hash = planHash(planOf(deps, b));
  const latest = await deps.stores.rehearsals.latest(b.id);
  return { latest, hash, line: rehearsalLine(latest, hash) };
}

/** With REQUIRE_REHEARSAL set: refuses (409, exit 2) an approval without a successful rehearsal of this plan in the period. */
export async function requireRehearsal(deps: AppDeps, id: string): Promise<{ plannedAt: string } | void> {
  const within = deps.config.requireRehearsalMs;
  if (within === null) return;
  const b = await deps.stores.batches.get(id);
  if (!b) return; // the approval itself says "no batch"
  const { latest, hash } = await latestRehearsal(deps, b);
  const refusal = rehearsalRefusal(id, hash, latest, within, new Date(), deps.config.REQUIRE_REHEARSAL ?? '');
  if (refusal) throw new ConflictError(refusal);
  // The plan that was checked: the approval is for it alone (the workflow refuses one that changed since).
  return { plannedAt: b.plannedAt.toISOString() };
}

/** A rehearsal's report (domain/report.ts, kind `rehearsal`). */
export async function rehearsalReport(deps: AppDeps, id: string): Promise<ReportFacts> {
  const facts = await deps.stores.rehearsals.report(id, new Date());
  if (!facts)
    throw new NotFoundError(
      `no rehearsal ${id}: list a batch's rehearsals with 'ecp-cutover batch rehearsals BATCH'`,
    );
  return facts;
}

export function toRehearsalView(r: RehearsalRow): RehearsalView {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: r.id,
    batchId: r.batchId,
    planHash: r.planHash,
    requestedBy: r.requestedBy,
    environment: r.environment,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    finishedAt: iso(r.finishedAt),
    durationMs: r.durationMs,
    failure: r.failure,
    notices: r.notices,
    plannedAt: new Date(r.plan.plannedAt).toISOString(),
    readiness: r.readiness
      ? {
          affected: r.readiness.affected,
          notReady: r.readiness.notReady,
          source: r.readiness.source,
          at: r.readiness.at.toISOString(),
        }
      : null,
    folders: r.folders.map((f) => ({
      code: f.code,
      status: f.status,
      step: f.step,
      startedAt: iso(f.startedAt),
      finishedAt: iso(f.finishedAt),
      freezeWindowMs: f.freezeWindowMs,
      failure: f.failure,
    })),
  };
}

/** A batch's rehearsals, and what an approval would make of them now. */
export async function rehearsalsView(deps: AppDeps, batchId: string): Promise<RehearsalsView> {
  const b = await batchOf(deps, batchId);
  const { latest, hash, line } = await latestRehearsal(deps, b);
  const within = deps.config.requireRehearsalMs;
  return {
    batchId,
    planHash: hash,
    line,
    required: within === null ? null : (deps.config.REQUIRE_REHEARSAL ?? null),
    refusal: rehearsalRefusal(batchId, hash, latest, within, new Date(), deps.config.REQUIRE_REHEARSAL ?? ''),
    rehearsals: (await deps.stores.rehearsals.ofBatch(batchId)).map(toRehearsalView),
  };
}
