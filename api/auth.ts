import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Operator } from '../app/context';
import type { Config } from '../config/config';
import type { Db } from '../db/connection';
import { isRole, type Role } from '../domain/operators';
import { OPERATOR_NAME } from '../stores/operator-store';
import { fingerprint, parseToken, secretMatches } from '../security/tokens';
import { HttpError } from './http';

/**
 * Who is calling: an operator proven by a token (token mode, the default) or by a JWT of the identity
 * provider (OIDC mode). A missing or bad credential is 401; roles are checked by the routes and again where
 * the change is made (the workflows).
 */
export interface Authenticator {
  mode: 'token' | 'oidc';
  /**
   * The operator behind an `Authorization: Bearer ...` header; HttpError 401 otherwise. `cheapOnly`: for a
   * source over its limit of failed sign-ins, only what costs nothing to check (a token verified before).
   */
  authenticate(authorization: string | undefined, opts?: { cheapOnly?: boolean }): Promise<Omit<Operator, 'source'>>;
}

const unauthorized = (why: string) => new HttpError(401, 'unauthorized', `${why}: sign in with 'ecp-cutover login', or send 'Authorization: Bearer <token>'`, { 'www-authenticate': 'Bearer' });

function bearer(authorization: string | undefined): string {
  const m = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(authorization ?? '');
  if (!m) throw unauthorized('no credential');
  return m[1];
}

/**
 * Tokens made by `ecp-cutover operator add`. The secret is checked against its scrypt hash once, then
 * remembered (in memory, by fingerprint); whether the token is revoked, and the operator's roles, are read
 * from the database on every request, so `operator revoke` takes effect at once.
 */
export function createTokenAuthenticator(db: Db): Authenticator {
  const verified = new Map<string, string>(); // token id → fingerprint of its secret
  const lastNoted = new Map<string, number>();
  let hashing = 0; // scrypt runs at once: each takes 16 MiB and tens of ms; a burst is refused, not queued
  return {
    mode: 'token',
    async authenticate(authorization, opts = {}) {
      const parsed = parseToken(bearer(authorization));
      if (!parsed) throw unauthorized('not a token of this control API');
      const row = await db('operator_tokens').where({ id: parsed.id }).first('operator', 'secret_hash', 'revoked_at');
      if (!row) throw unauthorized('unknown token');
      if (verified.get(parsed.id) !== fingerprint(parsed.secret)) {
        if (opts.cheapOnly) throw unauthorized('this address failed to sign in too often');
        if (hashing >= 4) throw new HttpError(429, 'busy', 'too many sign-ins at once: try again in a second', { 'retry-after': '1' });
        hashing++;
        try {
          if (!(await secretMatches(parsed.secret, row.secret_hash))) throw unauthorized('wrong token');
        } finally {
          hashing--;
        }
        if (verified.size > 10_000) verified.clear();
        verified.set(parsed.id, fingerprint(parsed.secret));
      }
      if (row.revoked_at) throw unauthorized('this token was revoked');
      const roles = (await db('operator_roles').where({ operator: row.operator }).pluck('role')) as Role[];
      if (Date.now() - (lastNoted.get(parsed.id) ?? 0) > 60_000) {
        lastNoted.set(parsed.id, Date.now());
        await db('operator_tokens').where({ id: parsed.id }).update({ last_used_at: db.fn.now() });
      }
      return { name: row.operator, roles, credentialId: parsed.id };
    },
  };
}

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** https://… or file://… (a JWKS document). */
  jwksUrl: string;
  nameClaim: string;
  rolesClaim: string;
}

/**
 * JWTs of an identity provider, verified against its keys (JWKS): signature, issuer, audience, expiry (a
 * token without `exp` and `iat`, or older than 12 h, is refused). An unsigned token (`alg: none`) is refused
 * like any other bad one. The operator's name and roles come from the configured claims. The first time a
 * name is seen it is registered (without roles) and bound to the token's subject: afterwards only that
 * subject may use it, so renaming oneself at the provider cannot take another operator's name — four eyes
 * compares names. A name blocked by `operator revoke` is refused at once.
 */
