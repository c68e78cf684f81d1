import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app/context';
import type { Authenticator, SignInLimiter } from '../api/auth';
import { text } from '../contract/text';
import type { Html } from '../http/html';
import type { OidcLogin } from './oidc';
import type { Sessions } from './session';

/** What the console's routes share: the console as built once (its sessions, its identity provider), replies, route options. */
export interface Console {
  deps: AppDeps;
  auth: Authenticator;
  limiter: SignInLimiter;
  sessions: Sessions;
  /** The identity provider's sign-in, in OIDC mode with a client configured. */
  oidc: OidcLogin | undefined;
  /** Served over https: cookies are Secure, and HSTS is sent. */
  secure: boolean;
  cookieOpts: { secure: boolean };
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
export const HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};
const FORM_LIMIT = 64 * 1024;

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
export type PageQuery = z.output<typeof pageQuery>;

// Every console route: its query by the edge's text rule, and out of the API's OpenAPI document.
const schema = { querystring: pageQuery, hide: true };
/** A page (signed in); a form (signed in, CSRF-checked, form-encoded); a route anyone may reach (sign-in, assets). */
export const ROUTE = {
  page: { schema },
  form: { schema, config: { accepts: 'form' as const }, bodyLimit: FORM_LIMIT },
  open: { schema, config: { open: true } },
};

export function sendPage(
  reply: FastifyReply,
  status: number,
  page: Html | string,
  headers: Record<string, string | string[]> = {},
) {
  return reply
    .code(status)
    .headers({ ...HEADERS, ...headers })
    .type('text/html; charset=utf-8')
    .send(String(page));
}
export function redirect(reply: FastifyReply, to: string, headers: Record<string, string | string[]> = {}) {
  return reply
    .code(303)
    .headers({ ...HEADERS, location: to, ...headers })
    .send();
}

/** Where to go after signing in: a console page of ours, never the sign-in itself nor another site. */
export function safeNext(raw: string | null | undefined): string {
  return raw &&
    /^\/console\/[A-Za-z0-9/_?=&%.-]{0,300}$/.test(raw) &&
    !raw.startsWith('/console/sign-') &&
    !raw.includes('//')
    ? raw
    : '/console/batches';
}
