import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps, Operator } from '../app/context';
import { invokeWith } from '../api/invoke';
import { authenticateCounted, type Authenticator, type SignInLimiter } from '../api/auth';
import { API, type ChangeKey } from '../contract/api';
import type { Problem } from '../contract/errors';
import { text } from '../contract/text';
import type { BatchView } from '../contract/views';
import { asHttpError, HttpError } from '../http/errors';
import { html, type Html } from '../http/html';
import { CONSOLE_CSS, CONSOLE_JS } from './assets';
import { isLang, words, type Lang } from './i18n';
import { createOidcLogin, FLOW_COOKIE, type OidcLogin } from './oidc';
import { errorPage, planPage, signInPage, type PageContext, type PlanFormState } from './pages';
import { PAGES, pageParams, renderPath, Redirect } from './page-routes';
import { cookie, createSessions, parseCookies, PRE_COOKIE, randomToken, sameSecret, SESSION_COOKIE, type ConsoleSession, type Sessions } from './session';

/**
 * The operator and support console, a plugin of the control API's server under /console: server-rendered
 * pages, a session cookie instead of a bearer token, a CSRF token in every form. Pages read through the
 * application layer (app/); every change is a route of the control API's contract, called through the same
 * table (api/invoke.ts) with its own schemas, roles and use-case — the console holds no rule of its own. What
 * a page shows (an "approve" link to the planner of the batch, say) is a courtesy: the server refuses what
 * the operator may not do whatever the browser sends.
 */
export interface ConsoleOptions {
  deps: AppDeps;
  auth: Authenticator;
  limiter: SignInLimiter;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The console page's context: language, words, who is signed in. */
    page?: PageContext;
    session?: ConsoleSession | null;
  }
  interface FastifyContextConfig {
    /** A console route anyone may reach (sign-in, assets). */
    open?: boolean;
  }
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const HEADERS = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin', 'cache-control': 'no-store' };
const FORM_LIMIT = 64 * 1024;
const BACK = /^\/console\/[A-Za-z0-9/_-]{0,200}$/;
const DONE: Record<string, string> = { approve: 'approved', reject: 'rejected', pause: 'paused', resume: 'resumed', abort: 'aborted', 'override-readiness': 'overridden', reschedule: 'rescheduled', 'switch-back': 'requested', repair: 'requested', decommission: 'scheduled' };

/** What a page's query may say: every value by the edge's text rule (an unknown key is ignored). */
export const pageQuery = z.object({
  lang: z.enum(['en', 'zh-Hant']).optional(),
  done: text({ max: 32 }).optional(),
  part: z.enum(['progress']).optional(),
  next: text({ max: 300 }).optional(),
  status: text({ max: 32 }).optional(),
  q: text({ max: 100 }).optional(),
  by: text({ max: 16 }).optional(),
  value: text({ max: 64 }).optional(),
  page: text({ max: 8 }).optional(),
  folder: text({ max: 64 }).optional(),
  batch: text({ max: 64 }).optional(),
  participant: text({ max: 64 }).optional(),
  operator: text({ max: 64 }).optional(),
});
type PageQuery = z.output<typeof pageQuery>;

function sendPage(reply: FastifyReply, status: number, page: Html | string, headers: Record<string, string | string[]> = {}) {
  return reply.code(status).headers({ ...HEADERS, ...headers }).type('text/html; charset=utf-8').send(String(page));
}
function redirect(reply: FastifyReply, to: string, headers: Record<string, string | string[]> = {}) {
  return reply.code(303).headers({ ...HEADERS, location: to, ...headers }).send();
}

/** Every refusal of the console is a page in the reader's language (never JSON, never internals). */
export function renderConsoleError(err: HttpError, request: FastifyRequest, reply: FastifyReply) {
  const c = request.page ?? { lang: 'en' as Lang, w: words('en'), op: null, csrf: '', path: '/console/batches', query: {} };
  const message = err.code === 'internal' ? c.w.error.internal : err.code === 'not_found' && !request.routeOptions.url ? c.w.error.notFound : err.message;
  return sendPage(reply, err.status, errorPage(c, message), err.headers);
}

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

