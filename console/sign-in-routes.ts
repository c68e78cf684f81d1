import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Operator } from '../app/context';
import { authenticateCounted } from '../api/auth';
import { HttpError } from '../http/errors';
import { html } from '../http/html';
import type { Lang } from './i18n';
import type { OidcLogin } from './oidc';
import { FLOW_COOKIE } from './oidc';
import { signInPage } from './pages/sign-in';
import { redirect, ROUTE, safeNext, sendPage, type Console, type PageQuery } from './routing';
import {
  cookie,
  parseCookies,
  PRE_COOKIE,
  randomToken,
  sameSecret,
  SESSION_COOKIE,
  type ConsoleSession,
} from './session';

/** What the sign-in page offers: the token form (token mode), the identity provider's link (OIDC). */
export function signInOptions(k: Console, pre: string, next: string, error?: string) {
  return { pre, next, error, token: k.auth.mode === 'token', oidc: Boolean(k.oidc) };
}

/** Signing in with a token (the sign-in form, with its own double-submit token) and signing out. */
export function registerSignIn(c: FastifyInstance, k: Console): void {
  c.get('/sign-in', ROUTE.open, async (request, reply) => {
    const p = request.page!;
    const next = safeNext((request.query as PageQuery).next);
    if (request.session) return redirect(reply, next);
    const pre = randomToken();
    return sendPage(reply, 200, signInPage({ ...p, op: null, csrf: '' }, signInOptions(k, pre, next)), {
      'set-cookie': cookie(PRE_COOKIE, pre, k.cookieOpts),
    });
  });
  c.post(
    '/sign-in',
    { ...ROUTE.form, config: { ...ROUTE.form.config, open: true } },
    async (request, reply) => {
      const p = { ...request.page!, op: null, csrf: '' };
      const f = request.body as URLSearchParams;
      const next = safeNext(f.get('next'));
      const again = (status: number, error: string) => {
        const pre = randomToken();
        return sendPage(reply, status, signInPage(p, signInOptions(k, pre, next, error)), {
          'set-cookie': cookie(PRE_COOKIE, pre, k.cookieOpts),
        });
      };
      if (!sameSecret(f.get('_pre'), parseCookies(request.headers.cookie)[PRE_COOKIE]))
        return again(403, p.w.signIn.stale);
      if (k.auth.mode !== 'token') throw new HttpError('not_found', p.w.error.notFound);
      let who: Omit<Operator, 'source'>;
      try {
        who = await authenticateCounted(
          k.auth,
          k.limiter,
          request.ip,
          `Bearer ${(f.get('token') ?? '').trim()}`,
        );
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) return again(401, p.w.signIn.refused);
        throw err;
      }
      if (who.roles.length === 0) return again(403, p.w.signIn.noRole);
      return startSession(k, reply, {
        who,
        mode: 'token',
        lang: p.lang,
        next,
        previous: request.session ?? null,
      });
    },
  );
  c.post('/sign-out', ROUTE.form, async (request, reply) => {
    await k.sessions.end(request.session!.idHash);
    return redirect(reply, '/console/sign-in', {
      'set-cookie': cookie(SESSION_COOKIE, '', { ...k.cookieOpts, maxAgeS: 0 }),
    });
  });
}

/** Signing in at the identity provider (OIDC mode): the start of its flow, and its callback. */
export function registerOidc(c: FastifyInstance, k: Console, oidc: OidcLogin): void {
  c.get('/oidc/start', ROUTE.open, async (request, reply) => {
    const { location, cookie: flow } = await oidc.start(
      safeNext((request.query as PageQuery).next),
      request.headers.host,
    );
    return reply.code(303).headers({ location, 'set-cookie': flow, 'cache-control': 'no-store' }).send();
  });
  c.get('/oidc/callback', ROUTE.open, async (request, reply) => {
    // A callback refused counts as a failed sign-in of its address, as a bad token does.
    const source = `address:${request.ip}`;
    if (k.limiter.blocked(source)) throw k.limiter.refusal(source, 'from this address');
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    reply.header('set-cookie', oidc.clearFlow); // on a refusal; a success sends it with the session's cookie
    const who = await oidc
      .callback(query, parseCookies(request.headers.cookie)[FLOW_COOKIE], request.headers.host)
      .catch((err: unknown) => {
        if (err instanceof HttpError && err.status === 401) k.limiter.failed(source);
        throw err;
      });
    return startSession(k, reply, {
      who: who.operator,
      mode: 'oidc',
      lang: request.page!.lang,
      next: safeNext(who.next),
      previous: request.session ?? null,
      until: who.expiresAt,
      jwt: who.jwt,
      cookies: [oidc.clearFlow],
    });
  });
}

/** A new session (a new cookie: never one the browser brought); the browser's previous session, if any, ends. */
async function startSession(
  k: Console,
  reply: FastifyReply,
  s: {
    who: Omit<Operator, 'source'>;
    mode: 'token' | 'oidc';
    lang: Lang;
    next: string;
    previous: ConsoleSession | null;
    until?: Date;
    jwt?: string;
    cookies?: string[];
  },
) {
  if (s.previous) await k.sessions.end(s.previous.idHash);
  const { cookieValue } = await k.sessions.create(s.who, s.mode, s.lang, { until: s.until, jwt: s.jwt });
  const set = [
    cookie(SESSION_COOKIE, cookieValue, k.cookieOpts),
    cookie(PRE_COOKIE, '', { ...k.cookieOpts, maxAgeS: 0 }),
    ...(s.cookies ?? []),
  ];
  const { lang, next } = s;
  // Back from the identity provider the browser arrived from another site, and would not send a SameSite=Strict
  // cookie on a redirect; a page of our own that moves on does.
  if (s.mode === 'oidc')
    return sendPage(
      reply,
      200,
      html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${next}"><title>ECP cutover</title></head><body><a href="${next}">Continue</a></body></html>`,
      { 'set-cookie': set },
    );
  return redirect(reply, next, { 'set-cookie': set });
}
