import { describe, expect, it } from 'vitest';
import { base32, credentialKey, derivedPassword, derivedTotpSecret } from '../../simulator/credentials';

describe("the simulator's derived credentials", () => {
  it('base32 is RFC 4648 (its test vectors, unpadded)', () => {
    for (const [plain, encoded] of [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ]) {
      expect(base32(Buffer.from(plain))).toBe(encoded);
    }
  });

  it('the same user gets the same secrets; another user, platform or admin credential other ones', () => {
    const key = credentialKey('a'.repeat(32));
    expect(derivedPassword(key, 'ecp2', 'u@firm.hk')).toBe(
      derivedPassword(credentialKey('a'.repeat(32)), 'ecp2', 'u@firm.hk'),
    );
    expect(derivedPassword(key, 'ecp2', 'u@firm.hk')).not.toBe(derivedPassword(key, 'legacy', 'u@firm.hk'));
    expect(derivedPassword(key, 'ecp2', 'u@firm.hk')).not.toBe(derivedPassword(key, 'ecp2', 'v@firm.hk'));
    expect(derivedTotpSecret(key, 'u@firm.hk')).not.toBe(
      derivedTotpSecret(credentialKey('b'.repeat(32)), 'u@firm.hk'),
    );
    expect(derivedTotpSecret(key, 'u@firm.hk')).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
  });
});
