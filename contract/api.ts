import { z } from 'zod';
import { OPERATOR_NAME, type Role } from '../domain/operators';
import { rolesFor } from '../domain/permissions';
import { PLACEMENTS } from '../domain/placement';
import { BODY_LIMIT, IMPORT_LIMIT } from './limits';
import { batchId, folderCode, identifier, participantCode, reason, rehearsalId, text, when } from './text';
import * as v from './views';

/**
 * The control API, as a table: one entry per route — method and path, who may call it, the schemas of its
 * path parameters, query, body and reply, its body limit. The server registers it (api/routes.ts gives each
 * entry its use-case), the OpenAPI document is generated from it, the console's forms call its POST routes,
 * and the CLI's client is typed by it — a route changed here that breaks a caller fails `npm run build`.
 *
 * Every string a route takes is a `text()` or an identifier with its pattern (contract/text.ts): the HTTP
 * layer refuses to register anything else.
 */
export interface RouteContract {
  method: 'GET' | 'POST';
  /** OpenAPI style: /api/batches/{id}. */
  path: string;
  summary: string;
  /** Any of these roles may call it; [] = any signed-in operator (even one without a role). */
  roles: readonly Role[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodObject;
  reply: z.ZodType;
  /** 201 for a route that creates something. */
  status?: 200 | 201;
  /** The reply is text/plain (the appendix). */
  textReply?: boolean;
  /** Largest body accepted, in bytes (default BODY_LIMIT). */
  limit?: number;
}

export { BODY_LIMIT, IMPORT_LIMIT };

// Who may call a route is domain/permissions.ts's to say: each route names its command there.
const READ = rolesFor('read');

const byId = z.strictObject({ id: batchId });
const byRehearsal = z.strictObject({ id: rehearsalId });
const byCode = z.strictObject({ code: folderCode });
const byParticipant = z.strictObject({ participant: participantCode });

const empty = z.strictObject({});
const withReason = z.strictObject({ reason });
const maybeReason = z.strictObject({ reason: reason.optional() });
const approval = z.strictObject({
  plannedAt: when
    .optional()
    .describe('the plan you looked at (its planned time): refused if it changed since'),
});
const withAt = z.strictObject({ at: when });
const duration = text({ max: 16, description: 'a duration: 90s, 15m, 7d' });
// Types and sizes here; the plan's rules (id, folders, times, calendar, concurrency) are the domain's
// (domain/batch-plan.ts), which answers with every problem at once, each with its field.
const plan = z.strictObject({
  id: text({ max: 64 }),
  name: text({ max: 200 }),
  at: text({ max: 64, description: when.description }),
  folders: z.array(text({ max: 64 })).max(1000),
  onFailure: text({ max: 16, description: 'continue or halt' }).optional(),
  concurrency: z.number({ error: 'must be a whole number from 1 to 500' }).optional(),
  minNotice: duration.optional(),
  allowNonBusinessDay: z.boolean().optional(),
  maxNotReady: text({ max: 16, description: 'a number of firms (10) or a percentage (5%)' }).optional(),
  retire: z
    .array(text({ max: 64 }))
    .max(1000)
    .optional(),
});
const reschedule = z.strictObject({
  at: when,
  minNotice: duration.optional(),
  allowNonBusinessDay: z.boolean().optional(),
});
const csv = text({ kind: 'document', max: 32 * 1024 * 1024, trim: false });

const route = <const C extends RouteContract>(c: C): C => c;

export const API = {
  'GET /api/me': route({
    method: 'GET',
    path: '/api/me',
    summary: 'the signed-in operator, their roles and credential',
    roles: rolesFor('whoami'),
    reply: v.operatorView,
  }),

  'GET /api/folders': route({
    method: 'GET',
    path: '/api/folders',
    summary: 'every folder and where it lives',
    roles: READ,
    query: z.strictObject({
      status: z
        .enum(PLACEMENTS, { error: `must be a placement: one of ${PLACEMENTS.join(', ')}` })
        .optional(),
    }),
    reply: z.array(v.folderView),
  }),
  'GET /api/folders/{code}': route({
    method: 'GET',
    path: '/api/folders/{code}',
    summary: 'one folder: placement, batch, runs, last events, drift, pending requests',
    roles: READ,
    params: byCode,
    reply: v.folderDetail,
  }),
  'POST /api/folders/{code}/switch-back': route({
    method: 'POST',
    path: '/api/folders/{code}/switch-back',
    summary: 'request a switch-back of a live folder (a second operator approves)',
    roles: rolesFor('switch_back.request'),
    params: byCode,
    body: withReason,
    reply: v.switchBackRequested,
    status: 201,
  }),
  'POST /api/folders/{code}/switch-back/approve': route({
    method: 'POST',
    path: '/api/folders/{code}/switch-back/approve',
    summary: 'approve a pending switch-back (not your own)',
    roles: rolesFor('switch_back.approve'),
    params: byCode,
    body: empty,
    reply: v.switchBackStatus,
  }),
  'POST /api/folders/{code}/switch-back/reject': route({
    method: 'POST',
    path: '/api/folders/{code}/switch-back/reject',
    summary: 'reject a pending switch-back',
    roles: rolesFor('switch_back.reject'),
    params: byCode,
    body: withReason,
    reply: v.switchBackStatus,
  }),
  'POST /api/folders/{code}/repair': route({
    method: 'POST',
    path: '/api/folders/{code}/repair',
    summary:
      'request a supervised repair of a stuck or drifted folder to legacy or live (a second operator approves)',
    roles: rolesFor('repair.request'),
    params: byCode,
    body: z.strictObject({ to: z.enum(['legacy', 'live'], { error: "must be 'legacy' or 'live'" }), reason }),
    reply: v.repairRequested,
    status: 201,
  }),
  'POST /api/folders/{code}/repair/approve': route({
    method: 'POST',
    path: '/api/folders/{code}/repair/approve',
    summary: 'approve a pending repair (not your own)',
    roles: rolesFor('repair.approve'),
    params: byCode,
    body: empty,
    reply: v.repairStatus,
  }),
  'POST /api/folders/{code}/repair/reject': route({
    method: 'POST',
    path: '/api/folders/{code}/repair/reject',
    summary: 'reject a pending repair',
    roles: rolesFor('repair.reject'),
    params: byCode,
    body: withReason,
    reply: v.repairStatus,
  }),

  'GET /api/batches': route({
    method: 'GET',
    path: '/api/batches',
    summary: 'every batch, newest first',
    roles: READ,
    reply: z.array(v.batchView),
  }),
  'POST /api/batches': route({
    method: 'POST',
    path: '/api/batches',
    summary: 'plan a batch (all or nothing); a second operator approves it',
    roles: rolesFor('batch.plan'),
    body: plan,
    reply: v.batchView,
    status: 201,
  }),
  'POST /api/batches/preview': route({
    method: 'POST',
    path: '/api/batches/preview',
    summary:
      'check a plan without submitting it: every problem with its field, and what the batch would do (changes nothing)',
    roles: rolesFor('batch.plan'),
    body: plan,
    reply: v.planPreview,
  }),
  'GET /api/batches/{id}': route({
    method: 'GET',
    path: '/api/batches/{id}',
    summary: 'a batch and each of its folders',
    roles: READ,
    params: byId,
    reply: v.batchView,
  }),
  'GET /api/batches/{id}/dry-run': route({
    method: 'GET',
    path: '/api/batches/{id}/dry-run',
    summary: 'what a batch will do, changing nothing',
    roles: READ,
    params: byId,
    reply: v.dryRunView,
  }),
  'GET /api/batches/{id}/report': route({
    method: 'GET',
    path: '/api/batches/{id}/report',
    summary:
      "a batch's report: plan and decisions, each folder's move and outcome, freeze windows, readiness, notices, drift",
    roles: READ,
    params: byId,
    reply: v.reportFacts,
  }),
  'GET /api/batches/{id}/readiness': route({
    method: 'GET',
    path: '/api/batches/{id}/readiness',
    summary: 'per folder: affected firms, ready, not ready and what they lack',
    roles: READ,
    params: byId,
    reply: v.readinessView,
  }),
  // Rehearsals (issue 28): the batch's moves now, against the platforms' rehearsal environment; the live record is never touched.
  'POST /api/batches/{id}/rehearse': route({
    method: 'POST',
    path: '/api/batches/{id}/rehearse',
    summary:
      "rehearse a batch not yet started: its folder moves now, against the platforms' rehearsal environment (answers once recorded; the moves go on)",
    roles: rolesFor('batch.rehearse'),
    params: byId,
    body: empty,
    reply: v.rehearsalView,
    status: 201,
  }),
  'GET /api/batches/{id}/rehearsals': route({
    method: 'GET',
    path: '/api/batches/{id}/rehearsals',
    summary:
      "a batch's rehearsals (latest first), the latest of this plan in one line, and whether REQUIRE_REHEARSAL would refuse an approval now",
    roles: READ,
    params: byId,
    reply: v.rehearsalsView,
  }),
  'GET /api/rehearsals/{id}': route({
    method: 'GET',
    path: '/api/rehearsals/{id}',
    summary: 'a rehearsal: its outcome, each folder, freeze windows, readiness, notices',
    roles: READ,
    params: byRehearsal,
    reply: v.rehearsalView,
  }),
  'GET /api/rehearsals/{id}/report': route({
    method: 'GET',
    path: '/api/rehearsals/{id}/report',
    summary: "a rehearsal's report (as a batch's: kind rehearsal)",
    roles: READ,
    params: byRehearsal,
    reply: v.reportFacts,
  }),
  'POST /api/batches/{id}/approve': route({
    method: 'POST',
    path: '/api/batches/{id}/approve',
    summary: 'approve a batch (four eyes); plannedAt: the plan you looked at (refused if it changed since)',
    roles: rolesFor('batch.approve'),
    params: byId,
    body: approval,
    reply: v.batchView,
  }),
  'POST /api/batches/{id}/reject': route({
    method: 'POST',
    path: '/api/batches/{id}/reject',
    summary: 'reject a batch awaiting approval',
    roles: rolesFor('batch.reject'),
    params: byId,
    body: withReason,
    reply: v.batchView,
  }),
  'POST /api/batches/{id}/reschedule': route({
    method: 'POST',
    path: '/api/batches/{id}/reschedule',
    summary: 'move a batch that has not started (voids its approval)',
    roles: rolesFor('batch.reschedule'),
    params: byId,
    body: reschedule,
    reply: v.batchView,
  }),
  'POST /api/batches/{id}/pause': route({
    method: 'POST',
    path: '/api/batches/{id}/pause',
    summary: 'pause a running batch',
    roles: rolesFor('batch.pause'),
    params: byId,
    body: empty,
    reply: v.batchView,
  }),
  'POST /api/batches/{id}/resume': route({
    method: 'POST',
    path: '/api/batches/{id}/resume',
    summary: 'resume a paused batch',
    roles: rolesFor('batch.resume'),
    params: byId,
    body: empty,
    reply: v.batchView,
  }),
  'POST /api/batches/{id}/abort': route({
    method: 'POST',
    path: '/api/batches/{id}/abort',
    summary: 'stop a batch',
    roles: rolesFor('batch.abort'),
    params: byId,
    body: maybeReason,
    reply: v.batchView,
  }),
  'POST /api/batches/{id}/override-readiness': route({
    method: 'POST',
    path: '/api/batches/{id}/override-readiness',
    summary: 'let a batch blocked on readiness run (four eyes)',
    roles: rolesFor('batch.override_readiness'),
    params: byId,
    body: withReason,
    reply: v.batchView,
  }),

  'GET /api/participants': route({
    method: 'GET',
    path: '/api/participants',
    summary: 'find firms by code or name (English or Chinese), at most 50',
    roles: READ,
    query: z.strictObject({ q: text({ min: 2, max: 100, tooShort: 'give at least 2 characters' }) }),
    reply: z.array(v.participantMatch),
  }),
  'GET /api/participants/{participant}': route({
    method: 'GET',
    path: '/api/participants/{participant}',
    summary: "a firm's folders, readiness and notices",
    roles: READ,
    params: byParticipant,
    reply: v.participantDetail,
  }),
  'GET /api/events': route({
    method: 'GET',
    path: '/api/events',
    summary: 'the audit trail, newest first, 50 a page',
    roles: READ,
    query: z.strictObject({
      folder: folderCode.optional(),
      batch: batchId.optional(),
      participant: participantCode.optional(),
      operator: identifier(
        OPERATOR_NAME,
        'an operator name: lower-case letters, digits, ., _ or -',
        64,
      ).optional(),
      page: z.coerce.number().int().min(1).max(100_000).optional(),
    }),
    reply: z.array(v.eventView),
  }),
  'GET /api/appendix': route({
    method: 'GET',
    path: '/api/appendix',
    summary: 'Appendix 7.3, as the portal serves it',
    roles: READ,
    query: z.strictObject({
      format: z.enum(['md', 'html', 'csv'], { error: 'format must be md, html or csv' }).optional(),
    }),
    reply: z.string(),
    textReply: true,
  }),

  'GET /api/decommission': route({
    method: 'GET',
    path: '/api/decommission',
    summary: 'the decommission: status, gate, notices',
    roles: READ,
    reply: v.decommissionView,
  }),
  'POST /api/decommission': route({
    method: 'POST',
    path: '/api/decommission',
    summary: 'schedule the decommission of legacy ECP (a second operator approves)',
    roles: rolesFor('decommission.schedule'),
    body: withAt,
    reply: v.decommissionScheduled,
    status: 201,
  }),
  'POST /api/decommission/approve': route({
    method: 'POST',
    path: '/api/decommission/approve',
    summary: 'approve the decommission (four eyes); plannedAt: the date you looked at',
    roles: rolesFor('decommission.approve'),
    body: approval,
    reply: v.decommissionState,
  }),
  'POST /api/decommission/reschedule': route({
    method: 'POST',
    path: '/api/decommission/reschedule',
    summary: 'move the decommission (voids its approval)',
    roles: rolesFor('decommission.reschedule'),
    body: withAt,
    reply: v.decommissionState,
  }),

  'POST /api/reconcile': route({
    method: 'POST',
    path: '/api/reconcile',
    summary: 'one reconciler pass now: each folder against both platforms; the drifts found',
    roles: rolesFor('reconcile.run'),
    body: empty,
    reply: v.reconcileSummary,
  }),
  'GET /api/drifts': route({
    method: 'GET',
    path: '/api/drifts',
    summary: 'drift episodes, newest first: the open ones (all=true: the last 200), and the last pass',
    roles: READ,
    query: z.strictObject({ all: z.enum(['true', 'false']).optional() }),
    reply: v.driftList,
  }),

  'POST /api/directory/import': route({
    method: 'POST',
    path: '/api/directory/import',
    summary: 'import participants and users (CSV text), all or nothing',
    roles: rolesFor('directory.import'),
    limit: IMPORT_LIMIT,
    body: z.strictObject({ participants: csv, users: csv }),
    reply: v.directoryImported,
  }),
} as const;

export type Api = typeof API;
export type RouteKey = keyof Api;

type Out<T> = T extends z.ZodType ? z.output<T> : Record<never, never>;
type In<T> = T extends z.ZodType ? z.input<T> : Record<never, never>;
/** What a handler gets (validated, normalised) and must answer. */
export type ParamsOf<K extends RouteKey> = Out<Api[K] extends { params: infer P } ? P : undefined>;
export type QueryOf<K extends RouteKey> = Out<Api[K] extends { query: infer Q } ? Q : undefined>;
export type BodyOf<K extends RouteKey> = Out<Api[K] extends { body: infer B } ? B : undefined>;
export type ReplyOf<K extends RouteKey> = z.output<Api[K]['reply']>;
/** What a client sends. */
export type ParamsIn<K extends RouteKey> = In<Api[K] extends { params: infer P } ? P : undefined>;
export type QueryIn<K extends RouteKey> = In<Api[K] extends { query: infer Q } ? Q : undefined>;
export type BodyIn<K extends RouteKey> = In<Api[K] extends { body: infer B } ? B : undefined>;
/** What a client receives (the reply as encoded on the wire). */
export type ReplyIn<K extends RouteKey> = z.input<Api[K]['reply']>;
/** A call's input: path parameters required where the path has them. */
export type CallInput<K extends RouteKey> = (keyof ParamsIn<K> extends never
  ? { params?: undefined }
  : { params: ParamsIn<K> }) & { query?: QueryIn<K>; body?: BodyIn<K> };

/** The routes a console form may call: the changes (POST). */
export type ChangeKey = { [K in RouteKey]: Api[K]['method'] extends 'POST' ? K : never }[RouteKey];
