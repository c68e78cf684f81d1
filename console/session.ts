import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { Operator } from '../app/context';
import type { Authenticator } from '../api/auth';
import type { OperatorStore } from '../stores/operator-store';
import type { SessionRow, SessionStore } from '../stores/session-store';
import { isLang, type Lang } from './i18n';

/**
 * Console sessions: an opaque random cookie (HttpOnly, SameSite=Strict, Path=/console, Secure when the
 * console is served over https), of which the database keeps only a hash. A session ends after the idle
 * timeout without a request, after ABSOLUTE_MS in any case, at sign-out, and at once when its token is
 * revoked or its operator blocked. Every change the session makes carries its CSRF token.
 *
 * A session carries no authority of its own. Its row is honoured only with a seal (HMAC) computed with a key
 * the control API derives from its signing key — not in the database, so a row inserted by anyone who can
 * write the table is refused. Roles are never read from the row: in token mode from operator_roles at each
 * request; in OIDC mode from the provider's token, kept in the row encrypted under a key derived from the
 * cookie (which only the browser holds) and verified again at each request, so the session ends with it.
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

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const k = part.slice(0, i).trim();
    if (!(k in out)) out[k] = part.slice(i + 1).trim();
  }
  return out;
}

export function cookie(
  name: string,
  value: string,
  opts: { secure: boolean; maxAgeS?: number; path?: string; sameSite?: 'Strict' | 'Lax' },
): string {
  return [
    `${name}=${value}`,
    `Path=${opts.path ?? '/console'}`,
    'HttpOnly',
    `SameSite=${opts.sameSite ?? 'Strict'}`,
    ...(opts.secure ? ['Secure'] : []),
    ...(opts.maxAgeS !== undefined ? [`Max-Age=${opts.maxAgeS}`] : []),
  ].join('; ');
}

/** Equal strings, compared in constant time. */
export function sameSecret(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Authenticated encryption (AES-256-GCM) of a short text: iv.tag.ciphertext, base64url. */
export function boxText(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return [iv, c.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}
export function unboxText(key: Buffer, box: string): string | null {
  try {
    const [iv, tag, body] = box.split('.').map((p) => Buffer.from(p, 'base64url'));
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(body), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export interface SessionsOptions {
  sessions: SessionStore;
  operators: OperatorStore;
  auth: Authenticator;
  /** The seal key (derived from the control API's signing key): never stored. */
  sealKey: Buffer;
  idleMs: number;
}

export function createSessions(o: SessionsOptions) {
  const { sessions: store, operators } = o;
  const sealOf = (
    r: Pick<SessionRow, 'idHash' | 'operator' | 'credentialId' | 'mode' | 'csrf' | 'expiresAt' | 'tokenBox'>,
  ) =>
    createHmac('sha256', o.sealKey)
      .update(
        JSON.stringify([
          r.idHash,
          r.operator,
          r.credentialId,
          r.mode,
          r.csrf,
          r.expiresAt.toISOString(),
          r.tokenBox,
        ]),
      )
      .digest('base64url');
  const tokenKey = (cookieValue: string) =>
    Buffer.from(
      hkdfSync('sha256', Buffer.from(cookieValue), Buffer.alloc(0), 'ecp-cutover:console-oidc-token', 32),
    );

  /** The operator the session stands for now, or null (the row is forged, the token revoked, the operator blocked). */
  async function operatorOf(row: SessionRow, cookieValue: string): Promise<Omit<Operator, 'source'> | null> {
    if (!row.seal || !sameSecret(row.seal, sealOf(row))) return null;
    if (!(await operators.isActive(row.operator))) return null;
    if (row.mode === 'token') {
      const token = await operators.tokenById(row.credentialId);
      if (!token || token.revokedAt || token.operator !== row.operator) return null;
      return {
        name: row.operator,
        roles: await operators.rolesOf(row.operator),
        credentialId: row.credentialId,
      };
    }
    const jwt = row.tokenBox ? unboxText(tokenKey(cookieValue), row.tokenBox) : null;
    if (!jwt) return null;
    const who = await o.auth.authenticate(`Bearer ${jwt}`).catch(() => null);
    return who && who.name === row.operator ? who : null;
  }

  return {
    /** `until`: an earlier end than ABSOLUTE_MS (an identity provider's token expires sooner); `jwt`: that token (OIDC). */
    async create(
      who: Omit<Operator, 'source'>,
      mode: 'token' | 'oidc',
      lang: Lang,
      opts: { until?: Date; jwt?: string } = {},
    ): Promise<{ cookieValue: string; csrf: string }> {
      const cookieValue = randomToken();
      const csrf = randomToken();
      const row = {
        idHash: hash(cookieValue),
        operator: who.name,
        credentialId: who.credentialId.slice(0, 80),
        mode,
        csrf,
        lang,
        expiresAt: new Date(Math.min(Date.now() + ABSOLUTE_MS, opts.until?.getTime() ?? Infinity)),
        tokenBox: opts.jwt ? boxText(tokenKey(cookieValue), opts.jwt) : null,
      };
      await store.create({ ...row, seal: sealOf(row) });
      return { cookieValue, csrf };
    },

    /**
     * The session behind a cookie, or null (unknown, forged, idle too long, past its deadline, its token revoked
     * or its operator blocked; an ended session is deleted). `touch`: the request counts as activity (a page's
     * own polling does not).
     */
    async read(cookieValue: string | undefined, touch = true): Promise<ConsoleSession | null> {
      if (!cookieValue || !/^[A-Za-z0-9_-]{43}$/.test(cookieValue)) return null;
      const idHash = hash(cookieValue);
      const row = await store.get(idHash);
      if (!row) return null;
      const now = Date.now();
      const operator =
        row.expiresAt.getTime() > now && row.lastSeenAt.getTime() + o.idleMs > now
          ? await operatorOf(row, cookieValue)
          : null;
      if (!operator) {
        await store.end(idHash);
        return null;
      }
      // Activity is noted at most every 5 s.
      if (touch && now - row.lastSeenAt.getTime() > 5_000) await store.touch(idHash);
      return { idHash, operator, csrf: row.csrf, lang: isLang(row.lang) ? row.lang : 'en' };
    },
    touch: (idHash: string) => store.touch(idHash),
    end: (idHash: string) => store.end(idHash),
    setLang: (idHash: string, lang: Lang) => store.setLang(idHash, lang),
  };
}

export type Sessions = ReturnType<typeof createSessions>;
