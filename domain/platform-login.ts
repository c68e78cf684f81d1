import { PLATFORM_LABEL, type PlatformName, type Refusal } from './intake-rules';

/**
 * How participants log in to the platforms, as pure rules. ECP 2.0 takes the Client Connect login ID, password
 * and a one-time password, and legacy ECP's credentials do not open it (FAQ A.1); five failed logins within 30
 * minutes lock a Client Connect account until it is unlocked (FAQ A.15–A.16). Legacy ECP locks its own logins the
 * same way here (the simulator's choice: the FAQ speaks of Client Connect). A session expires: the FAQ says a
 * session times out (A.3), not after how long; 30 minutes is the project's.
 */
export const MAX_FAILED_LOGINS = 5;
export const FAILED_LOGIN_WINDOW_MS = 30 * 60_000;
export const SESSION_TTL_MS = 30 * 60_000;

const TRY = {
  ecp2: 'log in with your Client Connect login ID (your registered email address), password and the one-time password of your authenticator (FAQ A.1)',
  legacy: "log in with legacy ECP's own login ID and password",
};

/** After a failed attempt, with `failures` failed attempts (this one included) since the last success, within the window. */
export function afterFailedLogin(platform: PlatformName, failures: number): Refusal {
  if (failures >= MAX_FAILED_LOGINS) return lockedRefusal(platform);
  const left = MAX_FAILED_LOGINS - failures;
  return {
    status: 401,
    code: 'bad_credentials',
    message: `the login ID, password or one-time password is not right: ${TRY[platform]}; ${left} more failed attempt(s) within 30 minutes lock the account`,
  };
}

export function lockedRefusal(platform: PlatformName): Refusal {
  const unlock =
    platform === 'ecp2'
      ? "ask your firm's ECP administrator, or HKEX, to unlock it (Client Connect user guide section 3.1, FAQ A.16)"
      : 'ask HKEX support to unlock it';
  return {
    status: 423,
    code: 'locked',
    message: `the account is locked after ${MAX_FAILED_LOGINS} failed logins within 30 minutes${platform === 'ecp2' ? ' (FAQ A.15)' : ''}: ${unlock}`,
  };
}

/** A login ID the platform does not know; on ECP 2.0, said plainly when it is one of legacy's (FAQ A.1). */
export function unknownLogin(platform: PlatformName, legacyId: boolean): Refusal {
  if (platform === 'ecp2' && legacyId) {
    return {
      status: 401,
      code: 'legacy_credentials',
      message: `legacy ECP's credentials do not open ECP 2.0 (FAQ A.1): ${TRY.ecp2}`,
    };
  }
  const who = platform === 'ecp2' ? 'a Client Connect user' : 'a legacy ECP user';
  return {
    status: 401,
    code: 'unknown_user',
    message: `this login ID is not ${who}: ${TRY[platform]}${platform === 'ecp2' ? '; a firm not yet on Client Connect applies with the form to HKEX (FAQ B.8)' : ''}`,
  };
}

export function noSession(platform: PlatformName, why: 'missing' | 'unknown' | 'expired'): Refusal {
  const said = {
    missing: 'this needs a session',
    unknown: 'this session is not one of ' + PLATFORM_LABEL[platform] + "'s",
    expired: 'this session has expired',
  }[why];
  return {
    status: 401,
    code: 'unauthenticated',
    message: `${said}: POST /${platform}/login, then send its session as "Authorization: Bearer <session>"`,
  };
}
