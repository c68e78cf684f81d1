import {
  abortBatch,
  approveBatch,
  dryRun,
  mustRead,
  overrideReadiness,
  pauseBatch,
  planBatch,
  previewPlan,
  rejectBatch,
  rescheduleBatch,
  resumeBatch,
} from '../app/batches';
import type { AppDeps, Operator } from '../app/context';
import {
  approveDecommission,
  decommissionStatus,
  rescheduleDecommission,
  scheduleDecommission,
} from '../app/decommission';
import { importDirectory } from '../app/directory';
import {
  appendix,
  findParticipants,
  folderDetail,
  listBatches,
  listEvents,
  listFolders,
  participantView,
  readinessReport,
} from '../app/reads';
import { listDrifts, reconcileNow } from '../app/reconcile';
import { batchReport } from '../app/report';
import { rehearsalOf, rehearsalReport, rehearsalsView, rehearseBatch } from '../app/rehearsal';
import { approveRepair, rejectRepair, requestRepair } from '../app/repair';
import { approveSwitchBack, rejectSwitchBack, requestSwitchBack } from '../app/switch-back';
import type { BodyOf, ParamsOf, QueryOf, ReplyOf, RouteKey } from '../contract/api';

/**
 * Each route of the contract (contract/api.ts) to its use-case in the application layer: one line each. A
 * handler gets its input validated and normalised by the route's schemas and must answer what the reply
 * schema says — `npm run build` fails otherwise.
 */
export interface Call<K extends RouteKey> {
  deps: AppDeps;
  op: Operator;
  params: ParamsOf<K>;
  query: QueryOf<K>;
  body: BodyOf<K>;
}
export type Handlers = { [K in RouteKey]: (c: Call<K>) => Promise<ReplyOf<K>> };

export const HANDLERS: Handlers = {
  'GET /api/me': async ({ op }) => op,

  'GET /api/folders': ({ deps, query }) => listFolders(deps, query),
  'GET /api/folders/{code}': ({ deps, params }) => folderDetail(deps, params.code),
  'POST /api/folders/{code}/switch-back': ({ deps, op, params, body }) =>
    requestSwitchBack(deps, op, params.code, body.reason),
  'POST /api/folders/{code}/switch-back/approve': ({ deps, op, params }) =>
    approveSwitchBack(deps, op, params.code),
  'POST /api/folders/{code}/switch-back/reject': ({ deps, op, params, body }) =>
    rejectSwitchBack(deps, op, params.code, body.reason),
  'POST /api/folders/{code}/repair': ({ deps, op, params, body }) =>
    requestRepair(deps, op, params.code, body.to, body.reason),
  'POST /api/folders/{code}/repair/approve': ({ deps, op, params }) => approveRepair(deps, op, params.code),
  'POST /api/folders/{code}/repair/reject': ({ deps, op, params, body }) =>
    rejectRepair(deps, op, params.code, body.reason),

  'GET /api/batches': ({ deps }) => listBatches(deps),
  'POST /api/batches': ({ deps, op, body }) => planBatch(deps, op, body),
  'POST /api/batches/preview': ({ deps, op, body }) => previewPlan(deps, op, body),
  'GET /api/batches/{id}': ({ deps, params }) => mustRead(deps, params.id),
  'GET /api/batches/{id}/dry-run': ({ deps, params }) => dryRun(deps, params.id),
  'GET /api/batches/{id}/readiness': ({ deps, params }) => readinessReport(deps, params.id),
  'GET /api/batches/{id}/report': ({ deps, params }) => batchReport(deps, params.id),
  'POST /api/batches/{id}/rehearse': ({ deps, op, params }) => rehearseBatch(deps, op, params.id),
  'GET /api/batches/{id}/rehearsals': ({ deps, params }) => rehearsalsView(deps, params.id),
  'GET /api/rehearsals/{id}': ({ deps, params }) => rehearsalOf(deps, params.id),
  'GET /api/rehearsals/{id}/report': ({ deps, params }) => rehearsalReport(deps, params.id),
  'POST /api/batches/{id}/approve': ({ deps, op, params, body }) => approveBatch(deps, op, params.id, body),
  'POST /api/batches/{id}/reject': ({ deps, op, params, body }) =>
    rejectBatch(deps, op, params.id, body.reason),
  'POST /api/batches/{id}/reschedule': ({ deps, op, params, body }) =>
    rescheduleBatch(deps, op, params.id, body.at, body),
  'POST /api/batches/{id}/pause': ({ deps, op, params }) => pauseBatch(deps, op, params.id),
  'POST /api/batches/{id}/resume': ({ deps, op, params }) => resumeBatch(deps, op, params.id),
  'POST /api/batches/{id}/abort': ({ deps, op, params, body }) =>
    abortBatch(deps, op, params.id, body.reason),
  'POST /api/batches/{id}/override-readiness': ({ deps, op, params, body }) =>
    overrideReadiness(deps, op, params.id, body.reason),

  'GET /api/participants': ({ deps, query }) => findParticipants(deps, query.q),
  'GET /api/participants/{participant}': ({ deps, params }) => participantView(deps, params.participant),
  'GET /api/events': ({ deps, query }) => listEvents(deps, query),
  'GET /api/appendix': ({ deps, query }) => appendix(deps, query.format ?? 'md'),

  'GET /api/decommission': async ({ deps }) =>
    (await decommissionStatus(deps)) ?? { status: 'not scheduled' as const },
  'POST /api/decommission': ({ deps, op, body }) => scheduleDecommission(deps, op, body.at),
  'POST /api/decommission/approve': ({ deps, op, body }) => approveDecommission(deps, op, body),
  'POST /api/decommission/reschedule': ({ deps, op, body }) => rescheduleDecommission(deps, op, body.at),

  'POST /api/reconcile': ({ deps, op }) => reconcileNow(deps, op),
  'GET /api/drifts': ({ deps, query }) => listDrifts(deps, { all: query.all === 'true' }),

  'POST /api/directory/import': ({ deps, op, body }) =>
    importDirectory(deps, op, body.participants, body.users),
};
