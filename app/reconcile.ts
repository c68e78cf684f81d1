import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { ReconcileSummary } from '../activities/reconcile';
import type { Config } from '../config/config';
import { parseDuration } from '../domain/duration';
import { RECONCILE_SCHEDULE_ID, reconcileWorkflowId } from '../domain/workflow-ids';
import { reconcileWorkflow } from '../workflows/reconcile';
import { requirePermission, type AppDeps, type Operator } from './context';
import { toDriftView } from './views';

/**
 * One reconciler pass now (`ecp-cutover reconcile`): the same workflow the Schedule starts, run by the worker
 * (which alone acts on the platforms), waited for here. The platform team's: planners and approvers.
 */
export async function reconcileNow(deps: AppDeps, op: Operator): Promise<ReconcileSummary> {
  requirePermission(op, 'reconcile.run');
  return deps.temporal.workflow.execute(reconcileWorkflow, {
    workflowId: reconcileWorkflowId(randomUUID()),
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    args: [{ trigger: 'on_demand' }],
    workflowExecutionTimeout: '10m',
    memo: { operator: op.name },
  });
}

/** Drift episodes, newest first: the open ones, or (all) the last 200 of every kind. */
export async function listDrifts(deps: AppDeps, filter: { all?: boolean } = {}) {
  const last = await deps.stores.drifts.lastPass();
  return {
    lastPass: last
      ? {
          trigger: last.trigger,
          at: last.finishedAt.toISOString(),
          durationMs: last.finishedAt.getTime() - last.startedAt.getTime(),
          openDrifts: last.openDrifts,
        }
      : null,
    drifts: (await deps.stores.drifts.list({ open: !filter.all }, 200)).map(toDriftView),
  };
}

/**
 * Creates the reconciler's Schedule, or brings its interval to RECONCILE_INTERVAL (idempotent). Overlapping
 * passes are skipped, a missed one (Temporal down) runs once when it is back. `dev up` calls it; in
 * production, `ecp-cutover reconcile --ensure-schedule` (docker-compose's reconcile-schedule job runs it).
 */
export async function ensureReconcileSchedule(
  client: Client,
  config: Pick<Config, 'RECONCILE_INTERVAL' | 'TEMPORAL_TASK_QUEUE'>,
): Promise<'created' | 'updated' | 'unchanged'> {
  const every = parseDuration(config.RECONCILE_INTERVAL);
  const handle = client.schedule.getHandle(RECONCILE_SCHEDULE_ID);
  try {
    const d = await handle.describe();
    const current = d.spec.intervals?.[0]?.every;
    if (current === every && d.spec.intervals?.length === 1) return 'unchanged';
    await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every }] } }));
    return 'updated';
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  await client.schedule.create({
    scheduleId: RECONCILE_SCHEDULE_ID,
    spec: { intervals: [{ every }] },
    action: {
      type: 'startWorkflow',
      workflowType: reconcileWorkflow,
      workflowId: reconcileWorkflowId('scheduled'),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ trigger: 'schedule' }],
      workflowExecutionTimeout: '10m',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
    memo: { what: 'the reconciler: each folder against both platforms (docs/operations.md "Drift")' },
  });
  return 'created';
}
