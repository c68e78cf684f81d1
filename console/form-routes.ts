import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Operator } from '../app/context';
import { invokeWith } from '../api/invoke';
import { API, type ChangeKey } from '../contract/api';
import type { BatchView } from '../contract/views';
import { asHttpError } from '../http/errors';
import { renderPath } from './page-routes';
import { errorPage, type PageContext } from './pages/layout';
import { planPage, type PlanFormState } from './pages/plan';
import { redirect, ROUTE, sendPage, type Console } from './routing';

const BACK = /^\/console\/[A-Za-z0-9/_-]{0,200}$/;
const DONE: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  pause: 'paused',
  resume: 'resumed',
  abort: 'aborted',
  'override-readiness': 'overridden',
  reschedule: 'rescheduled',
  'switch-back': 'requested',
  repair: 'requested',
  decommission: 'scheduled',
  rehearse: 'rehearsing',
};

/** A form's fields as the route's JSON body: lists split, numbers and ticks read, empty fields left out. */
function formBody(form: URLSearchParams): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, raw] of form) {
    if (k.startsWith('_') || k === 'intent' || k === 'next') continue;
    const v = raw.trim();
    if (v === '') continue;
    if (k === 'folders' || k === 'retire') body[k] = v.split(/[\s,]+/).filter(Boolean);
    else if (k === 'concurrency') body[k] = /^\d+$/.test(v) ? Number(v) : v;
    else if (k === 'allowNonBusinessDay') body[k] = v === 'true' || v === 'on';
    else body[k] = v;
  }
  return body;
}

/**
 * The console's changes: the plan form (its preview, or the plan), and every other change as the control API's
 * own route from the same contract. A refusal shows the page the form was on, again, saying why.
 */
export function registerForms(c: FastifyInstance, k: Console): void {
  c.post('/plan', ROUTE.form, async (request, reply) => planForm(k, request, reply));
  for (const key of Object.keys(API) as ChangeKey[]) {
    const route = API[key];
    if (
      route.method !== 'POST' ||
      ['POST /api/batches', 'POST /api/batches/preview', 'POST /api/directory/import'].includes(key)
    )
      continue;
    c.post(
      route.path.replace(/^\/api/, '').replace(/\{(\w+)\}/g, ':$1'),
      ROUTE.form,
      async (request, reply) => {
        const p = request.page!;
        const f = request.body as URLSearchParams;
        const back = BACK.test(f.get('_back') ?? '') ? f.get('_back')! : '/console/batches';
        try {
          await invokeWith(
            key,
            k.deps,
            { ...request.session!.operator, source: 'console' },
            { params: request.params, body: formBody(f) },
          );
        } catch (err) {
          const e = asHttpError(err);
          if (!e || e.status >= 500) throw err;
          // Refused: the page the form was on, again, saying why (nothing changed).
          const cb: PageContext = { ...p, path: back, query: {} };
          return sendPage(
            reply,
            e.status,
            await renderPath(k.deps, cb, back, { error: e.message }).catch(() => errorPage(cb, e.message)),
          );
        }
        return redirect(reply, `${back}?done=${DONE[route.path.split('/').pop()!] ?? 'done'}`);
      },
    );
  }
}

/** The plan form: a preview (a dry run, every problem beside its field), or the plan itself. */
async function planForm(k: Console, request: FastifyRequest, reply: FastifyReply) {
  const p = request.page!;
  const op: Operator = { ...request.session!.operator, source: 'console' };
  const f = request.body as URLSearchParams;
  const values = Object.fromEntries([...f].filter(([key]) => !key.startsWith('_') && key !== 'intent'));
  // Every field of the plan is sent, empty or not, so that each empty one is named beside its field.
  const body = { id: '', name: '', at: '', folders: [], retire: [], ...formBody(f) };
  const state: PlanFormState = { values, problems: [] };
  try {
    if (f.get('intent') === 'preview') {
      const preview = (await invokeWith('POST /api/batches/preview', k.deps, op, {
        params: {},
        body,
      })) as NonNullable<PlanFormState['preview']>;
      return sendPage(reply, 200, planPage(p, { ...state, problems: preview.problems, preview }));
    }
    const b = (await invokeWith('POST /api/batches', k.deps, op, { params: {}, body })) as BatchView;
    return redirect(reply, `/console/batches/${encodeURIComponent(b.id)}?done=planned`);
  } catch (err) {
    const e = asHttpError(err);
    if (!e || e.status >= 500) throw err;
    return sendPage(
      reply,
      e.status,
      planPage(p, {
        ...state,
        problems: e.problems,
        error: e.problems.length ? p.w.planForm.problems(e.problems.length) : e.message,
      }),
    );
  }
}
