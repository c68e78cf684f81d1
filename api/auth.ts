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
  /** The operator behind an `Authorization: Bearer ...` header; HttpError 401 otherwise. */
  authenticate(authorization: string | undefined): Promise<Omit<Operator, 'source'>>;
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
  return {
    mode: 'token',
    async authenticate(authorization) {
      const parsed = parseToken(bearer(authorization));
      if (!parsed) throw unauthorized('not a token of this control API');
      const row = await db('operator_tokens').where({ id: parsed.id }).first('operator', 'secret_hash', 'revoked_at');
      if (!row) throw unauthorized('unknown token');
      if (verified.get(parsed.id) !== fingerprint(parsed.secret)) {
        if (!(await secretMatches(parsed.secret, row.secret_hash))) throw unauthorized('wrong token');
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
 * JWTs of an identity provider, verified against its keys (JWKS): signature, issuer, audience, expiry. An
 * unsigned token (`alg: none`) is refused like any other bad one. The operator's name and roles come from
 * the configured claims; a name is registered (without roles) the first time it is seen, so that batches
 * can name their planner.
 */
export function createOidcAuthenticator(db: Db, s: OidcSettings): Authenticator {
  const url = new URL(s.jwksUrl);
  const keys = url.protocol === 'file:' ? createLocalJWKSet(JSON.parse(fs.readFileSync(url, 'utf8'))) : createRemoteJWKSet(url);
  const known = new Set<string>();
  return {
    mode: 'oidc',
    async authenticate(authorization) {
      const jwt = bearer(authorization);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(jwt, keys, { issuer: s.issuer, audience: s.audience, algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] }));
      } catch (err) {
        throw unauthorized(`the identity provider's token was refused (${(err as { code?: string }).code ?? 'invalid'})`);
      }
      const name = payload[s.nameClaim];
      if (typeof name !== 'string' || !OPERATOR_NAME.test(name)) throw unauthorized(`the token's '${s.nameClaim}' claim is not an operator name`);
      const claimed = payload[s.rolesClaim];
      const roles = (Array.isArray(claimed) ? claimed : typeof claimed === 'string' ? claimed.split(/[ ,]+/) : []).filter((r): r is Role => typeof r === 'string' && isRole(r));
      if (!known.has(name)) {
        await db('operators').insert({ name }).onConflict('name').ignore();
        known.add(name);
      }
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
 * Refuses a source (an address) after `max` failed sign-ins in `windowMs`, for `windowMs`: 429 with
 * Retry-After. Successful sign-ins do not count.
 */
export function createSignInLimiter(max = 10, windowMs = 5 * 60_000) {
  const failures = new Map<string, number[]>();
  const recent = (source: string) => (failures.get(source) ?? []).filter((t) => Date.now() - t < windowMs);
  return {
    check(source: string): void {
      const list = recent(source);
      if (list.length >= max) {
        const retry = Math.ceil((list[0] + windowMs - Date.now()) / 1000);
        throw new HttpError(429, 'too_many_failures', `too many failed sign-ins from ${source}: try again in ${retry} s`, { 'retry-after': String(retry) });
      }
    },
    failed(source: string): void {
      if (failures.size > 10_000) failures.clear();
      failures.set(source, [...recent(source), Date.now()]);
    },
  };
}
