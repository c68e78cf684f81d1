import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { verify as verifyOtp } from 'otplib';
import { checkDoor, type PlatformName, type Refusal } from '../domain/intake-rules';
import {
  afterFailedLogin,
  FAILED_LOGIN_WINDOW_MS,
  lockedRefusal,
  noSession,
  SESSION_TTL_MS,
  unknownLogin,
} from '../domain/platform-login';
import { hashSecret, secretMatches } from '../security/tokens';
import { userAccess } from './access';
import { derivedPassword, derivedTotpSecret } from './credentials';
import { schemaOf } from './platform-store';

/**
 * Logins and sessions on both platforms. Only hashes are stored: scrypt for passwords, SHA-256 for session tokens
 * (each is 256 random bits, so a fast hash is enough). See domain/platform-login.ts for the rules.
 */
const logins = (p: PlatformName) => `${schemaOf(p)}.logins`;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Every user Client Connect is loaded with gets a login on each platform: on ECP 2.0 their email address is the
 * login ID; legacy numbers its own (L000001, …). Their secrets are issued when handed out (issueCredentials).
 */
export async function provisionLogins(db: Knex, emails: string[]): Promise<void> {
  for (let i = 0; i < emails.length; i += 1000) {
    const slice = emails.slice(i, i + 1000);
    await db(logins('ecp2'))
      .insert(slice.map((email) => ({ email, login_id: email })))
      .onConflict('email')
      .ignore();
    await db(logins('legacy'))
      .insert(slice.map((email) => ({ email })))
      .onConflict('email')
      .ignore();
  }
}

export interface Credentials {
  loginId: string;
  password: string;
  totpSecret?: string;
}

/**
 * A user's credentials on a platform, as Client Connect's activation would hand them over: derived (the same each
 * time), their hash stored the first time (or again when the admin credential changed). Null: no such login.
 */
export async function issueCredentials(
  db: Knex,
  key: Buffer,
  p: PlatformName,
  email: string,
): Promise<Credentials | null> {
  const row = await db(logins(p)).where({ email }).first();
  if (!row) return null;
  const password = derivedPassword(key, p, email);
  const totpSecret = p === 'ecp2' ? derivedTotpSecret(key, email) : undefined;
  const stored =
    Boolean(row.password_hash) &&
    (await secretMatches(password, row.password_hash)) &&
    (p !== 'ecp2' || row.totp_secret === totpSecret);
  if (!stored) {
    await db(logins(p))
      .where({ email })
      .update({
        password_hash: await hashSecret(password),
        ...(totpSecret ? { totp_secret: totpSecret, last_otp_step: null } : {}),
        issued_at: db.fn.now(),
      });
  }
  return { loginId: row.login_id, password, ...(totpSecret ? { totpSecret } : {}) };
}

export type LoginResult = { session: string; expiresAt: string } | { refusal: Refusal };

/** A login attempt: a session, or why not (a failed attempt is recorded, and the fifth in 30 minutes locks). */
export async function logIn(
  db: Knex,
  p: PlatformName,
  attempt: { loginId: string; password: string; otp?: string },
): Promise<LoginResult> {
  const loginId = p === 'ecp2' ? attempt.loginId.trim().toLowerCase() : attempt.loginId.trim().toUpperCase();
  const outcome = await db.transaction(async (trx): Promise<{ email: string } | { refusal: Refusal }> => {
    // FOR UPDATE: concurrent attempts on one account are counted one after the other.
    const row = await trx(logins(p)).where({ login_id: loginId }).forUpdate().first();
    if (!row || (await userAccess(trx, row.email)).memberOf.length === 0) {
      const legacyId =
        p === 'ecp2' &&
        Boolean(
          await trx(logins('legacy'))
            .where({ login_id: attempt.loginId.trim().toUpperCase() })
            .first('email'),
        );
      return { refusal: unknownLogin(p, legacyId) };
    }
    if (row.locked_at) return { refusal: lockedRefusal(p) };
    const step = await secretsMatch(p, row, attempt);
    if (step === null) return failed(trx, p, row.email);
    await trx(`${schemaOf(p)}.login_failures`)
      .where({ email: row.email })
      .del(); // "five in a row" starts again
    if (p === 'ecp2') await trx(logins(p)).where({ email: row.email }).update({ last_otp_step: step });
    return { email: row.email };
  });
  if ('refusal' in outcome) return outcome;
  if (p === 'ecp2') {
    const door = checkDoor(outcome.email, (await userAccess(db, outcome.email)).functions);
    if (door) return { refusal: door };
  }
  return openSession(db, p, outcome.email);
}

