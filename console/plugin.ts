import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app/context';
import type { Authenticator, SignInLimiter } from '../api/auth';
import { HttpError } from '../http/errors';
import { CONSOLE_CSS, CONSOLE_JS } from './assets';
import { registerForms } from './form-routes';
import { isLang, words, type Lang } from './i18n';
import { createOidcLogin } from './oidc';
import { PAGES, pageParams, Redirect } from './page-routes';
import { errorPage, type PageContext } from './pages/layout';
import { signInPage } from './pages/sign-in';
import { HEADERS, redirect, ROUTE, sendPage, type Console, type PageQuery } from './routing';
import {
  cookie,
  createSessions,
  parseCookies,
  PRE_COOKIE,
  randomToken,
  sameSecret,
  SESSION_COOKIE,
  type ConsoleSession,
  type Sessions,
} from './session';
import { registerOidc, registerSignIn, signInOptions } from './sign-in-routes';

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

/** Every refusal of the console is a page in the reader's language (never JSON, never internals). */
export function renderConsoleError(err: HttpError, request: FastifyRequest, reply: FastifyReply) {
  const c = request.page ?? {
    lang: 'en' as Lang,
    w: words('en'),
    op: null,
    csrf: '',
    path: '/console/batches',
    query: {},
  };
  const message =
    err.code === 'internal'
      ? c.w.error.internal
      : err.code === 'not_found' && !request.routeOptions.url
        ? c.w.error.notFound
        : err.message;
  return sendPage(reply, err.status, errorPage(c, message), err.headers);
}

function negotiateLang(
  request: FastifyRequest,
  query: PageQuery,
  session: ConsoleSession | null | undefined,
): Lang {
  if (query.lang) return query.lang;
  if (session) return session.lang;
  const saved = parseCookies(request.headers.cookie).ecp_console_lang;
  if (isLang(saved)) return saved;
  return /^\s*zh\b/i.test(String(request.headers['accept-language'] ?? '')) ? 'zh-Hant' : 'en';
}

export async function consolePlugin(app: FastifyInstance, o: ConsoleOptions): Promise<void> {
  const { deps } = o;
  const { config } = deps;
  const secure = config.CONSOLE_PUBLIC_URL?.startsWith('https:') ?? false;
  const k: Console = {
    ...o,
    secure,
    cookieOpts: { secure },
    sessions: createSessions({
      sessions: deps.stores.sessions,
      operators: deps.stores.operators,
      auth: o.auth,
      sealKey: deps.signer.deriveKey('console-session'),
      idleMs: config.consoleIdleMs,
    }),
    oidc:
      o.auth.mode === 'oidc' && config.OIDC_CLIENT_ID && config.OIDC_ISSUER
        ? createOidcLogin({
            issuer: config.OIDC_ISSUER,
            clientId: config.OIDC_CLIENT_ID,
            clientSecret: config.OIDC_CLIENT_SECRET,
            publicUrl: config.CONSOLE_PUBLIC_URL,
            auth: o.auth,
            secure,
            flowKey: deps.signer.deriveKey('console-oidc-flow'),
          })
        : undefined,
  };
  await app.register(
    async (c) => {
      guardRequests(c, k);
      registerAssets(c);
      registerSignIn(c, k);
      if (k.oidc) registerOidc(c, k, k.oidc);
      registerPages(c, k);
      registerForms(c, k);
    },
    { prefix: '/console' },
  );
}

/**
 * Before every console route: who is signed in, in which language; a change from another site (or a sibling
 * subdomain) is refused whatever it carries; a change carries its session's CSRF token; an operator without a
 * role sees nothing. A page asked for without a session goes to the sign-in.
 */
