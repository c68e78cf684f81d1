import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Operator } from '../app/context';
import type { Config } from '../config/config';
import { isRole, OPERATOR_NAME, type Role } from '../domain/operators';
import { HttpError } from '../http/errors';
import { fingerprint, parseToken, secretMatches } from '../security/tokens';
import type { OperatorStore } from '../stores/operator-store';

/**
 * Who is calling: an operator proven by a token (token mode, the default) or by a JWT of the identity
 * provider (OIDC mode). A missing or bad credential is 401; roles are checked by the routes and again where
 * the change is made (the workflows).
 */
export interface Authenticator {
  mode: 'token' | 'oidc';
  /**
   * The operator behind an `Authorization: Bearer ...` header; a 401 (CredentialRefused) otherwise.
   * `cheapOnly`: for a credential over its limit of failed sign-ins, only what costs nothing to check (a token
   * secret verified before).
   */
  authenticate(
    authorization: string | undefined,
    opts?: { cheapOnly?: boolean },
  ): Promise<Omit<Operator, 'source'>>;
  /**
   * What the header claims to be, before anything is checked — a token's id, a JWT's issuer and subject — so
   * that failures count against that credential, not against everyone who shares an address; null for
   * something that is not a credential at all.
   */
  claimed(authorization: string | undefined): string | null;
}

/** A credential refused: 401. `known`: it names a real credential (a token id that exists), whose failures count against it. */
export class CredentialRefused extends HttpError {
  constructor(
    why: string,
    readonly known = false,
  ) {
    super(
      'unauthorized',
      `${why}: sign in with 'ecp-cutover login', or send 'Authorization: Bearer <token>'`,
      { 'www-authenticate': 'Bearer' },
    );
  }
}

function bearer(authorization: string | undefined): string {
  const m = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(authorization ?? '');
  if (!m) throw new CredentialRefused('no credential');
  return m[1];
}

/**
 * Tokens made by `ecp-cutover operator add`. The secret is checked against its scrypt hash once, then
 * remembered (in memory, by fingerprint); whether the token is revoked, and the operator's roles, are read
 * from the database on every request, so `operator revoke` takes effect at once.
 */
