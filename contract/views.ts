import { z } from 'zod';
import { BATCH_FOLDER_STATUSES, BATCH_STATUSES } from '../domain/batch-lifecycle';
import { DECOMMISSION_STATUSES } from '../domain/decommission-lifecycle';
import { DRIFT_KINDS } from '../domain/drift';
import { ROLES } from '../domain/operators';
import { PLACEMENTS } from '../domain/placement';
import { SWITCH_BACK_STATUSES } from '../domain/switch-back-lifecycle';

/**
 * What the control API answers, as schemas: the OpenAPI document describes every 2xx reply from these, the
 * server encodes each reply through its schema (a field not listed here is never sent), and the CLI's
 * client takes its types from them. Instants are ISO-8601 strings (UTC); the console and the CLI show them
 * in Hong Kong time.
 */
const instant = z.string().meta({ description: 'an ISO-8601 instant (UTC)' });

export const problem = z.object({ field: z.string(), message: z.string() });
/** The body of every error: one line a person reads, and, for a refused form or plan, each field's problem. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), problems: z.array(problem).optional() }),
});
const nullable = <T extends z.ZodType>(t: T) => t.nullable();

export const operatorView = z.object({
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  credentialId: z.string(),
  source: z.string(),
});

export const eventView = z.object({
  id: z.number(),
  at: instant,
  actor: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  from: nullable(z.string()),
  to: nullable(z.string()),
  reason: nullable(z.string()),
  workflowId: nullable(z.string()),
});

export const folderView = z.object({
  code: z.string(),
  nameEn: z.string(),
  nameZh: z.string(),
  market: z.string(),
  direction: z.string(),
  userTypes: z.array(z.string()),
  ccFunction: nullable(z.string()),
  placement: z.enum(PLACEMENTS),
  placementChangedAt: instant,
  liveSince: nullable(instant),
  lastFailure: nullable(z.string()),
  plannedBatch: nullable(z.object({ id: z.string(), plannedAt: instant, status: z.string() })),
  drifts: z.array(z.string()),
});

export const folderRunView = z.object({
  kind: z.string(),
  batchId: nullable(z.string()),
  workflowId: z.string(),
  status: z.string(),
  step: nullable(z.string()),
  startedAt: instant,
  finishedAt: nullable(instant),
  freezeWindowMs: nullable(z.number()),
  failure: nullable(z.string()),
});

export const driftView = z.object({
  folder: z.string(),
  kind: z.enum(DRIFT_KINDS),
  detail: z.string(),
  action: nullable(z.string()),
  detectedAt: instant,
  resolvedAt: nullable(instant),
});

export const folderDetail = z.object({
  folder: folderView,
  runs: z.array(folderRunView),
  events: z.array(eventView),
  drifts: z.array(driftView),
  /** A switch-back or repair awaiting a second operator. */
  pending: z.array(
    z.object({
      kind: z.enum(['switch_back', 'repair']),
      requestedBy: z.string(),
      reason: nullable(z.string()),
      at: instant,
    }),
  ),
});

export const batchView = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(BATCH_STATUSES),
  reason: nullable(z.string()),
  plannedAt: instant,
  requestedBy: z.string(),
  approvedBy: nullable(z.string()),
  failurePolicy: z.enum(['continue', 'halt']),
  concurrency: z.number(),
  startedAt: nullable(instant),
  finishedAt: nullable(instant),
  folders: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      status: z.enum(BATCH_FOLDER_STATUSES),
      step: nullable(z.string()),
      failure: nullable(z.string()),
      freezeWindowMs: nullable(z.number()),
    }),
  ),
  retires: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      status: z.enum(['pending', 'retired', 'refused', 'not_retired']),
      failure: nullable(z.string()),
      retiredAt: nullable(instant),
    }),
  ),
});

const notReadyFirm = z.object({ participant: z.string(), missing: z.string() });

export const planPreview = z.object({
  ok: z.boolean(),
  problems: z.array(problem),
  plannedAt: nullable(instant),
  steps: z.array(z.string()),
  affected: z.number(),
  notReady: z.number(),
  folders: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      affected: z.number(),
      notReady: z.number(),
      notReadyFirms: z.array(notReadyFirm),
    }),
  ),
});

export const dryRunView = z.object({
  batch: z.object({ id: z.string(), name: z.string(), status: z.enum(BATCH_STATUSES), plannedAt: instant }),
  steps: z.array(z.string()),
  affected: z.number(),
  notReady: z.number(),
  folders: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      placement: z.string(),
      affected: z.number(),
      affectedParticipants: z.array(z.string()),
      notReadyCount: z.number(),
      notReady: z.array(notReadyFirm),
      portal: z.object({ from: z.string(), to: z.string() }),
      appendixRow: z.object({
        market: z.string(),
        folder: z.string(),
        code: z.string(),
        dateMoved: z.string(),
        batch: z.string(),
      }),
    }),
  ),
});

