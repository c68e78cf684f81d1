import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { Operator } from '../app/context';
import type { Authenticator } from '../api/auth';
import { HttpError } from '../http/errors';
import { boxText, cookie, unboxText } from './session';

/**
 * The console's sign-in with the identity provider, with `openid-client`: the authorization code flow with
 * PKCE (S256), a `state` and a `nonce`, kept in a short-lived cookie sealed (AES-GCM) with a key of the
 * control API's, so a browser can neither read nor forge its flow. The ID token is checked by openid-client
 * (issuer, audience, expiry, nonce); the access token is verified by the control API's own OIDC
 * authenticator (signature, issuer, audience, name bound to subject) exactly as a bearer token would be, and
 * must be the same person's as the ID token. The console keeps that token, encrypted, for its session, and
 * verifies it again at every request (console/session.ts).
 */
export interface OidcLogin {
  /** Where to send the browser (the provider's authorization URL), and the flow's cookie. */
  start(next: string, host: string | undefined): Promise<{ location: string; cookie: string }>;
  /** The verified operator, their token (for the session), where they were going and when the token expires. */
  callback(
    query: URLSearchParams,
    flowCookie: string | undefined,
    host: string | undefined,
  ): Promise<{ operator: Omit<Operator, 'source'>; jwt: string; next: string; expiresAt: Date }>;
  /** The cookie that clears the flow. */
  clearFlow: string;
}

export interface OidcLoginOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** The console's public origin (CONSOLE_PUBLIC_URL); without it, only a loopback Host is trusted (a dev stack). */
  publicUrl?: string;
  auth: Authenticator;
  secure: boolean;
  /** Seals the flow cookie (derived from the control API's signing key). */
  flowKey: Buffer;
}

export const FLOW_COOKIE = 'ecp_console_oidc';
const FLOW_MS = 10 * 60_000;
const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

export function createOidcLogin(o: OidcLoginOptions): OidcLogin {
  let discovered: Promise<oidc.Configuration> | null = null;
  // Plain http is allowed for a provider on this machine only (a dev stack, the tests).
  const configuration = () =>
    (discovered ??= oidc
      .discovery(
        new URL(o.issuer),
        o.clientId,
        o.clientSecret,
        o.clientSecret ? oidc.ClientSecretPost(o.clientSecret) : oidc.None(),
        LOOPBACK.test(o.issuer) ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      )
      .catch((err: unknown) => {
        discovered = null;
        throw err;
      }));
  const redirectUri = (host: string | undefined) => {
    if (o.publicUrl) return `${o.publicUrl.replace(/\/+$/, '')}/console/oidc/callback`;
    if (!/^(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/.test(host ?? ''))
      throw new HttpError(
        'bad_input',
        "set CONSOLE_PUBLIC_URL to the console's address: the identity provider sends browsers back there (a Host header is trusted only on a loopback address)",
      );
    return `http://${host}/console/oidc/callback`;
  };
  // The flow's cookie goes to the callback, a top-level navigation back from the provider: SameSite=Lax.
  const flowCookie = (value: string, maxAgeS: number) =>
    cookie(FLOW_COOKIE, value, { secure: o.secure, maxAgeS, path: '/console/oidc', sameSite: 'Lax' });
  const refused = (why: string) =>
    new HttpError(
      'unauthorized',
      `sign-in with the identity provider refused: ${why}; start again from the sign-in page`,
    );

  return {
    clearFlow: flowCookie('', 0),
    async start(next, host) {
      const config = await configuration();
      const flow = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        next,
        exp: Date.now() + FLOW_MS,
      };
      const target = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri(host),
        scope: 'openid profile',
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
      });
      return {
        location: target.href,
        cookie: flowCookie(boxText(o.flowKey, JSON.stringify(flow)), FLOW_MS / 1000),
      };
    },

    async callback(query, sealed, host) {
      const opened = sealed ? unboxText(o.flowKey, sealed) : null;
      if (!opened) throw refused('this browser did not start it');
      const flow = JSON.parse(opened) as {
        state: string;
        nonce: string;
        verifier: string;
        next: string;
        exp: number;
      };
      if (!(flow.exp > Date.now())) throw refused('it was started too long ago');
      if (query.get('error')) throw refused(`the provider said ${query.get('error')!.slice(0, 64)}`);
      if (query.get('state') !== flow.state) throw refused('its state does not match this browser');
      const back = new URL(redirectUri(host));
      for (const [k, v] of query) back.searchParams.append(k, v);
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(await configuration(), back, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        throw refused(
          `the provider's answer was not accepted (${(err as { code?: string }).code ?? (err as Error).message.slice(0, 80)})`,
        );
      }
      const jwt = tokens.access_token;
      const operator = await o.auth.authenticate(`Bearer ${jwt}`);
      const access = decodeJwt(jwt);
      if (access.sub !== tokens.claims()?.sub)
        throw refused('the access token and the ID token are not the same person');
      if (operator.roles.length === 0)
        throw new HttpError('not_allowed', `operator '${operator.name}' holds no role in the console`);
      // Verified above (exp is required): the session lasts no longer than the provider's token.
      return { operator, jwt, next: flow.next, expiresAt: new Date(Number(access.exp) * 1000) };
    },
  };
}
