import type { Db } from '../db/connection';
import { createActivities, type ActivityDeps } from '../activities/index';
import type { Mailer } from '../activities/mailer';
import type { PlatformGateway } from '../platform/gateway';
import { createAlertStore } from '../stores/alert-store';
import { createApprovalStore } from '../stores/approval-store';
import { createBatchStore } from '../stores/batch-store';
import { createDecommissionStore } from '../stores/decommission';
import { createEventStore } from '../stores/event-store';
import { createHealthStore } from '../stores/health-store';
import { createNoticeStore } from '../stores/notice-store';
import { createReadinessStore } from '../stores/readiness-store';
import { createReconcileStore } from '../stores/reconcile';
import { createRehearsalStore } from '../stores/rehearsal-store';
import { createRepairStore } from '../stores/repair-store';
import { createRunStore } from '../stores/run-store';

/** What a worker is started with: its database, the platforms, SMTP, the command key and the alert address. */
export interface WorkerDeps {
  db: Db;
  gateway: PlatformGateway;
  mailer: Mailer;
  mailFrom: string;
  commandKey: Buffer;
  /** The platform team's address for alerts (OPS_ALERT_EMAIL); absent: none are sent. */
  opsAlertEmail?: string;
  /** The platforms' rehearsal environment (REHEARSAL_PLATFORM_URL); absent: a rehearsal is refused. */
  rehearsalGateway?: PlatformGateway;
  /** Where a rehearsal's rendered notices go (REHEARSAL_NOTICE_EMAIL; default: opsAlertEmail). */
  rehearsalNoticeEmail?: string;
}

/** The activities' stores, each the knex implementation over the worker's database. */
export function activityDeps({ db, ...rest }: WorkerDeps): ActivityDeps {
  return {
    ...rest,
    events: createEventStore(db),
    health: createHealthStore(db),
    approvals: createApprovalStore(db),
    runs: createRunStore(db),
    batches: createBatchStore(db),
    readiness: createReadinessStore(db, rest.gateway),
    notices: createNoticeStore(db),
    decommission: createDecommissionStore(db),
    drifts: createReconcileStore(db),
    alerts: createAlertStore(db),
    repairs: createRepairStore(db),
    rehearsals: createRehearsalStore(db),
    rehearsalNoticeEmail: rest.rehearsalNoticeEmail ?? rest.opsAlertEmail,
  };
}

/** The activities a worker registers, over the knex stores. */
export const workerActivities = (deps: WorkerDeps) => createActivities(activityDeps(deps));