export const readinessView = z.object({
  batch: z.string(),
  affected: z.number(),
  notReady: z.number(),
  percentNotReady: z.number(),
  users: z.object({
    source: z.enum(['client_connect', 'directory']),
    at: instant,
    fallback: nullable(z.string()),
    disagreements: z.number(),
    disagreeing: z.array(z.string()),
  }),
  shortOfAdmins: z.number(),
  adminWarnings: z.array(z.object({ participant: z.string(), warning: z.string() })),
  folders: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      affected: z.number(),
      ready: z.number(),
      notReady: z.number(),
      notReadyFirms: z.array(notReadyFirm),
    }),
  ),
});

export const participantMatch = z.object({
  code: z.string(),
  nameEn: z.string(),
  nameZh: nullable(z.string()),
  userTypes: z.array(z.string()),
});

const ccUser = z.object({
  email: z.string(),
  role: z.enum(['admin', 'operator']),
  functions: z.array(z.string()),
  sftpKeyRegistered: z.boolean(),
  ipRegistered: z.boolean(),
});

export const participantDetail = z.object({
  participant: z.object({
    code: z.string(),
    nameEn: z.string(),
    nameZh: nullable(z.string()),
    userTypes: z.array(z.string()),
    emails: z.array(z.string()),
    language: z.string(),
    users: z.number(),
  }),
  users: z.object({
    source: z.enum(['client_connect', 'directory']),
    fallback: nullable(z.string()),
    list: z.array(ccUser),
    disagreesWithDirectory: z.boolean(),
    directory: z.array(ccUser).optional(),
    adminWarning: nullable(z.string()),
  }),
  folders: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      placement: z.string(),
      liveSince: nullable(instant),
      ready: z.boolean(),
      missing: nullable(z.string()),
      drifts: z.array(z.string()),
    }),
  ),
  notices: z.array(
    z.object({
      kind: z.string(),
      subject: z.string(),
      status: z.string(),
      to: z.array(z.string()),
      folders: z.array(z.string()),
      sentAt: nullable(instant),
      messageId: nullable(z.string()),
      attempts: z.array(z.object({ at: instant, outcome: z.string(), smtp: nullable(z.string()) })),
    }),
  ),
});

const switchBackState = z.object({
  folderCode: z.string(),
  status: z.enum(SWITCH_BACK_STATUSES),
  requestedBy: z.string(),
  reason: z.string(),
  expiresAt: instant,
  approvedBy: nullable(z.string()),
  rejectedBy: nullable(z.string()),
  outcome: nullable(z.string()),
  repair: z.object({ to: z.enum(['legacy', 'live']) }).optional(),
});
export const switchBackStatus = switchBackState.extend({
  move: z.object({
    folderCode: z.string(),
    kind: z.string(),
    step: z.string(),
    outcome: z.string(),
    failure: nullable(z.string()),
    freezeWindowMs: nullable(z.number()),
  }),
});
export const repairStatus = switchBackState;
export const switchBackRequested = z.object({ folderCode: z.string(), requestedBy: z.string() });
export const repairRequested = z.object({ folderCode: z.string(), to: z.string(), requestedBy: z.string() });

const gateItem = z.object({
  item: z.enum(['folders', 'batches', 'switch_backs', 'drift', 'quiet_period']),
  pass: z.boolean(),
  detail: z.string(),
});

export const decommissionState = z.object({
  status: z.enum(DECOMMISSION_STATUSES),
  plannedAt: instant,
  reminderAts: z.array(instant),
  requestedBy: z.string(),
  editors: z.array(z.string()),
  approvedBy: nullable(z.string()),
  plan: z.number(),
  remindersDone: z.array(z.string()),
  announcedFor: nullable(instant),
  gate: nullable(z.array(gateItem)),
  gateCheck: z.enum(['idle', 'checking']),
  gateCheckedAt: nullable(instant),
  freshApproval: z.boolean(),
  recheckMs: z.number(),
  reason: nullable(z.string()),
  seq: z.number(),
});
export const decommissionScheduled = z.object({
  at: instant,
  gate: z.object({ pass: z.boolean(), items: z.array(gateItem) }),
  offDay: nullable(z.string()),
});
export const decommissionView = z.union([
  z.object({
    status: z.string(),
    plannedAt: instant,
    requestedBy: z.string(),
    approvedBy: nullable(z.string()),
    gate: nullable(z.array(gateItem)),
    gateCheckedAt: nullable(instant),
    completedAt: nullable(instant),
    reminderAts: z.array(instant),
    notices: z.array(z.object({ kind: z.string(), subject: z.string(), firms: z.number() })),
  }),
  z.object({ status: z.literal('not scheduled') }),
]);

