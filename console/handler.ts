import type http from 'node:http';
import { dryRun, mustRead } from '../app/batches';
import type { AppDeps, Operator } from '../app/context';
import { decommissionGateNow, decommissionStatus } from '../app/decommission';
import { EVENTS_PAGE, findParticipants, folderDetail, listBatches, listEvents, listFolders, participantView } from '../app/reads';
import { authenticateCounted, type Authenticator, type SignInLimiter } from '../api/auth';
import { HttpError, readBody } from '../api/http';
import { asHttpError, invokeRoute, matchRoute } from '../api/invoke';
import type { PlanProblem } from '../domain/batch-plan';
import { PLACEMENTS } from '../domain/placement';
import type { BatchView } from '../stores/batch-read';
import { CONSOLE_CSS, CONSOLE_JS } from './assets';
import { html, type Html } from './html';
import { isLang, words, type Lang } from './i18n';
import type { OidcLogin } from './oidc';
import {
  approvePage, batchesPage, EVENT_FILTERS, batchPage, batchProgress, decommissionPage, errorPage, eventsPage, folderPage, foldersPage, participantPage, participantsPage, planPage, signInPage,
  type PageContext, type PlanFormState,
} from './pages';
import { cookie, cookies, createSession, endSession, PRE_COOKIE, randomToken, readSession, sameSecret, SESSION_COOKIE, setSessionLang, touchSession, type ConsoleSession } from './session';

/**
 * The operator and support console, served by the control API under /console: server-rendered pages, a
 * session cookie instead of a bearer token, a CSRF token in every form. Pages read through the application
 * layer (app/); every change is a control-API route called through the same table (api/invoke.ts), so it
 * passes the same role checks, the same validation and the same use-case as the CLI — the console holds no
 * rule of its own. What a page shows (an "approve" link to the planner of the batch, say) is a courtesy:
 * the server refuses what the operator may not do whatever the browser sends.
 */
export interface ConsoleOptions {
  deps: AppDeps;
  auth: Authenticator;
  limiter: SignInLimiter;
  /** A session ends after this long without a request. */
  idleMs: number;
  /** Cookies are Secure (the console is served over https). */
  secure: boolean;
  oidc?: OidcLogin;
  onOperator?: (req: http.IncomingMessage, name: string) => void;
  logError?: (err: unknown, req: http.IncomingMessage) => void;
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const HEADERS = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin', 'cache-control': 'no-store' };
const FORM_LIMIT = 64 * 1024;
const BACK = /^\/console\/[A-Za-z0-9/_-]{0,200}$/;

function sendHtml(res: http.ServerResponse, status: number, page: Html | string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...HEADERS, ...headers });
  res.end(String(page));
}
function redirect(res: http.ServerResponse, to: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { location: to, ...HEADERS, ...headers });
  res.end();
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const body = await readBody(req, FORM_LIMIT);
  if (body.length > 0 && !/^application\/x-www-form-urlencoded\b/i.test(String(req.headers['content-type'] ?? ''))) throw new HttpError(415, 'unsupported_media_type', 'send the form as application/x-www-form-urlencoded');
  return new URLSearchParams(body.toString('utf8'));
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

const DONE: Record<string, string> = { approve: 'approved', reject: 'rejected', pause: 'paused', resume: 'resumed', abort: 'aborted', 'override-readiness': 'overridden', reschedule: 'rescheduled', 'switch-back': 'requested', repair: 'requested', decommission: 'scheduled' };

function negotiateLang(req: http.IncomingMessage, query: URLSearchParams, session: ConsoleSession | null): Lang {
  const asked = query.get('lang');
  if (isLang(asked)) return asked;
  if (session) return session.lang;
  const saved = cookies(req).ecp_console_lang;
  if (isLang(saved)) return saved;
  return /^\s*zh\b/i.test(String(req.headers['accept-language'] ?? '')) ? 'zh-Hant' : 'en';
}

