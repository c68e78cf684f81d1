import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Mailer } from './mailer';
import type { PlatformGateway } from '../platform/gateway';
import type { AlertStore } from '../stores/alert-store';
import type { ReconcileStore } from '../stores/reconcile';
import { reconcilePass, type ReconcileReport } from './reconcile-pass';
import type { ReconcileTrigger } from '../domain/reconcile';

export type { ReconcileReport };

export interface ReconcileActivityDeps {
  drifts: ReconcileStore;
  alerts: AlertStore;
  gateway: PlatformGateway;
  mailer: Mailer;
  mailFrom: string;
  /** The platform team's address for alerts (OPS_ALERT_EMAIL); absent: none are sent. */
  opsAlertEmail?: string;
}

/** The report a workflow keeps: counts and the open drifts (capped, so that a history stays small). */
export type ReconcileSummary = ReconcileReport & { openCount: number };
const KEPT = 200;

/** "Is this workflow run still running?", asked of Temporal (a run it does not know is not running). */
export const runningIn =
  (client: Client) =>
  async ({ workflowId, runId }: { workflowId: string; runId: string }) => {
    try {
      return (await client.workflow.getHandle(workflowId, runId).describe()).status.name === 'RUNNING';
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') return false;
      throw err;
    }
  };

export function createReconcileActivities(deps: ReconcileActivityDeps) {
  return {
    /** One reconciler pass (activities/reconcile-pass.ts); whether a move is still running is asked of Temporal. */
    async reconcileFolders(input: { trigger: ReconcileTrigger }): Promise<ReconcileSummary> {
      const report = await reconcilePass(
        {
          drifts: deps.drifts,
          alerts: deps.alerts,
          gateway: deps.gateway,
          isMoving: runningIn(Context.current().client),
          alert: deps.opsAlertEmail
            ? async (m) => {
                await deps.mailer.send({
                  from: deps.mailFrom,
                  to: [deps.opsAlertEmail!],
                  subject: m.subject,
                  text: m.text,
                  messageId: `<${m.id}@ecp-cutover>`,
                });
              }
            : undefined,
        },
        input.trigger,
      );
      return { ...report, open: report.open.slice(0, KEPT), openCount: report.open.length };
    },
  };
}
