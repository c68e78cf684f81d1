import { decodeJwt } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Operator } from '../app/context';
import type { Authenticator } from '../api/auth';
import { HttpError } from '../api/http';
import { cookie, cookies, sameSecret } from './session';

/**
 * The console's sign-in with the identity provider: the authorization code flow with PKCE (S256) and a
 * `state` bound to the browser by a short-lived cookie. The access token the provider returns is verified
 * by the control API's own OIDC authenticator (issuer, audience, signature, expiry, name bound to subject),
 * exactly as a bearer token would be; the console then keeps its own session and never the provider's token.
 */
export interface OidcLogin {
  start(req: http.IncomingMessage, res: http.ServerResponse, next: string): Promise<void>;
  /**
   * The verified operator, where they were going, when the provider's token expires (the session ends then
   * too) and the cookie that clears the flow; HttpError when the provider's answer is refused.
   */
  callback(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<{ operator: Omit<Operator, 'source'>; next: string; expiresAt: Date; clearFlow: string }>;
}

export interface OidcLoginOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** The console's public origin (CONSOLE_PUBLIC_URL); without it, only a loopback Host is trusted (a dev stack). */
  publicUrl?: string;
  auth: Authenticator;
  secure: boolean;
  fetch?: typeof fetch;
}

const FLOW_COOKIE = 'ecp_console_oidc';
const FLOW_MS = 10 * 60_000;
const b64 = (b: Buffer) => b.toString('base64url');

export function createOidcLogin(o: OidcLoginOptions): OidcLogin {
  const get = o.fetch ?? fetch;
  let discovered: Promise<{ authorization_endpoint: string; token_endpoint: string }> | null = null;
  const discovery = () => (discovered ??= (async () => {
    const r = await get(`${o.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`the identity provider's discovery document answered ${r.status}`);
    const doc = (await r.json()) as { authorization_endpoint?: string; token_endpoint?: string; issuer?: string };
    if (!doc.authorization_endpoint || !doc.token_endpoint) throw new Error("the identity provider's discovery document has no authorization or token endpoint");
    return { authorization_endpoint: doc.authorization_endpoint, token_endpoint: doc.token_endpoint };
  })().catch((err) => {
    discovered = null;
    throw err;
  }));
  const redirectUri = (req: http.IncomingMessage) => {
    if (o.publicUrl) return `${o.publicUrl.replace(/\/+$/, '')}/console/oidc/callback`;
    const host = String(req.headers.host ?? '');
    if (!/^(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/.test(host)) throw new HttpError(400, 'bad_input', 'set CONSOLE_PUBLIC_URL to the console\'s address: the identity provider sends browsers back there (a Host header is trusted only on a loopback address)');
    return `http://${host}/console/oidc/callback`;
  };
  // The flow's cookie goes to the callback, a top-level navigation back from the provider: SameSite=Lax.
  const flowCookie = (value: string, maxAgeS: number) => cookie(FLOW_COOKIE, value, { secure: o.secure, maxAgeS, path: '/console/oidc' }).replace('SameSite=Strict', 'SameSite=Lax');

  return {
    async start(req, res, next) {
      const { authorization_endpoint } = await discovery();
      const state = b64(randomBytes(24));
      const verifier = b64(randomBytes(48));
      const challenge = b64(createHash('sha256').update(verifier).digest());
      const flow = b64(Buffer.from(JSON.stringify({ state, verifier, next, exp: Date.now() + FLOW_MS })));
      const target = new URL(authorization_endpoint);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: o.clientId, redirect_uri: redirectUri(req), scope: 'openid profile', state, code_challenge: challenge, code_challenge_method: 'S256' })) target.searchParams.set(k, v);
      res.writeHead(303, { location: target.toString(), 'set-cookie': flowCookie(flow, FLOW_MS / 1000), 'cache-control': 'no-store' });
      res.end();
    },

    async callback(req, res, url) {
      const refused = (why: string) => new HttpError(401, 'unauthorized', `sign-in with the identity provider refused: ${why}; start again from the sign-in page`);
      let flow: { state: string; verifier: string; next: string; exp: number };
      try {
        flow = JSON.parse(Buffer.from(cookies(req)[FLOW_COOKIE] ?? '', 'base64url').toString('utf8'));
      } catch {
        throw refused('this browser did not start it');
      }
      const clearFlow = flowCookie('', 0);
      res.setHeader('set-cookie', clearFlow); // on a refusal; a success sends it with the session's cookie
      if (!flow || typeof flow.state !== 'string' || typeof flow.verifier !== 'string' || !(flow.exp > Date.now())) throw refused('this browser did not start it, or too long ago');
      if (url.searchParams.get('error')) throw refused(`the provider said ${url.searchParams.get('error')!.slice(0, 64)}`);
      if (!sameSecret(url.searchParams.get('state') ?? undefined, flow.state)) throw refused('its state does not match this browser');
      const code = url.searchParams.get('code');
      if (!code || code.length > 2048) throw refused('no authorization code');
      const { token_endpoint } = await discovery();
      const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(req), client_id: o.clientId, code_verifier: flow.verifier });
      if (o.clientSecret) form.set('client_secret', o.clientSecret);
      const r = await get(token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form, signal: AbortSignal.timeout(10_000) });
      if (!r.ok) throw refused(`the provider's token endpoint answered ${r.status}`);
      const tokens = (await r.json()) as { access_token?: unknown };
      if (typeof tokens.access_token !== 'string') throw refused('the provider returned no access token');
      const operator = await o.auth.authenticate(`Bearer ${tokens.access_token}`);
      if (operator.roles.length === 0) throw new HttpError(403, 'not_allowed', `operator '${operator.name}' holds no role in the console`);
      // Verified above (exp is required): the session lasts no longer than the provider's token.
      const expiresAt = new Date(Number(decodeJwt(tokens.access_token).exp) * 1000);
      return { operator, next: typeof flow.next === 'string' ? flow.next : '/console/batches', expiresAt, clearFlow };
    },
  };
}
