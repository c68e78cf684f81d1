import { z } from 'zod';
import { abortBatch, approveBatch, dryRun, mustRead, overrideReadiness, pauseBatch, planBatch, previewPlan, rejectBatch, rescheduleBatch, resumeBatch } from '../app/batches';
import type { AppDeps, Operator } from '../app/context';
import { approveDecommission, decommissionStatus, rescheduleDecommission, scheduleDecommission } from '../app/decommission';
import { importDirectory } from '../app/directory';
import { appendix, findParticipants, folderDetail, listBatches, listEvents, listFolders, participantView, readinessReport } from '../app/reads';
import { approveSwitchBack, rejectSwitchBack, requestSwitchBack } from '../app/switch-back';
import { listDrifts, reconcileNow } from '../app/reconcile';
import { approveRepair, rejectRepair, requestRepair } from '../app/repair';
import type { Role } from '../domain/operators';

/**
 * The control API's routes: one line each to a use-case of the application layer (app/). Each names the
 * roles that may call it (any of them; reads are open to every role), the shape of its body and query
 * (validated before anything happens: 400 with the field named), and what it answers — for a change, the
 * new state. The OpenAPI document (/openapi.json) is made from this table.
 */
export interface Route {
  method: 'GET' | 'POST';
  /** OpenAPI style: /api/batches/{id}. */
  path: string;
  summary: string;
  roles: Role[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** Largest body accepted (default 1 MiB). */
  limit?: number;
  created?: boolean;
  /** The answer is text (the appendix), not JSON. */
  text?: boolean;
  handle(c: { deps: AppDeps; op: Operator; params: Record<string, string>; body: never; query: never }): Promise<unknown>;
}

const ALL: Role[] = ['planner', 'approver', 'support'];
const reason = z.string().trim().min(3, 'must say why (at least 3 characters)').max(1000);
const at = z.string().trim().min(1, 'give the time: "YYYY-MM-DD HH:mm" Hong Kong time, or an ISO instant').max(64).describe('"YYYY-MM-DD HH:mm" Hong Kong time, or an ISO instant');
// Types and sizes here; the plan's rules (id, folders, times, calendar, concurrency) are the domain's
// (domain/batch-plan.ts), which answers with every problem at once.
const plan = z.strictObject({
  id: z.string().max(64),
  name: z.string().max(200),
  // Read by the domain with the plan's other fields, so an empty one is reported with every other problem.
  at: z.string().max(64).describe(at.description ?? ''),
  folders: z.array(z.string().max(64)).max(1000),
  onFailure: z.string().max(16).optional(),
  concurrency: z.number({ error: 'must be a whole number from 1 to 500' }).optional(),
  minNotice: z.string().max(16).optional(),
  allowNonBusinessDay: z.boolean().optional(),
  maxNotReady: z.string().max(16).optional(),
  retire: z.array(z.string().max(64)).max(1000).optional(),
});
const withReason = z.strictObject({ reason });
const maybeReason = z.strictObject({ reason: reason.optional() });
const empty = z.strictObject({});
const approval = z.strictObject({ plannedAt: at.optional() });
const withAt = z.strictObject({ at });
const reschedule = z.strictObject({ at, minNotice: z.string().max(16).optional(), allowNonBusinessDay: z.boolean().optional() });

type Body<T extends z.ZodType> = z.infer<T>;

export const ROUTES: Route[] = [
  { method: 'GET', path: '/api/me', summary: 'the signed-in operator, their roles and credential', roles: [], handle: async ({ op }) => op },

  { method: 'GET', path: '/api/folders', summary: 'every folder and where it lives', roles: ALL, query: z.strictObject({ status: z.string().max(32).optional() }), handle: ({ deps, query }) => listFolders(deps, query as { status?: string }) },
  { method: 'GET', path: '/api/folders/{code}', summary: 'one folder: placement, batch, runs, last events', roles: ALL, handle: ({ deps, params }) => folderDetail(deps, params.code) },
  { method: 'POST', path: '/api/folders/{code}/switch-back', summary: 'request a switch-back of a live folder (a second operator approves)', roles: ['planner'], body: withReason, created: true, handle: ({ deps, op, params, body }) => requestSwitchBack(deps, op, params.code, (body as Body<typeof withReason>).reason) },
  { method: 'POST', path: '/api/folders/{code}/switch-back/approve', summary: 'approve a pending switch-back (not your own)', roles: ['approver'], body: empty, handle: ({ deps, op, params }) => approveSwitchBack(deps, op, params.code) },
  { method: 'POST', path: '/api/folders/{code}/switch-back/reject', summary: 'reject a pending switch-back', roles: ['approver'], body: withReason, handle: ({ deps, op, params, body }) => rejectSwitchBack(deps, op, params.code, (body as Body<typeof withReason>).reason) },
  { method: 'POST', path: '/api/folders/{code}/repair', summary: 'request a supervised repair of a stuck or drifted folder to legacy or live (a second operator approves)', roles: ['planner'], body: z.strictObject({ to: z.string().max(16), reason }), created: true, handle: ({ deps, op, params, body }) => requestRepair(deps, op, params.code, (body as { to: string }).to, (body as { reason: string }).reason) },
  { method: 'POST', path: '/api/folders/{code}/repair/approve', summary: 'approve a pending repair (not your own)', roles: ['approver'], body: empty, handle: ({ deps, op, params }) => approveRepair(deps, op, params.code) },
  { method: 'POST', path: '/api/folders/{code}/repair/reject', summary: 'reject a pending repair', roles: ['approver'], body: withReason, handle: ({ deps, op, params, body }) => rejectRepair(deps, op, params.code, (body as Body<typeof withReason>).reason) },

  { method: 'GET', path: '/api/batches', summary: 'every batch, newest first', roles: ALL, handle: ({ deps }) => listBatches(deps) },
  { method: 'POST', path: '/api/batches', summary: 'plan a batch (all or nothing); a second operator approves it', roles: ['planner'], body: plan, created: true, handle: ({ deps, op, body }) => planBatch(deps, op, body as Body<typeof plan>) },
  { method: 'POST', path: '/api/batches/preview', summary: 'check a plan without submitting it: every problem with its field, and what the batch would do (changes nothing)', roles: ['planner'], body: plan, handle: ({ deps, op, body }) => previewPlan(deps, op, body as Body<typeof plan>) },
  { method: 'GET', path: '/api/batches/{id}', summary: 'a batch and each of its folders', roles: ALL, handle: ({ deps, params }) => mustRead(deps, params.id) },
  { method: 'GET', path: '/api/batches/{id}/dry-run', summary: 'what a batch will do, changing nothing', roles: ALL, handle: ({ deps, params }) => dryRun(deps, params.id) },
  { method: 'GET', path: '/api/batches/{id}/readiness', summary: 'per folder: affected firms, ready, not ready and what they lack', roles: ALL, handle: ({ deps, params }) => readinessReport(deps, params.id) },
  { method: 'POST', path: '/api/batches/{id}/approve', summary: 'approve a batch (four eyes); plannedAt: the plan you looked at (refused if it changed since)', roles: ['approver'], body: approval, handle: ({ deps, op, params, body }) => approveBatch(deps, op, params.id, body as Body<typeof approval>) },
  { method: 'POST', path: '/api/batches/{id}/reject', summary: 'reject a batch awaiting approval', roles: ['approver'], body: withReason, handle: ({ deps, op, params, body }) => rejectBatch(deps, op, params.id, (body as Body<typeof withReason>).reason) },
  { method: 'POST', path: '/api/batches/{id}/reschedule', summary: 'move a batch that has not started (voids its approval)', roles: ['planner'], body: reschedule, handle: ({ deps, op, params, body }) => rescheduleBatch(deps, op, params.id, (body as Body<typeof reschedule>).at, body as Body<typeof reschedule>) },
  { method: 'POST', path: '/api/batches/{id}/pause', summary: 'pause a running batch', roles: ['planner'], body: empty, handle: ({ deps, op, params }) => pauseBatch(deps, op, params.id) },
  { method: 'POST', path: '/api/batches/{id}/resume', summary: 'resume a paused batch', roles: ['planner'], body: empty, handle: ({ deps, op, params }) => resumeBatch(deps, op, params.id) },
  { method: 'POST', path: '/api/batches/{id}/abort', summary: 'stop a batch', roles: ['planner', 'approver'], body: maybeReason, handle: ({ deps, op, params, body }) => abortBatch(deps, op, params.id, (body as Body<typeof maybeReason>).reason) },
  { method: 'POST', path: '/api/batches/{id}/override-readiness', summary: 'let a batch blocked on readiness run (four eyes)', roles: ['approver'], body: withReason, handle: ({ deps, op, params, body }) => overrideReadiness(deps, op, params.id, (body as Body<typeof withReason>).reason) },

  { method: 'GET', path: '/api/participants', summary: 'find firms by code or name (English or Chinese), at most 50', roles: ALL, query: z.strictObject({ q: z.string().trim().min(2, 'give at least 2 characters').max(100) }), handle: ({ deps, query }) => findParticipants(deps, (query as { q: string }).q) },
  { method: 'GET', path: '/api/participants/{participant}', summary: "a firm's folders, readiness and notices", roles: ALL, handle: ({ deps, params }) => participantView(deps, params.participant) },
  {
    method: 'GET', path: '/api/events', summary: 'the audit trail, newest first, 50 a page', roles: ALL,
    query: z.strictObject({ folder: z.string().max(16).optional(), batch: z.string().max(32).optional(), participant: z.string().max(5).optional(), operator: z.string().max(64).optional(), page: z.coerce.number().int().min(1).max(100_000).optional() }),
    handle: ({ deps, query }) => listEvents(deps, query),
  },
  { method: 'GET', path: '/api/appendix', summary: 'Appendix 7.3, as the portal serves it', roles: ALL, text: true, query: z.strictObject({ format: z.string().max(8).optional() }), handle: ({ deps, query }) => appendix(deps, (query as { format?: string }).format ?? 'md') },

  { method: 'GET', path: '/api/decommission', summary: 'the decommission: status, gate, notices', roles: ALL, handle: async ({ deps }) => (await decommissionStatus(deps)) ?? { status: 'not scheduled' } },
  { method: 'POST', path: '/api/decommission', summary: 'schedule the decommission of legacy ECP (a second operator approves)', roles: ['planner'], body: withAt, created: true, handle: ({ deps, op, body }) => scheduleDecommission(deps, op, (body as Body<typeof withAt>).at) },
  { method: 'POST', path: '/api/decommission/approve', summary: 'approve the decommission (four eyes); plannedAt: the date you looked at', roles: ['approver'], body: approval, handle: ({ deps, op, body }) => approveDecommission(deps, op, body as Body<typeof approval>) },
  { method: 'POST', path: '/api/decommission/reschedule', summary: 'move the decommission (voids its approval)', roles: ['planner'], body: withAt, handle: ({ deps, op, body }) => rescheduleDecommission(deps, op, (body as Body<typeof withAt>).at) },

  { method: 'POST', path: '/api/reconcile', summary: 'one reconciler pass now: each folder against both platforms; the drifts found', roles: ['planner', 'approver'], body: empty, handle: ({ deps, op }) => reconcileNow(deps, op) },
  { method: 'GET', path: '/api/drifts', summary: 'drift episodes, newest first: the open ones (all=true: the last 200), and the last pass', roles: ALL, query: z.strictObject({ all: z.enum(['true', 'false']).optional() }), handle: ({ deps, query }) => listDrifts(deps, { all: (query as { all?: string }).all === 'true' }) },

  {
    method: 'POST', path: '/api/directory/import', summary: 'import participants and users (CSV text), all or nothing', roles: ['planner'], limit: 32 * 1024 * 1024,
    body: z.strictObject({ participants: z.string().max(16 * 1024 * 1024), users: z.string().max(16 * 1024 * 1024) }),
    handle: ({ deps, op, body }) => importDirectory(deps, op, (body as { participants: string }).participants, (body as { users: string }).users),
  },
];

/** The same route table as an OpenAPI 3.1 document. */
export function openApiDocument(): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  const schema = (t: z.ZodType) => z.toJSONSchema(t, { unrepresentable: 'any' });
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? Object.entries((schema(r.query) as { properties?: Record<string, unknown> }).properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s })) : [];
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      'x-roles': r.roles,
      parameters: [...params, ...query],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body) } } } } : {}),
      responses: {
        [r.created ? '201' : '200']: { description: r.method === 'POST' ? 'the new state' : 'the answer', content: { [r.text ? 'text/plain' : 'application/json']: {} } },
        400: { description: 'bad JSON or a bad field (named)' }, 401: { description: 'no or bad credential' }, 403: { description: 'a role the operator lacks, or four eyes' },
        404: { description: 'no such thing' }, 409: { description: 'not in this state' }, 413: { description: 'body too large' }, 429: { description: 'too many failed sign-ins' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ECP cutover control API', version: '1', description: 'Plan, approve, run and watch the move of submission folders from legacy ECP to ECP 2.0.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an operator token (ecp-cutover operator add) or, in OIDC mode, a JWT of the identity provider' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