export const reconcileSummary = z.object({
  trigger: z.enum(['schedule', 'on_demand', 'drill']),
  startedAt: instant,
  durationMs: z.number(),
  folders: z.number(),
  moving: z.array(z.string()),
  unreadable: z.array(z.object({ folder: z.string(), error: z.string() })),
  detected: z.array(driftView),
  resolved: z.array(driftView),
  open: z.array(driftView),
  alertMailError: nullable(z.string()),
  openCount: z.number(),
});
export const driftList = z.object({
  lastPass: nullable(
    z.object({ trigger: z.string(), at: instant, durationMs: z.number(), openDrifts: z.number() }),
  ),
  drifts: z.array(driftView),
});
export const directoryImported = z.object({ participants: z.number(), users: z.number() });

const reportFolder = z.object({
  code: z.string(),
  nameEn: z.string(),
  nameZh: z.string(),
  status: z.enum(['pending', 'running', 'live', 'failed', 'skipped', 'aborted', 'refused']),
  failure: nullable(z.string()),
  startedAt: nullable(instant),
  freezeStartedAt: nullable(instant),
  endedAt: nullable(instant),
  freezeWindowMs: nullable(z.number()),
});
/** A rehearsal of a batch (issue 28): bound to the plan it rehearsed (planHash), each folder's move against the rehearsal environment. */
export const rehearsalView = z.object({
  id: z.string(),
  batchId: z.string(),
  planHash: z.string(),
  plannedAt: instant,
  requestedBy: z.string(),
  environment: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  startedAt: instant,
  finishedAt: nullable(instant),
  durationMs: nullable(z.number()),
  failure: nullable(z.string()),
  notices: nullable(
    z.string().meta({
      description: 'where the rendered notices went (the platform team only), or why none were sent',
    }),
  ),
  readiness: nullable(
    z.object({ affected: z.number(), notReady: z.number(), source: z.string(), at: instant }),
  ),
  folders: z.array(
    z.object({
      code: z.string(),
      status: z.enum(['pending', 'running', 'succeeded', 'compensated', 'refused']),
      step: nullable(z.string()),
      startedAt: nullable(instant),
      finishedAt: nullable(instant),
      freezeWindowMs: nullable(z.number()),
      failure: nullable(z.string()),
    }),
  ),
});
/** A batch's rehearsals, the latest first, and what the approval will make of them. */
export const rehearsalsView = z.object({
  batchId: z.string(),
  planHash: z.string().meta({ description: 'the hash of the plan as it stands (domain/rehearsal.ts)' }),
  line: z.string().meta({
    description: 'the latest rehearsal of this plan in one line (the approve page and batch approve show it)',
  }),
  required: nullable(
    z.string().meta({ description: 'REQUIRE_REHEARSAL (e.g. 7d), or null when approvals need no rehearsal' }),
  ),
  refusal: nullable(
    z.string().meta({ description: 'why an approval would be refused now for want of a rehearsal, or null' }),
  ),
  rehearsals: z.array(rehearsalView),
});

/** A batch's (or a rehearsal's) report: what the console page, the HTML file and the CSV are made from. */
export const reportFacts = z.object({
  kind: z.enum(['batch', 'rehearsal']),
  batch: z.object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    reason: nullable(z.string()),
    plannedAt: instant,
    requestedBy: z.string(),
    approvedBy: nullable(z.string()),
    failurePolicy: z.string(),
    concurrency: z.number(),
    startedAt: nullable(instant),
    finishedAt: nullable(instant),
  }),
  rehearsal: z
    .object({
      id: z.string(),
      requestedBy: z.string(),
      environment: z.string(),
      startedAt: instant,
      finishedAt: nullable(instant),
      outcome: z.string(),
    })
    .optional(),
  timeline: z.array(
    z.object({ at: instant, actor: z.string(), what: z.string(), reason: nullable(z.string()) }),
  ),
  folders: z.array(reportFolder),
  retires: z.array(
    z.object({
      code: z.string(),
      nameEn: z.string(),
      nameZh: z.string(),
      status: z.string(),
      failure: nullable(z.string()),
    }),
  ),
  readiness: nullable(
    z.object({
      at: instant,
      affected: z.number(),
      notReady: z.number(),
      source: z.string(),
      when: z.string(),
    }),
  ),
  notices: z.array(
    z.object({
      kind: z.string(),
      queued: z.number(),
      sent: z.number(),
      failed: z.number(),
      withdrawn: z.number(),
      resent: z.number(),
    }),
  ),
  drift: z.array(
    z.object({ folder: z.string(), kind: z.string(), detectedAt: instant, resolvedAt: nullable(instant) }),
  ),
  generatedAt: instant,
});

export type BatchView = z.infer<typeof batchView>;
export type RehearsalView = z.infer<typeof rehearsalView>;
export type RehearsalsView = z.infer<typeof rehearsalsView>;
export type FolderView = z.infer<typeof folderView>;
export type EventView = z.infer<typeof eventView>;
export type FolderRunView = z.infer<typeof folderRunView>;
export type DriftView = z.infer<typeof driftView>;
