import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Operator } from '../app/context';
import type { Db } from '../db/connection';
import { isRole, type Role } from '../domain/operators';
import type { Lang } from './i18n';

/**
 * Console sessions: an opaque random cookie (HttpOnly, SameSite=Strict, Path=/console, Secure when the
 * console is served over https), of which the database keeps only a hash. A session ends after the idle
 * timeout without a request, after ABSOLUTE_MS in any case, at sign-out, and at once when its token is
 * revoked or its operator blocked. Every change the session makes carries its CSRF token.
 */
export const SESSION_COOKIE = 'ecp_console';
/** The sign-in form's own token (double submit), so a page elsewhere cannot sign a browser in as someone else. */
export const PRE_COOKIE = 'ecp_console_pre';
export const ABSOLUTE_MS = 12 * 3600_000;

export interface ConsoleSession {
  idHash: string;
  operator: Omit<Operator, 'source'>;
  csrf: string;
  lang: Lang;
}

const hash = (v: string) => createHash('sha256').update(v).digest('hex');
export const randomToken = () => randomBytes(32).toString('base64url');

export function cookies(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const k = part.slice(0, i).trim();
    if (!(k in out)) out[k] = part.slice(i + 1).trim();
  }
  return out;
}

export function cookie(name: string, value: string, opts: { secure: boolean; maxAgeS?: number; path?: string }): string {
  return [`${name}=${value}`, `Path=${opts.path ?? '/console'}`, 'HttpOnly', 'SameSite=Strict', ...(opts.secure ? ['Secure'] : []), ...(opts.maxAgeS !== undefined ? [`Max-Age=${opts.maxAgeS}`] : [])].join('; ');
}

/** Equal strings, compared in constant time. */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `until`: an earlier end than ABSOLUTE_MS (an identity provider's token expires sooner). */
export async function createSession(db: Db, who: Omit<Operator, 'source'>, mode: 'token' | 'oidc', lang: Lang, until?: Date): Promise<{ cookieValue: string; csrf: string }> {
  const cookieValue = randomToken();
  const csrf = randomToken();
  await db('console_sessions').insert({
    id_hash: hash(cookieValue), operator: who.name, credential_id: who.credentialId.slice(0, 80), mode, roles: mode === 'oidc' ? who.roles : null, csrf, lang,
    expires_at: new Date(Math.min(Date.now() + ABSOLUTE_MS, until?.getTime() ?? Infinity)),
  });
  // Sessions past their deadlines are removed as new ones are made (no timer to run).
  await db('console_sessions').where('expires_at', '<', new Date()).del();
  return { cookieValue, csrf };
}

/**
 * The session behind a cookie, or null (unknown, idle too long, past its deadline, its token revoked or its
 * operator blocked; an ended session is deleted). In token mode the roles are read now, so a role removed
 * takes effect at the next request. `touch`: the request counts as activity (a page's own polling does not:
 * see touchSession).
 */
export async function readSession(db: Db, cookieValue: string | undefined, idleMs: number, touch = true): Promise<ConsoleSession | null> {
  if (!cookieValue || !/^[A-Za-z0-9_-]{43}$/.test(cookieValue)) return null;
  const idHash = hash(cookieValue);
  const row = await db('console_sessions').where({ id_hash: idHash }).first();
  if (!row) return null;
  const now = Date.now();
  const ended = async () => {
    await db('console_sessions').where({ id_hash: idHash }).del();
    return null;
  };
  if (new Date(row.expires_at).getTime() <= now || new Date(row.last_seen_at).getTime() + idleMs <= now) return ended();
  const operator = await db('operators').where({ name: row.operator }).first('blocked_at');
  if (!operator || operator.blocked_at) return ended();
  let roles: Role[];
  if (row.mode === 'token') {
    const token = await db('operator_tokens').where({ id: row.credential_id }).first('revoked_at', 'operator');
    if (!token || token.revoked_at || token.operator !== row.operator) return ended();
    roles = (await db('operator_roles').where({ operator: row.operator }).pluck('role')) as Role[];
  } else {
    roles = ((row.roles as string[] | null) ?? []).filter(isRole);
  }
  // Activity is noted at most every 5 s.
  if (touch && now - new Date(row.last_seen_at).getTime() > 5_000) await touchSession(db, idHash);
  return { idHash, operator: { name: row.operator, roles, credentialId: row.credential_id }, csrf: row.csrf, lang: row.lang as Lang };
}

export async function touchSession(db: Db, idHash: string): Promise<void> {
  await db('console_sessions').where({ id_hash: idHash }).update({ last_seen_at: new Date() });
}

export async function endSession(db: Db, idHash: string): Promise<void> {
  await db('console_sessions').where({ id_hash: idHash }).del();
}

export async function setSessionLang(db: Db, idHash: string, lang: Lang): Promise<void> {
  await db('console_sessions').where({ id_hash: idHash }).update({ lang });
}