export function createTokenAuthenticator(operators: OperatorStore): Authenticator {
  const verified = new Map<string, string>(); // token id → fingerprint of its secret
  const lastNoted = new Map<string, number>();
  let hashing = 0; // scrypt runs at once: each takes 16 MiB and tens of ms; a burst is refused, not queued
  return {
    mode: 'token',
    claimed(authorization) {
      const m = /^Bearer (\S{1,4096})$/.exec(authorization ?? '');
      const parsed = m ? parseToken(m[1]) : null;
      return parsed ? `token:${parsed.id}` : null;
    },
    async authenticate(authorization, opts = {}) {
      const parsed = parseToken(bearer(authorization));
      if (!parsed) throw new CredentialRefused('not a token of this control API');
      const row = await operators.tokenById(parsed.id);
      if (!row) throw new CredentialRefused('unknown token');
      if (verified.get(parsed.id) !== fingerprint(parsed.secret)) {
        if (opts.cheapOnly) throw new CredentialRefused('this token failed to sign in too often', true);
        if (hashing >= 4)
          throw new HttpError('busy', 'too many sign-ins at once: try again in a second', {
            'retry-after': '1',
          });
        hashing++;
        try {
          if (!(await secretMatches(parsed.secret, row.secretHash)))
            throw new CredentialRefused('wrong token', true);
        } finally {
          hashing--;
        }
        if (verified.size > 10_000) verified.clear();
        verified.set(parsed.id, fingerprint(parsed.secret));
      }
      if (row.revokedAt) throw new CredentialRefused('this token was revoked', true);
      const roles = await operators.rolesOf(row.operator);
      if (Date.now() - (lastNoted.get(parsed.id) ?? 0) > 60_000) {
        lastNoted.set(parsed.id, Date.now());
        await operators.noteTokenUse(parsed.id);
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
export function createOidcAuthenticator(operators: OperatorStore, s: OidcSettings): Authenticator {
  const url = new URL(s.jwksUrl);
  const keys =
    url.protocol === 'file:'
      ? createLocalJWKSet(JSON.parse(fs.readFileSync(url, 'utf8')))
      : createRemoteJWKSet(url);
  return {
    mode: 'oidc',
    claimed(authorization) {
      try {
        const p = decodeJwt(bearer(authorization));
        return typeof p.sub === 'string'
          ? `jwt:${createHash('sha256')
              .update(`${String(p.iss)}|${p.sub}`)
              .digest('base64url')
              .slice(0, 22)}`
          : null;
      } catch {
        return null;
      }
    },
    async authenticate(authorization) {
      const jwt = bearer(authorization);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(jwt, keys, {
          issuer: s.issuer,
          audience: s.audience,
          algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
          requiredClaims: ['exp', 'iat', 'sub'],
          maxTokenAge: '12h',
        }));
      } catch (err) {
        throw new CredentialRefused(
          `the identity provider's token was refused (${(err as { code?: string }).code ?? 'invalid'})`,
        );
      }
      const name = payload[s.nameClaim];
      if (typeof name !== 'string' || !OPERATOR_NAME.test(name))
        throw new CredentialRefused(`the token's '${s.nameClaim}' claim is not an operator name`);
      const subject = String(payload.sub).slice(0, 255);
      const claimed = payload[s.rolesClaim];
      const roles = (
        Array.isArray(claimed) ? claimed : typeof claimed === 'string' ? claimed.split(/[ ,]+/) : []
      ).filter((r): r is Role => typeof r === 'string' && isRole(r));
      const bind = await operators.bindOidcName(name, s.issuer, subject);
      if (bind.subjectsName)
        throw new CredentialRefused(
          'this identity of the provider already signs in under another name; ask an administrator',
        );
      if (bind.boundTo?.issuer !== s.issuer || bind.boundTo?.subject !== subject)
        throw new CredentialRefused(`the name '${name}' belongs to another identity of the provider`);
      if (await operators.isBlocked(name)) throw new CredentialRefused(`operator ${name} was revoked`);
      return {
        name,
        roles,
        credentialId: `jwt:${typeof payload.jti === 'string' ? payload.jti.slice(0, 40) : createHash('sha256').update(jwt).digest('hex').slice(0, 24)}`,
      };
    },
  };
}

/** The authenticator the configuration asks for: OIDC when OIDC_ISSUER (and its two companions) are set. */
export function createAuthenticator(operators: OperatorStore, config: Config): Authenticator {
  if (config.OIDC_ISSUER && config.OIDC_AUDIENCE && config.OIDC_JWKS_URL) {
    return createOidcAuthenticator(operators, {
      issuer: config.OIDC_ISSUER,
      audience: config.OIDC_AUDIENCE,
      jwksUrl: config.OIDC_JWKS_URL,
      nameClaim: config.OIDC_NAME_CLAIM,
      rolesClaim: config.OIDC_ROLES_CLAIM,
    });
  }
  return createTokenAuthenticator(operators);
}

/**
 * `auth.authenticate`, counted by the limiter per credential, not per address: a refused token id counts
 * against that id (from that client address), so a stranger guessing cannot lock its owner out; what is not
 * a credential at all, or names none that exists, counts against the client's address. A credential over its
 * limit may still be used when it is cheap to check (its secret was verified before); anything else over a
 * limit is 429 with Retry-After. A failure while refused is not counted, so a lockout never grows.
 * The control API's bearer tokens, the console's sign-in form and its OIDC callback all go through here.
 */
export async function authenticateCounted(
  auth: Authenticator,
  limiter: SignInLimiter,
  client: string,
  authorization: string | undefined,
): Promise<Omit<Operator, 'source'>> {
  const credential = auth.claimed(authorization);
  const byCredential = credential ? `${credential}@${client}` : null;
  const byAddress = `address:${client}`;
  if (!byCredential && limiter.blocked(byAddress)) throw limiter.refusal(byAddress, 'from this address');
  const blocked = byCredential !== null && limiter.blocked(byCredential);
  try {
    return await auth.authenticate(authorization, { cheapOnly: blocked });
  } catch (err) {
    if (!(err instanceof CredentialRefused)) throw err;
    if (blocked) throw limiter.refusal(byCredential!, 'with this credential');
    const key = err.known && byCredential ? byCredential : byAddress;
    if (limiter.blocked(key))
      throw limiter.refusal(key, key === byAddress ? 'from this address' : 'with this credential');
    limiter.failed(key);
    throw err;
  }
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;

/**
 * Counts failed sign-ins per key (a credential from an address, or an address): past `max` in `windowMs`,
 * the key is refused until the first of those failures is `windowMs` old. Successful sign-ins do not count.
 * At most 10,000 keys are tracked, the oldest forgotten first.
 */
export function createSignInLimiter(max = 10, windowMs = 5 * 60_000) {
  const failures = new Map<string, number[]>();
  const recent = (key: string) => (failures.get(key) ?? []).filter((t) => Date.now() - t < windowMs);
  return {
    blocked(key: string): boolean {
      return recent(key).length >= max;
    },
    refusal(key: string, what: string): HttpError {
      const retry = Math.max(1, Math.ceil(((recent(key)[0] ?? Date.now()) + windowMs - Date.now()) / 1000));
      return new HttpError('too_many_failures', `too many failed sign-ins ${what}: try again in ${retry} s`, {
        'retry-after': String(retry),
      });
    },
    failed(key: string): void {
      const list = [...recent(key), Date.now()].slice(-max);
      failures.delete(key); // re-inserted last: the Map's order is the eviction order
      failures.set(key, list);
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
    },
  };
}