export function createOidcAuthenticator(db: Db, s: OidcSettings): Authenticator {
  const url = new URL(s.jwksUrl);
  const keys = url.protocol === 'file:' ? createLocalJWKSet(JSON.parse(fs.readFileSync(url, 'utf8'))) : createRemoteJWKSet(url);
  return {
    mode: 'oidc',
    async authenticate(authorization) {
      const jwt = bearer(authorization);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(jwt, keys, {
          issuer: s.issuer, audience: s.audience, algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'], requiredClaims: ['exp', 'iat', 'sub'], maxTokenAge: '12h',
        }));
      } catch (err) {
        throw unauthorized(`the identity provider's token was refused (${(err as { code?: string }).code ?? 'invalid'})`);
      }
      const name = payload[s.nameClaim];
      if (typeof name !== 'string' || !OPERATOR_NAME.test(name)) throw unauthorized(`the token's '${s.nameClaim}' claim is not an operator name`);
      const subject = String(payload.sub).slice(0, 255);
      const claimed = payload[s.rolesClaim];
      const roles = (Array.isArray(claimed) ? claimed : typeof claimed === 'string' ? claimed.split(/[ ,]+/) : []).filter((r): r is Role => typeof r === 'string' && isRole(r));
      const bound = await db('oidc_identities').where({ name }).first('issuer', 'subject');
      if (bound && (bound.issuer !== s.issuer || bound.subject !== subject)) throw unauthorized(`the name '${name}' belongs to another identity of the provider`);
      if (!bound) {
        if (await db('oidc_identities').where({ issuer: s.issuer, subject }).first('name')) throw unauthorized(`this identity of the provider already signs in under another name; ask an administrator`);
        await db('operators').insert({ name }).onConflict('name').ignore();
        await db('oidc_identities').insert({ name, issuer: s.issuer, subject }).onConflict('name').ignore();
        const now = await db('oidc_identities').where({ name }).first('subject');
        if (now?.subject !== subject) throw unauthorized(`the name '${name}' belongs to another identity of the provider`);
      }
      if ((await db('operators').where({ name }).first('blocked_at'))?.blocked_at) throw unauthorized(`operator ${name} was revoked`);
      return { name, roles, credentialId: `jwt:${typeof payload.jti === 'string' ? payload.jti.slice(0, 40) : createHash('sha256').update(jwt).digest('hex').slice(0, 24)}` };
    },
  };
}

/** The authenticator the configuration asks for: OIDC when OIDC_ISSUER (and its two companions) are set. */
export function createAuthenticator(db: Db, config: Config): Authenticator {
  if (config.OIDC_ISSUER && config.OIDC_AUDIENCE && config.OIDC_JWKS_URL) {
    return createOidcAuthenticator(db, { issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE, jwksUrl: config.OIDC_JWKS_URL, nameClaim: config.OIDC_NAME_CLAIM, rolesClaim: config.OIDC_ROLES_CLAIM });
  }
  return createTokenAuthenticator(db);
}

/**
 * `auth.authenticate`, counted by the limiter: a refused credential (401) is a failed sign-in of `source`;
 * a source over its limit may still use a credential cheap to check, and is otherwise refused with 429.
 * The control API's bearer tokens and the console's sign-in form both go through here.
 */
export async function authenticateCounted(auth: Authenticator, limiter: SignInLimiter, source: string, authorization: string | undefined): Promise<Omit<Operator, 'source'>> {
  const blocked = limiter.blocked(source);
  try {
    return await auth.authenticate(authorization, { cheapOnly: blocked });
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) {
      limiter.failed(source);
      if (blocked) throw limiter.refusal(source);
    }
    throw err;
  }
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;

/**
 * Counts failed sign-ins per source (an address): past `max` in `windowMs`, the source may still use a
 * credential that is cheap to check (one verified before), but anything else is 429 with Retry-After until
 * the window has passed. Successful sign-ins do not count. At most 10,000 sources are tracked, the oldest
 * forgotten first.
 */
export function createSignInLimiter(max = 10, windowMs = 5 * 60_000) {
  const failures = new Map<string, number[]>();
  const recent = (source: string) => (failures.get(source) ?? []).filter((t) => Date.now() - t < windowMs);
  return {
    blocked(source: string): boolean {
      return recent(source).length >= max;
    },
    refusal(source: string): HttpError {
      const retry = Math.max(1, Math.ceil(((recent(source)[0] ?? Date.now()) + windowMs - Date.now()) / 1000));
      return new HttpError(429, 'too_many_failures', `too many failed sign-ins from ${source}: try again in ${retry} s`, { 'retry-after': String(retry) });
    },
    failed(source: string): void {
      const list = [...recent(source), Date.now()].slice(-max);
      failures.delete(source); // re-inserted last: the Map's order is the eviction order
      failures.set(source, list);
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
    },
  };
}
