import { describe, expect, it } from 'vitest';
import {
  afterFailedLogin,
  lockedRefusal,
  MAX_FAILED_LOGINS,
  noSession,
  unknownLogin,
} from '../../domain/platform-login';

describe('logging in to the platforms (FAQ A.1, A.15–A.16)', () => {
  it('each failed attempt says how many are left; the fifth within 30 minutes locks (423)', () => {
    expect(MAX_FAILED_LOGINS).toBe(5);
    for (let n = 1; n < 5; n++)
      expect(afterFailedLogin('ecp2', n)).toMatchObject({
        status: 401,
        code: 'bad_credentials',
        message: expect.stringContaining(`${5 - n} more failed attempt(s)`),
      });
    expect(afterFailedLogin('ecp2', 5)).toEqual(lockedRefusal('ecp2'));
    expect(afterFailedLogin('legacy', 7)).toMatchObject({ status: 423, code: 'locked' });
    expect(lockedRefusal('ecp2').message).toMatch(
      /\(FAQ A\.15\).*\(Client Connect user guide section 3\.1, FAQ A\.16\)/,
    );
    expect(lockedRefusal('legacy').message).not.toMatch(/FAQ/); // legacy's lock is the simulator's own rule
  });

  it("FAQ A.1: legacy's credentials on ECP 2.0 are told so; an unknown user is a 401, not a 2000", () => {
    expect(unknownLogin('ecp2', true)).toMatchObject({
      status: 401,
      code: 'legacy_credentials',
      message: expect.stringMatching(/do not open ECP 2\.0 \(FAQ A\.1\)/),
    });
    expect(unknownLogin('ecp2', false)).toMatchObject({
      status: 401,
      code: 'unknown_user',
      message: expect.stringMatching(/not a Client Connect user/),
    });
    expect(unknownLogin('legacy', false)).toMatchObject({
      status: 401,
      message: expect.stringMatching(/not a legacy ECP user/),
    });
  });

  it('a request without a good session says how to get one', () => {
    expect(noSession('ecp2', 'missing')).toEqual({
      status: 401,
      code: 'unauthenticated',
      message:
        'this needs a session: POST /ecp2/login, then send its session as "Authorization: Bearer <session>"',
    });
    expect(noSession('legacy', 'expired').message).toMatch(/^this session has expired: POST \/legacy\/login/);
  });
});