function negotiateLang(request: FastifyRequest, query: PageQuery, session: ConsoleSession | null | undefined): Lang {
  if (query.lang) return query.lang;
  if (session) return session.lang;
  const saved = parseCookies(request.headers.cookie).ecp_console_lang;
  if (isLang(saved)) return saved;
  return /^\s*zh\b/i.test(String(request.headers['accept-language'] ?? '')) ? 'zh-Hant' : 'en';
}

function safeNext(raw: string | null | undefined): string {
  return raw && /^\/console\/[A-Za-z0-9/_?=&%.-]{0,300}$/.test(raw) && !raw.startsWith('/console/sign-') && !raw.includes('//') ? raw : '/console/batches';
}

export async function consolePlugin(app: FastifyInstance, o: ConsoleOptions): Promise<void> {
  const { deps } = o;
  const { config } = deps;
  const secure = config.CONSOLE_PUBLIC_URL?.startsWith('https:') ?? false;
  const cookieOpts = { secure };
  const sessions = createSessions({ sessions: deps.stores.sessions, operators: deps.stores.operators, auth: o.auth, sealKey: deps.signer.deriveKey('console-session'), idleMs: config.consoleIdleMs });
  const oidc: OidcLogin | undefined =
    o.auth.mode === 'oidc' && config.OIDC_CLIENT_ID && config.OIDC_ISSUER
      ? createOidcLogin({ issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, clientSecret: config.OIDC_CLIENT_SECRET, publicUrl: config.CONSOLE_PUBLIC_URL, auth: o.auth, secure, flowKey: deps.signer.deriveKey('console-oidc-flow') })
      : undefined;

  await app.register(async (c) => {
    c.addHook('onSend', async (_request, reply) => {
      if (secure) reply.header('strict-transport-security', 'max-age=31536000');
    });
    // Who is signed in, in which language; a change from another site (or a sibling subdomain) is refused whatever it carries.
    c.addHook('preHandler', async (request, reply) => {
      const fetchSite = request.headers['sec-fetch-site'];
      if (request.method === 'POST' && fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') throw new HttpError('csrf', words('en').error.csrf);
      if (request.routeOptions.config?.open && request.routeOptions.url?.startsWith('/console/assets/')) return;
      const query = request.query as PageQuery;
      // A page's own refresh is not activity: an unattended tab does not keep a session alive (but see below).
      const session = await sessions.read(parseCookies(request.headers.cookie)[SESSION_COOKIE], query.part === undefined);
      const lang = negotiateLang(request, query, session);
      request.session = session;
      if (session) request.operatorName = session.operator.name;
      const path = request.url.split('?')[0];
      const rest = Object.fromEntries(Object.entries(query).filter(([k, v]) => k !== 'lang' && k !== 'done' && v !== undefined)) as Record<string, string>;
      request.page = { lang, w: words(lang), op: session?.operator ?? null, csrf: session?.csrf ?? '', path, query: rest };
      if (query.lang) {
        if (session) await sessions.setLang(session.idHash, lang);
        reply.header('set-cookie', cookie('ecp_console_lang', lang, { ...cookieOpts, maxAgeS: 365 * 86400 }));
      }
      if (request.routeOptions.config?.open) return;
      if (!session) {
        if (request.method === 'GET' && query.part === undefined) return void (await redirect(reply, `/console/sign-in?next=${encodeURIComponent(request.url)}`));
        const pre = randomToken();
        return void (await sendPage(reply, 401, signInPage({ ...request.page, path: '/console/sign-in', query: {} }, signInOptions(pre, '/console/batches', request.page.w.signIn.expired)), { 'set-cookie': cookie(PRE_COOKIE, pre, cookieOpts) }));
      }
      // A change: the session's CSRF token first. Signing out needs no role (one removed meanwhile included).
      if (request.method === 'POST') {
        const form = request.body as URLSearchParams;
        if (!sameSecret(form.get('_csrf'), session.csrf)) throw new HttpError('csrf', request.page.w.error.csrf);
        if (request.routeOptions.url === '/console/sign-out') return;
      }
      if (session.operator.roles.length === 0) throw new HttpError('not_allowed', request.page.w.signIn.noRole);
    });

    // Every console route: its query by the edge's text rule, and out of the API's OpenAPI document.
    const schema = { querystring: pageQuery, hide: true };
    const page = { schema };
    const form = { schema, config: { accepts: 'form' as const }, bodyLimit: FORM_LIMIT };
    const open = { schema, config: { open: true } };
    const asset = (type: string, body: string) => async (_q: FastifyRequest, reply: FastifyReply) => reply.headers({ ...HEADERS, 'cache-control': 'no-cache' }).type(type).send(body);
    c.get('/assets/console.css', open, asset('text/css; charset=utf-8', CONSOLE_CSS));
    c.get('/assets/console.js', open, asset('text/javascript; charset=utf-8', CONSOLE_JS));
    c.get('/', page, async (_q, reply) => redirect(reply, '/console/batches'));

    c.get('/sign-in', open, async (request, reply) => {
      const p = request.page!;
      const next = safeNext((request.query as PageQuery).next);
      if (request.session) return redirect(reply, next);
      const pre = randomToken();
      return sendPage(reply, 200, signInPage({ ...p, op: null, csrf: '' }, signInOptions(pre, next)), { 'set-cookie': cookie(PRE_COOKIE, pre, cookieOpts) });
    });
    c.post('/sign-in', { ...form, config: { ...form.config, open: true } }, async (request, reply) => {
      const p = { ...request.page!, op: null, csrf: '' };
      const f = request.body as URLSearchParams;
      const next = safeNext(f.get('next'));
      const again = (status: number, error: string) => {
        const pre = randomToken();
        return sendPage(reply, status, signInPage(p, signInOptions(pre, next, error)), { 'set-cookie': cookie(PRE_COOKIE, pre, cookieOpts) });
      };
      if (!sameSecret(f.get('_pre'), parseCookies(request.headers.cookie)[PRE_COOKIE])) return again(403, p.w.signIn.stale);
      if (o.auth.mode !== 'token') throw new HttpError('not_found', p.w.error.notFound);
      let who: Omit<Operator, 'source'>;
      try {
        who = await authenticateCounted(o.auth, o.limiter, request.ip, `Bearer ${(f.get('token') ?? '').trim()}`);
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) return again(401, p.w.signIn.refused);
        throw err;
      }
      if (who.roles.length === 0) return again(403, p.w.signIn.noRole);
      return startSession(reply, { who, mode: 'token', lang: p.lang, next, previous: request.session ?? null });
    });
    if (oidc) {
      c.get('/oidc/start', open, async (request, reply) => {
        const { location, cookie: flow } = await oidc.start(safeNext((request.query as PageQuery).next), request.headers.host);
        return reply.code(303).headers({ location, 'set-cookie': flow, 'cache-control': 'no-store' }).send();
      });
      c.get('/oidc/callback', open, async (request, reply) => {
        // A callback refused counts as a failed sign-in of its address, as a bad token does.
        const source = `address:${request.ip}`;
        if (o.limiter.blocked(source)) throw o.limiter.refusal(source, 'from this address');
        const query = new URLSearchParams(request.url.split('?')[1] ?? '');
        reply.header('set-cookie', oidc.clearFlow); // on a refusal; a success sends it with the session's cookie
        const who = await oidc.callback(query, parseCookies(request.headers.cookie)[FLOW_COOKIE], request.headers.host).catch((err: unknown) => {
          if (err instanceof HttpError && err.status === 401) o.limiter.failed(source);
          throw err;
        });
        return startSession(reply, { who: who.operator, mode: 'oidc', lang: request.page!.lang, next: safeNext(who.next), previous: request.session ?? null, until: who.expiresAt, jwt: who.jwt, cookies: [oidc.clearFlow] });
      });
    }
    c.post('/sign-out', form, async (request, reply) => {
      await sessions.end(request.session!.idHash);
      return redirect(reply, '/console/sign-in', { 'set-cookie': cookie(SESSION_COOKIE, '', { ...cookieOpts, maxAgeS: 0 }) });
    });

    for (const route of PAGES) {
      c.get(route.url.slice('/console'.length), page, async (request, reply) => {
        const p = request.page!;
        const done = (request.query as PageQuery).done;
        const flash = done && Object.hasOwn(p.w.done, done) ? { ok: p.w.done[done] } : {};
        try {
          const shown = await route.render(deps, p, pageParams(route, request.params as Record<string, string>), flash);
          // A batch being moved is watched, not idle: the room follows it on a screen for as long as it runs.
          if (p.query.part && /data-status="(running|aborting)"/.test(shown.text)) await sessions.touch(request.session!.idHash);
          return sendPage(reply, 200, shown);
        } catch (err) {
          if (err instanceof Redirect) return redirect(reply, err.to);
          throw err;
        }
      });
    }

    c.post('/plan', form, async (request, reply) => plan(request, reply));
    // Every other change is the control API's own route, from the same contract.
    for (const key of Object.keys(API) as ChangeKey[]) {
      const route = API[key];
      if (route.method !== 'POST' || ['POST /api/batches', 'POST /api/batches/preview', 'POST /api/directory/import'].includes(key)) continue;
      c.post(route.path.replace(/^\/api/, '').replace(/\{(\w+)\}/g, ':$1'), form, async (request, reply) => {
        const p = request.page!;
        const f = request.body as URLSearchParams;
        const back = BACK.test(f.get('_back') ?? '') ? f.get('_back')! : '/console/batches';
        try {
          await invokeWith(key, deps, { ...request.session!.operator, source: 'console' }, { params: request.params, body: formBody(f) });
        } catch (err) {
          const e = asHttpError(err);
          if (!e || e.status >= 500) throw err;
          // Refused: the page the form was on, again, saying why (nothing changed).
          const cb: PageContext = { ...p, path: back, query: {} };
          return sendPage(reply, e.status, await renderPath(deps, cb, back, { error: e.message }).catch(() => errorPage(cb, e.message)));
        }
        return redirect(reply, `${back}?done=${DONE[route.path.split('/').pop()!] ?? 'done'}`);
      });
    }
  }, { prefix: '/console' });

  function signInOptions(pre: string, next: string, error?: string) {
    return { pre, next, error, token: o.auth.mode === 'token', oidc: Boolean(oidc) };
  }

  async function plan(request: FastifyRequest, reply: FastifyReply) {
    const p = request.page!;
    const op: Operator = { ...request.session!.operator, source: 'console' };
    const f = request.body as URLSearchParams;
    const values = Object.fromEntries([...f].filter(([k]) => !k.startsWith('_') && k !== 'intent'));
    // Every field of the plan is sent, empty or not, so that each empty one is named beside its field.
    const body = { id: '', name: '', at: '', folders: [], retire: [], ...formBody(f) };
    const state: PlanFormState = { values, problems: [] };
    try {
      if (f.get('intent') === 'preview') {
        const preview = (await invokeWith('POST /api/batches/preview', deps, op, { params: {}, body })) as NonNullable<PlanFormState['preview']> & { problems: Problem[] };
        return sendPage(reply, 200, planPage(p, { ...state, problems: preview.problems, preview }));
      }
      const b = (await invokeWith('POST /api/batches', deps, op, { params: {}, body })) as BatchView;
      return redirect(reply, `/console/batches/${encodeURIComponent(b.id)}?done=planned`);
    } catch (err) {
      const e = asHttpError(err);
      if (!e || e.status >= 500) throw err;
      return sendPage(reply, e.status, planPage(p, { ...state, problems: e.problems, error: e.problems.length ? p.w.planForm.problems(e.problems.length) : e.message }));
    }
  }

  /** A new session (a new cookie: never one the browser brought); the browser's previous session, if any, ends. */
  async function startSession(reply: FastifyReply, s: { who: Omit<Operator, 'source'>; mode: 'token' | 'oidc'; lang: Lang; next: string; previous: ConsoleSession | null; until?: Date; jwt?: string; cookies?: string[] }) {
    if (s.previous) await sessions.end(s.previous.idHash);
    const { cookieValue } = await sessions.create(s.who, s.mode, s.lang, { until: s.until, jwt: s.jwt });
    const set = [cookie(SESSION_COOKIE, cookieValue, cookieOpts), cookie(PRE_COOKIE, '', { ...cookieOpts, maxAgeS: 0 }), ...(s.cookies ?? [])];
    const { lang, next } = s;
    // Back from the identity provider the browser arrived from another site, and would not send a SameSite=Strict
    // cookie on a redirect; a page of our own that moves on does.
    if (s.mode === 'oidc') return sendPage(reply, 200, html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${next}"><title>ECP cutover</title></head><body><a href="${next}">Continue</a></body></html>`, { 'set-cookie': set });
    return redirect(reply, next, { 'set-cookie': set });
  }
}

export type { Sessions };