export function createConsole(o: ConsoleOptions) {
  const { deps } = o;
  const cookieOpts = { secure: o.secure };

  async function page(c: PageContext, path: string, flash: { ok?: string; error?: string } = {}): Promise<Html> {
    const q = c.query;
    let m: RegExpExecArray | null;
    if (path === '/console/batches') return batchesPage(c, await listBatches(deps), flash);
    if (path === '/console/plan') return planPage(c, { values: { concurrency: '5' }, problems: [], error: flash.error });
    if ((m = /^\/console\/batches\/([A-Za-z0-9_-]{1,32})$/.exec(path))) {
      const b = await mustRead(deps, m[1]);
      return q.part === 'progress' ? batchProgress(c, b) : batchPage(c, b, flash);
    }
    if ((m = /^\/console\/batches\/([A-Za-z0-9_-]{1,32})\/approve$/.exec(path))) {
      const b = await mustRead(deps, m[1]);
      return approvePage(c, b, await dryRun(deps, b.id, 5), flash);
    }
    if (path === '/console/folders') {
      const status = q.status || undefined;
      return foldersPage(c, await listFolders(deps, { status }), status, PLACEMENTS);
    }
    if ((m = /^\/console\/folders\/([A-Za-z0-9-]{1,16})$/.exec(path))) {
      return folderPage(c, await folderDetail(deps, m[1]), flash);
    }
    if (path === '/console/participants') {
      const text = (q.q ?? '').trim();
      if (/^\d{5}$/.test(text)) throw new Redirect(`/console/participants/${text}`);
      if (text === '') return participantsPage(c, '', null, flash.error);
      try {
        return participantsPage(c, text, await findParticipants(deps, text), flash.error);
      } catch (err) {
        const e = asHttpError(err);
        if (e instanceof HttpError && e.status === 400) return participantsPage(c, text, null, e.message);
        throw err;
      }
    }
    if ((m = /^\/console\/participants\/(\d{5})$/.exec(path))) return participantPage(c, await participantView(deps, m[1]));
    if (path === '/console/decommission') return decommissionPage(c, (await decommissionStatus(deps)) ?? { status: 'not scheduled' }, (await decommissionGateNow(deps)).items, flash);
    if (path === '/console/events') {
      const filter: Record<string, string> = {};
      const by = q.by ?? '';
      const value = (q.value ?? '').trim();
      for (const k of EVENT_FILTERS) if (q[k]) filter[k] = q[k];
      if ((EVENT_FILTERS as readonly string[]).includes(by) && value) filter[by] = value;
      const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(q.page ?? '1', 10) || 1));
      try {
        return eventsPage(c, filter, pageNo, await listEvents(deps, { ...filter, page: pageNo }), EVENTS_PAGE, flash.error);
      } catch (err) {
        const e = asHttpError(err);
        if (e instanceof HttpError && e.status === 400) return eventsPage(c, {}, 1, [], EVENTS_PAGE, e.message);
        throw err;
      }
    }
    throw new HttpError(404, 'not_found', c.w.error.notFound);
  }

  async function plan(c: PageContext, op: Operator, form: URLSearchParams, res: http.ServerResponse): Promise<void> {
    const values = Object.fromEntries([...form].filter(([k]) => !k.startsWith('_') && k !== 'intent'));
    // Every field of the plan is sent, empty or not, so that each empty one is named beside its field.
    const body = { id: '', name: '', at: '', folders: [], retire: [], ...formBody(form) };
    const state: PlanFormState = { values, problems: [] };
    const preview = form.get('intent') === 'preview';
    try {
      if (preview) {
        const p = (await invokeRoute(deps, op, matchRoute('POST', '/api/batches/preview'), { query: {}, body: async () => body })) as NonNullable<PlanFormState['preview']> & { problems: PlanProblem[] };
        return sendHtml(res, 200, planPage(c, { ...state, problems: p.problems, preview: p }));
      }
      const b = (await invokeRoute(deps, op, matchRoute('POST', '/api/batches'), { query: {}, body: async () => body })) as BatchView;
      return redirect(res, `/console/batches/${encodeURIComponent(b.id)}?done=planned`);
    } catch (err) {
      const e = asHttpError(err);
      if (!(e instanceof HttpError) || e.status >= 500) throw err;
      const problems = (e.details.problems as PlanProblem[] | undefined) ?? [];
      return sendHtml(res, e.status, planPage(c, { ...state, problems, error: problems.length ? c.w.planForm.problems(problems.length) : e.message }));
    }
  }

  /** Every answer of the console, a refusal included, is a page in the reader's language (never JSON, never internals). */
  return async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string): Promise<void> {
    const seen: { c?: PageContext } = {};
    try {
      await serve(req, res, url, path, seen);
    } catch (err) {
      const e = asHttpError(err);
      const c = seen.c ?? { lang: 'en', w: words('en'), op: null, csrf: '', path: '/console/batches', query: {} };
      if (res.headersSent) return void res.end();
      if (e instanceof HttpError) return sendHtml(res, e.status, errorPage(c, e.message), e.headers);
      o.logError?.(err, req);
      sendHtml(res, 500, errorPage(c, c.w.error.internal));
    }
  };

  async function serve(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string, seen: { c?: PageContext }): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/console/assets/console.css') return void (res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', ...HEADERS, 'cache-control': 'no-cache' }), res.end(CONSOLE_CSS));
    if (method === 'GET' && path === '/console/assets/console.js') return void (res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...HEADERS, 'cache-control': 'no-cache' }), res.end(CONSOLE_JS));
    if (method !== 'GET' && method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'the console takes GET and POST only');
    // A change is never taken from another site (nor a sibling subdomain), whatever it carries.
    const fetchSite = req.headers['sec-fetch-site'];
    if (method === 'POST' && fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') throw new HttpError(403, 'csrf', words('en').error.csrf);
    if (o.secure) res.setHeader('strict-transport-security', 'max-age=31536000');

    const jar = cookies(req);
    // A page's own refresh is not activity: an unattended tab does not keep a session alive (but see below).
    const polling = url.searchParams.has('part');
    const session = await readSession(deps.db, jar[SESSION_COOKIE], o.idleMs, !polling);
    const lang = negotiateLang(req, url.searchParams, session);
    const langCookie: string[] = [];
    if (isLang(url.searchParams.get('lang'))) {
      if (session) await setSessionLang(deps.db, session.idHash, lang);
      langCookie.push(cookie('ecp_console_lang', lang, { ...cookieOpts, maxAgeS: 365 * 86400 }));
    }
    const query = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'lang' && k !== 'done'));
    const c: PageContext = { lang, w: words(lang), op: session?.operator ?? null, csrf: session?.csrf ?? '', path, query };
    seen.c = c;
    if (session) o.onOperator?.(req, session.operator.name);

    if (path === '/console/sign-in') return signIn(c, req, res, session, langCookie);
    if (path === '/console/oidc/start' || path === '/console/oidc/callback') {
      if (!o.oidc || method !== 'GET') throw new HttpError(404, 'not_found', c.w.error.notFound);
      if (path === '/console/oidc/start') return o.oidc.start(req, res, safeNext(url.searchParams.get('next')));
      // A callback refused counts as a failed sign-in of its address, as a bad token does.
      const source = req.socket.remoteAddress ?? 'unknown';
      if (o.limiter.blocked(source)) throw o.limiter.refusal(source);
      const who = await o.oidc.callback(req, res, url).catch((err: unknown) => {
        if (err instanceof HttpError && err.status === 401) o.limiter.failed(source);
        throw err;
      });
      return startSession(res, { who: who.operator, mode: 'oidc', lang, next: safeNext(who.next), previous: session, until: who.expiresAt, cookies: [who.clearFlow] });
    }

    if (!session) {
      const back = `${path}${url.search}`;
      if (method === 'GET' && url.searchParams.get('part') === null) return redirect(res, `/console/sign-in?next=${encodeURIComponent(back)}`, { 'set-cookie': langCookie });
      const pre = randomToken();
      return sendHtml(res, 401, signInPage({ ...c, path: '/console/sign-in', query: {} }, signInOptions(pre, '/console/batches', c.w.signIn.expired)), { 'set-cookie': cookie(PRE_COOKIE, pre, cookieOpts) });
    }
    // A change: the session's CSRF token first. Signing out needs no role (one removed meanwhile included).
    const form = method === 'POST' ? await readForm(req) : null;
    if (form && !sameSecret(form.get('_csrf') ?? undefined, session.csrf)) throw new HttpError(403, 'csrf', c.w.error.csrf);
    if (form && path === '/console/sign-out') {
      await endSession(deps.db, session.idHash);
      return redirect(res, '/console/sign-in', { 'set-cookie': cookie(SESSION_COOKIE, '', { ...cookieOpts, maxAgeS: 0 }) });
    }
    if (session.operator.roles.length === 0) throw new HttpError(403, 'not_allowed', c.w.signIn.noRole);
    const op: Operator = { ...session.operator, source: 'console' };

    if (!form) {
      if (path === '/console' || path === '/console/') return redirect(res, '/console/batches', { 'set-cookie': langCookie });
      const done = url.searchParams.get('done');
      const flash = done && Object.hasOwn(c.w.done, done) ? { ok: c.w.done[done] } : {};
      try {
        const shown = await page(c, path, flash);
        // A batch being moved is watched, not idle: the room follows it on a screen for as long as it runs.
        if (polling && /data-status="(running|aborting)"/.test(shown.text)) await touchSession(deps.db, session.idHash);
        return sendHtml(res, 200, shown, { 'set-cookie': langCookie });
      } catch (err) {
        if (err instanceof Redirect) return redirect(res, err.to);
        throw err;
      }
    }

    // Then the control API's own route.
    if (path === '/console/plan') return plan(c, op, form, res);
    const apiPath = `/api/${path.slice('/console/'.length)}`;
    const hit = matchRoute('POST', apiPath);
    const back = BACK.test(form.get('_back') ?? '') ? form.get('_back')! : '/console/batches';
    try {
      await invokeRoute(deps, op, hit, { query: {}, body: async () => formBody(form) });
    } catch (err) {
      const e = asHttpError(err);
      if (!(e instanceof HttpError) || e.status >= 500) throw err;
      // Refused: the page the form was on, again, saying why (nothing changed).
      const cb: PageContext = { ...c, path: back, query: {} };
      return sendHtml(res, e.status, await page(cb, back, { error: e.message }).catch(() => errorPage(cb, e.message)));
    }
    const last = apiPath.split('/').pop()!;
    return redirect(res, `${back}?done=${DONE[last] ?? 'done'}`);
  };

  function safeNext(raw: string | null): string {
    return raw && /^\/console\/[A-Za-z0-9/_?=&%.-]{0,300}$/.test(raw) && !raw.startsWith('/console/sign-') && !raw.includes('//') ? raw : '/console/batches';
  }

  function signInOptions(pre: string, next: string, error?: string) {
    return { pre, next, error, token: o.auth.mode === 'token', oidc: Boolean(o.oidc) };
  }

  async function signIn(c: PageContext, req: http.IncomingMessage, res: http.ServerResponse, session: ConsoleSession | null, langCookie: string[]): Promise<void> {
    const sc: PageContext = { ...c, op: null, csrf: '' };
    if (req.method === 'GET') {
      if (session) return redirect(res, safeNext(c.query.next ?? null));
      const pre = randomToken();
      return sendHtml(res, 200, signInPage(sc, signInOptions(pre, safeNext(c.query.next ?? null))), { 'set-cookie': [cookie(PRE_COOKIE, pre, cookieOpts), ...langCookie] });
    }
    const form = await readForm(req);
    const next = safeNext(form.get('next'));
    const again = (status: number, error: string) => {
      const pre = randomToken();
      return sendHtml(res, status, signInPage(sc, signInOptions(pre, next, error)), { 'set-cookie': cookie(PRE_COOKIE, pre, cookieOpts) });
    };
    if (!sameSecret(form.get('_pre') ?? undefined, cookies(req)[PRE_COOKIE])) return again(403, c.w.signIn.stale);
    if (o.auth.mode !== 'token') throw new HttpError(404, 'not_found', c.w.error.notFound);
    let who: Omit<Operator, 'source'>;
    try {
      who = await authenticateCounted(o.auth, o.limiter, req.socket.remoteAddress ?? 'unknown', `Bearer ${(form.get('token') ?? '').trim()}`);
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) return again(401, c.w.signIn.refused);
      throw err;
    }
    if (who.roles.length === 0) return again(403, c.w.signIn.noRole);
    return startSession(res, { who, mode: 'token', lang: c.lang, next, previous: session });
  }

  /** A new session (a new cookie: never one the browser brought); the browser's previous session, if any, ends. */
  async function startSession(res: http.ServerResponse, s: { who: Omit<Operator, 'source'>; mode: 'token' | 'oidc'; lang: Lang; next: string; previous: ConsoleSession | null; until?: Date; cookies?: string[] }): Promise<void> {
    if (s.previous) await endSession(deps.db, s.previous.idHash);
    const { cookieValue } = await createSession(deps.db, s.who, s.mode, s.lang, s.until);
    const set = [cookie(SESSION_COOKIE, cookieValue, cookieOpts), cookie(PRE_COOKIE, '', { ...cookieOpts, maxAgeS: 0 }), ...(s.cookies ?? [])];
    const { lang, next } = s;
    // Back from the identity provider the browser arrived from another site, and would not send a SameSite=Strict
    // cookie on a redirect; a page of our own that moves on does.
    if (s.mode === 'oidc') return sendHtml(res, 200, html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${next}"><title>ECP cutover</title></head><body><a href="${next}">Continue</a></body></html>`, { 'set-cookie': set });
    return redirect(res, next, { 'set-cookie': set });
  }
}

/** A page that answers with another (a participant code typed into the search finds the firm). */
class Redirect extends Error {
  constructor(readonly to: string) {
    super(to);
  }
}
