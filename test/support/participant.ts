import { generate } from 'otplib';
import type { PlatformName } from '../../domain/intake-rules';

/**
 * A participant's user on the simulated platforms, as one would meet them: credentials handed out by the admin
 * API (what `ecp-cutover simulator credentials` prints), a login with the one-time password of an authenticator,
 * and a bearer session on every call after it.
 */
export interface SimCredentials {
  loginId: string;
  password: string;
  totpSecret?: string;
}

export async function credentialsOf(
  simUrl: string,
  adminToken: string,
  email: string,
  platform: PlatformName = 'ecp2',
): Promise<SimCredentials> {
  const res = await fetch(`${simUrl}/${platform}/admin/credentials/${encodeURIComponent(email)}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  if (!res.ok) throw new Error(`credentials of ${email} on ${platform}: ${res.status} ${await res.text()}`);
  return (await res.json()) as SimCredentials;
}

// The last time step used per secret: ECP 2.0 refuses a code used before, so a second login within the same 30 s
// uses the next step's code (within the ±30 s the platform allows for a clock that is a little ahead).
const lastStep = new Map<string, number>();

/** The one-time password an authenticator shows, never one this process used before. */
export async function freshOtp(secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, (lastStep.get(secret) ?? -1) + 1);
  if (step > now + 1) {
    await new Promise((r) => setTimeout(r, (step - 1) * 30_000 - Date.now() + 50));
    return freshOtp(secret);
  }
  lastStep.set(secret, step);
  return generate({ secret, epoch: step * 30 });
}

export async function logInAs(
  simUrl: string,
  creds: SimCredentials,
  platform: PlatformName = 'ecp2',
): Promise<Response> {
  const body =
    platform === 'ecp2'
      ? { loginId: creds.loginId, password: creds.password, otp: await freshOtp(creds.totpSecret!) }
      : { loginId: creds.loginId, password: creds.password };
  return fetch(`${simUrl}/${platform}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Signed in as `email` on `platform`: fetch with the session. One login per user and platform in this process. */
export interface ParticipantClient {
  session: string;
  get(path: string): Promise<Response>;
  post(path: string, body: unknown): Promise<Response>;
}

const sessions = new Map<string, Promise<string>>();

export async function participant(
  simUrl: string,
  adminToken: string,
  email: string,
  platform: PlatformName = 'ecp2',
): Promise<ParticipantClient> {
  const key = `${simUrl} ${platform} ${email}`;
  if (!sessions.has(key)) {
    sessions.set(
      key,
      (async () => {
        const res = await logInAs(simUrl, await credentialsOf(simUrl, adminToken, email, platform), platform);
        const body = (await res.json()) as { session?: string; message?: string };
        if (!body.session)
          throw new Error(`${email} could not log in to ${platform}: ${res.status} ${body.message}`);
        return body.session;
      })(),
    );
  }
  const session = await sessions.get(key)!.catch((err: Error) => (sessions.delete(key), Promise.reject(err)));
  const headers = { authorization: `Bearer ${session}` };
  return {
    session,
    get: (path) => fetch(`${simUrl}/${platform}${path}`, { headers }),
    post: (path, body) =>
      fetch(`${simUrl}/${platform}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}