/** The time step of the one-time password used (0 on legacy, which has none), or null when anything is wrong. */
async function secretsMatch(
  p: PlatformName,
  row: { password_hash: string | null; totp_secret?: string | null; last_otp_step?: number | null },
  attempt: { password: string; otp?: string },
): Promise<number | null> {
  if (!row.password_hash || !(await secretMatches(attempt.password, row.password_hash))) return null;
  if (p === 'legacy') return 0;
  if (!row.totp_secret || !attempt.otp) return null;
  // ±30 s for a clock that is a little off; a code already used (or older) is refused, so a seen code is no key.
  const r = await verifyOtp({
    secret: row.totp_secret,
    token: attempt.otp,
    epochTolerance: 30,
    afterTimeStep: row.last_otp_step ?? undefined,
  });
  return r.valid && 'timeStep' in r ? r.timeStep : null;
}

async function failed(trx: Knex.Transaction, p: PlatformName, email: string): Promise<{ refusal: Refusal }> {
  const s = schemaOf(p);
  await trx(`${s}.login_failures`).insert({ email });
  const since = new Date(Date.now() - FAILED_LOGIN_WINDOW_MS);
  const n = Number(
    (await trx(`${s}.login_failures`).where({ email }).andWhere('at', '>', since).count({ n: '*' }).first())
      ?.n ?? 0,
  );
  const refusal = afterFailedLogin(p, n);
  if (refusal.status === 423) await trx(logins(p)).where({ email }).update({ locked_at: trx.fn.now() });
  return { refusal };
}

async function openSession(db: Knex, p: PlatformName, email: string): Promise<LoginResult> {
  const session = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db(`${schemaOf(p)}.sessions`)
    .where({ email })
    .andWhere('expires_at', '<', new Date())
    .del();
  await db(`${schemaOf(p)}.sessions`).insert({
    token_hash: tokenHash(session),
    email,
    expires_at: expiresAt,
  });
  return { session, expiresAt: expiresAt.toISOString() };
}

export interface SessionUser {
  email: string;
  functions: string[];
  memberOf: string[];
}

/**
 * The user of a bearer session on this platform, as they are now (functions, firms), or why there is none; with
 * `door`, ECP 2.0's web door too (2000).
 */
export async function sessionUser(
  db: Knex,
  p: PlatformName,
  authorization: string | undefined,
  door: boolean,
): Promise<SessionUser | { refusal: Refusal }> {
  const token = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '')?.[1];
  if (!token) return { refusal: noSession(p, 'missing') };
  const row = await db(`${schemaOf(p)}.sessions as s`)
    .join(`${logins(p)} as l`, 'l.email', 's.email')
    .where('s.token_hash', tokenHash(token))
    .first('s.email', 's.expires_at', 'l.locked_at');
  if (!row) return { refusal: noSession(p, 'unknown') };
  if (new Date(row.expires_at) <= new Date()) return { refusal: noSession(p, 'expired') };
  if (row.locked_at) return { refusal: lockedRefusal(p) };
  const access = await userAccess(db, row.email);
  if (access.memberOf.length === 0) return { refusal: unknownLogin(p, false) };
  const shut = door ? checkDoor(row.email, access.functions) : null;
  return shut ? { refusal: shut } : { email: row.email, ...access };
}

export async function logOut(db: Knex, p: PlatformName, authorization: string | undefined): Promise<void> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (token)
    await db(`${schemaOf(p)}.sessions`)
      .where({ token_hash: tokenHash(token) })
      .del();
}

/** An admin's unlock (FAQ A.16): the account opens again and its failed attempts are forgotten. */
export async function unlock(
  db: Knex,
  p: PlatformName,
  email: string,
): Promise<{ loginId: string; locked: false } | null> {
  return db.transaction(async (trx) => {
    const [row] = await trx(logins(p)).where({ email }).update({ locked_at: null }).returning('login_id');
    if (!row) return null;
    await trx(`${schemaOf(p)}.login_failures`)
      .where({ email })
      .del();
    return { loginId: row.login_id, locked: false as const };
  });
}