function guardRequests(c: FastifyInstance, k: Console): void {
  c.addHook('onSend', async (_request, reply) => {
    if (k.secure) reply.header('strict-transport-security', 'max-age=31536000');
  });
  c.addHook('preHandler', async (request, reply) => {
    const fetchSite = request.headers['sec-fetch-site'];
    if (
      request.method === 'POST' &&
      fetchSite !== undefined &&
      fetchSite !== 'same-origin' &&
      fetchSite !== 'none'
    )
      throw new HttpError('csrf', words('en').error.csrf);
    if (request.routeOptions.config?.open && request.routeOptions.url?.startsWith('/console/assets/')) return;
    const query = request.query as PageQuery;
    // A page's own refresh is not activity: an unattended tab does not keep a session alive (but see registerPages).
    const session = await k.sessions.read(
      parseCookies(request.headers.cookie)[SESSION_COOKIE],
      query.part === undefined,
    );
    const lang = negotiateLang(request, query, session);
    request.session = session;
    if (session) request.operatorName = session.operator.name;
    const path = request.url.split('?')[0];
    const rest = Object.fromEntries(
      Object.entries(query).filter(([key, v]) => key !== 'lang' && key !== 'done' && v !== undefined),
    ) as Record<string, string>;
    request.page = {
      lang,
      w: words(lang),
      op: session?.operator ?? null,
      csrf: session?.csrf ?? '',
      path,
      query: rest,
    };
    if (query.lang) {
      if (session) await k.sessions.setLang(session.idHash, lang);
      reply.header('set-cookie', cookie('ecp_console_lang', lang, { ...k.cookieOpts, maxAgeS: 365 * 86400 }));
    }
    if (request.routeOptions.config?.open) return;
    if (!session) {
      if (request.method === 'GET' && query.part === undefined)
        return void (await redirect(reply, `/console/sign-in?next=${encodeURIComponent(request.url)}`));
      const pre = randomToken();
      return void (await sendPage(
        reply,
        401,
        signInPage(
          { ...request.page, path: '/console/sign-in', query: {} },
          signInOptions(k, pre, '/console/batches', request.page.w.signIn.expired),
        ),
        { 'set-cookie': cookie(PRE_COOKIE, pre, k.cookieOpts) },
      ));
    }
    // A change: the session's CSRF token first. Signing out needs no role (one removed meanwhile included).
    if (request.method === 'POST') {
      const form = request.body as URLSearchParams;
      if (!sameSecret(form.get('_csrf'), session.csrf))
        throw new HttpError('csrf', request.page.w.error.csrf);
      if (request.routeOptions.url === '/console/sign-out') return;
    }
    if (session.operator.roles.length === 0) throw new HttpError('not_allowed', request.page.w.signIn.noRole);
  });
}

/** The console's own stylesheet and script. */
function registerAssets(c: FastifyInstance): void {
  const asset = (type: string, body: string) => async (_q: FastifyRequest, reply: FastifyReply) =>
    reply
      .headers({ ...HEADERS, 'cache-control': 'no-cache' })
      .type(type)
      .send(body);
  c.get('/assets/console.css', ROUTE.open, asset('text/css; charset=utf-8', CONSOLE_CSS));
  c.get('/assets/console.js', ROUTE.open, asset('text/javascript; charset=utf-8', CONSOLE_JS));
}

/** Every page of console/page-routes.ts, with the flash of the change that led to it. */
function registerPages(c: FastifyInstance, k: Console): void {
  c.get('/', ROUTE.page, async (_q, reply) => redirect(reply, '/console/batches'));
  for (const route of PAGES) {
    c.get(route.url.slice('/console'.length), ROUTE.page, async (request, reply) => {
      const p = request.page!;
      const done = (request.query as PageQuery).done;
      const flash = done && Object.hasOwn(p.w.done, done) ? { ok: p.w.done[done] } : {};
      try {
        const shown = await route.render(
          k.deps,
          p,
          pageParams(route, request.params as Record<string, string>),
          flash,
        );
        // A batch being moved is watched, not idle: the room follows it on a screen for as long as it runs.
        if (p.query.part && /data-status="(running|aborting)"/.test(shown.text))
          await k.sessions.touch(request.session!.idHash);
        return sendPage(reply, 200, shown);
      } catch (err) {
        if (err instanceof Redirect) return redirect(reply, err.to);
        throw err;
      }
    });
  }
}

export type { Sessions };
