import { createHmac } from 'node:crypto';
import type { PlatformName } from '../domain/intake-rules';

/**
 * Each user's credentials on the embedded stack, derived from the simulator's admin credential: the same user
 * gets the same password and TOTP secret each time they are handed out (`simulator credentials`), yet the
 * database holds only a hash of the password, and nobody without the admin credential can compute them. A
 * simulator given another admin credential hands out new ones (and stores their hash when it does).
 */
export function credentialKey(adminToken: string): Buffer {
  return createHmac('sha256', adminToken).update('ecp-cutover simulator credentials v1').digest();
}

const mac = (key: Buffer, what: string) => createHmac('sha256', key).update(what).digest();

export function derivedPassword(key: Buffer, platform: PlatformName, email: string): string {
  return mac(key, `${platform}\0password\0${email}`).toString('base64url').slice(0, 20);
}

/** A TOTP secret of 160 bits (RFC 4226's recommendation), base32 as authenticator apps take it. */
export function derivedTotpSecret(key: Buffer, email: string): string {
  return base32(mac(key, `ecp2\0totp\0${email}`).subarray(0, 20));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 4648 base32, unpadded. */
export function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
