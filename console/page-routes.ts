import { dryRun, mustRead } from '../app/batches';
import type { AppDeps } from '../app/context';
import { decommissionGateNow, decommissionStatus } from '../app/decommission';
import {
  findParticipants,
  folderDetail,
  listBatches,
  listEvents,
  listFolders,
  participantView,
} from '../app/reads';
import { batchReport } from '../app/report';
import { rehearsalReport, rehearsalsView } from '../app/rehearsal';
import { EVENTS_PAGE } from '../contract/limits';
import { BATCH_ID, FOLDER_CODE, PARTICIPANT_CODE, REHEARSAL_ID } from '../contract/text';
import { roleRefusal, rolesFor } from '../domain/permissions';
import { isPlacement, PLACEMENTS } from '../domain/placement';
import { asHttpError, HttpError } from '../http/errors';
import type { Html } from '../http/html';
import { approvePage, batchesPage, batchPage, batchProgress, reportPage } from './pages/batches';
import { decommissionPage } from './pages/decommission';
import { EVENT_FILTERS, eventsPage } from './pages/events';
import { folderPage, foldersPage } from './pages/folders';
import type { PageContext } from './pages/layout';
import { participantPage, participantsPage } from './pages/participants';
import { planPage } from './pages/plan';

/**
 * The console's pages: a URL (Fastify's syntax; a parameter with its pattern) and what it shows. The plugin
 * registers each as a route; a form refused on a page renders that page again, found here by its path.
 */
type Flash = { ok?: string; error?: string };
export interface PageRoute {
  url: string;
  params?: Record<string, RegExp>;
  render(deps: AppDeps, c: PageContext, params: Record<string, string>, flash: Flash): Promise<Html>;
}

/** A page that answers with another (a participant code typed into the search finds the firm). */
export class Redirect extends Error {
  constructor(readonly to: string) {
    super(to);
  }
}

/** A refusal of the reading use-case shown on its page (a search too short), not as an error page. */
async function orShow(read: () => Promise<Html>, show: (message: string) => Html): Promise<Html> {
  try {
    return await read();
  } catch (err) {
    const e = asHttpError(err);
    if (e && e.status === 400) return show(e.message);
    throw err;
  }
}

export const PAGES: PageRoute[] = [
  {
    url: '/console/batches',
    render: async (deps, c, _p, flash) => batchesPage(c, await listBatches(deps), flash),
  },
  {
    url: '/console/plan',
    render: async (_deps, c, _p, flash) => {
      // The form is a planner's: anyone else is told why rather than shown a form the server would refuse.
      const refusal = roleRefusal(c.op!, rolesFor('batch.plan'));
      if (refusal) throw new HttpError('not_allowed', refusal);
      return planPage(c, { values: { concurrency: '5' }, problems: [], error: flash.error });
    },
  },
  {
    url: '/console/batches/:id',
    params: { id: BATCH_ID },
    render: async (deps, c, p, flash) => {
      const b = await mustRead(deps, p.id);
      return c.query.part === 'progress'
        ? batchProgress(c, b)
        : batchPage(c, b, flash, await rehearsalsView(deps, b.id));
    },
  },
  {
    url: '/console/batches/:id/report',
    params: { id: BATCH_ID },
    render: async (deps, c, p) => reportPage(c, await batchReport(deps, p.id)),
  },
  {
    url: '/console/batches/:id/approve',
    params: { id: BATCH_ID },
    render: async (deps, c, p, flash) => {
      const b = await mustRead(deps, p.id);
      return approvePage(c, b, await dryRun(deps, b.id, 5), flash, await rehearsalsView(deps, b.id));
    },
  },
  {
    url: '/console/rehearsals/:id/report',
    params: { id: REHEARSAL_ID },
    render: async (deps, c, p) => reportPage(c, await rehearsalReport(deps, p.id)),
  },
  {
    url: '/console/folders',
    render: async (deps, c) => {
      const status = c.query.status || undefined;
      if (status !== undefined && !isPlacement(status))
        throw new HttpError(
          'bad_input',
          `status '${status}' is not a placement: use one of ${PLACEMENTS.join(', ')}`,
        );
      return foldersPage(c, await listFolders(deps, { status }), status, PLACEMENTS);
    },
  },
  {
    url: '/console/folders/:code',
    params: { code: FOLDER_CODE },
    render: async (deps, c, p, flash) => folderPage(c, await folderDetail(deps, p.code), flash),
  },
  {
    url: '/console/participants',
    render: async (deps, c, _p, flash) => {
      const text = (c.query.q ?? '').trim();
      if (/^\d{5}$/.test(text)) throw new Redirect(`/console/participants/${text}`);
      if (text === '') return participantsPage(c, '', null, flash.error);
      return orShow(
        async () => participantsPage(c, text, await findParticipants(deps, text), flash.error),
        (m) => participantsPage(c, text, null, m),
      );
    },
  },
  {
    url: '/console/participants/:participant',
    params: { participant: PARTICIPANT_CODE },
    render: async (deps, c, p) => participantPage(c, await participantView(deps, p.participant)),
  },
  {
    url: '/console/decommission',
    render: async (deps, c, _p, flash) =>
      decommissionPage(
        c,
        (await decommissionStatus(deps)) ?? { status: 'not scheduled' },
        (await decommissionGateNow(deps)).items,
        flash,
      ),
  },
  {
    url: '/console/events',
    render: async (deps, c, _p, flash) => {
      const q = c.query;
      const filter: Record<string, string> = {};
      const by = q.by ?? '';
      const value = (q.value ?? '').trim();
      for (const k of EVENT_FILTERS) if (q[k]) filter[k] = q[k];
      if ((EVENT_FILTERS as readonly string[]).includes(by) && value) filter[by] = value;
      const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(q.page ?? '1', 10) || 1));
      return orShow(
        async () =>
          eventsPage(
            c,
            filter,
            pageNo,
            await listEvents(deps, { ...filter, page: pageNo }),
            EVENTS_PAGE,
            flash.error,
          ),
        (m) => eventsPage(c, {}, 1, [], EVENTS_PAGE, m),
      );
    },
  },
];

const compiled = PAGES.map((p) => {
  const names: string[] = [];
  const re = new RegExp(`^${p.url.replace(/:(\w+)/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
  return { page: p, re, names };
});

/** The parameters of a page's URL, each checked by its pattern (a bad one is 400, as Fastify's schema would say). */
export function pageParams(page: PageRoute, raw: Record<string, string>): Record<string, string> {
  for (const [name, re] of Object.entries(page.params ?? {})) {
    if (!re.test(raw[name] ?? ''))
      throw new HttpError('bad_input', `the path's ${name} '${String(raw[name]).slice(0, 40)}' is not valid`);
  }
  return raw;
}

/** The page at `path` (a form's way back), rendered with a flash; 404 for a path that is no page. */
export function renderPath(deps: AppDeps, c: PageContext, path: string, flash: Flash): Promise<Html> {
  for (const { page, re, names } of compiled) {
    const m = re.exec(path);
    if (m)
      return page.render(
        deps,
        c,
        pageParams(page, Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]))),
        flash,
      );
  }
  throw new HttpError('not_found', c.w.error.notFound);
}
