import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Operator tokens: `ecp_<id>_<secret>`. The id finds the row; the secret is checked against a slow hash
 * (scrypt), so a stolen copy of the table does not give working tokens. The token is shown once, when made.
 */
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
const PARAMS = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const TOKEN = /^ecp_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface NewToken {
  id: string;
  token: string;
  secretHash: string;
}

export async function newToken(): Promise<NewToken> {
  const id = randomBytes(16).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `ecp_${id}_${secret}`, secretHash: await hashSecret(secret) };
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64url');
  const got = await scryptAsync(secret, Buffer.from(salt, 'base64url'), want.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The id and secret of a well-formed token, or null. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN.exec(token.trim());
  return m ? { id: m[1], secret: m[2] } : null;
}

/** A fingerprint of a secret for an in-memory cache of verified tokens (never stored). */
export const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('base64url');
