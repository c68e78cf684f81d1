import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config';
import { parseDuration } from '../../domain/duration';
import { canTransition } from '../../domain/placement';
import { formatHk, parseHkTime } from '../../domain/time';

describe('configuration', () => {
  it('defaults to the embedded stack', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('postgres://postgres:postgres@127.0.0.1:55432/ecp_cutover');
    expect(c.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(c.freezeWindowMaxMs).toBe(60_000);
  });
  it('reports every bad value at once, each with its name', () => {
    let message = '';
    try {
      loadConfig({
        PORTAL_PORT: '99999',
        SMTP_URL: 'http://x',
        TEMPORAL_ADDRESS: 'nohost',
        FREEZE_WINDOW_MAX: 'soon',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['PORTAL_PORT', 'SMTP_URL', 'TEMPORAL_ADDRESS', 'FREEZE_WINDOW_MAX'])
      expect(message).toContain(name);
    expect(message.split('\n')).toHaveLength(1);
  });
  it('a rehearsal never points at the live platforms or the live database, and REQUIRE_REHEARSAL is a positive duration', () => {
    for (const url of ['http://127.0.0.1:4100', 'http://localhost:4100/', 'http://[::1]:4100'])
      expect(() => loadConfig({ REHEARSAL_PLATFORM_URL: url }), url).toThrow(
        /^bad configuration: REHEARSAL_PLATFORM_URL names the live platforms/,
      );
    expect(() =>
      loadConfig({
        SIMULATOR_URL: 'https://ecp2.example:443/admin',
        REHEARSAL_PLATFORM_URL: 'https://ecp2.example/admin/',
      }),
    ).toThrow(/names the live platforms/);
    expect(loadConfig({ REHEARSAL_PLATFORM_URL: 'https://ecp2-test.example' }).REHEARSAL_PLATFORM_URL).toBe(
      'https://ecp2-test.example',
    );
    expect(() =>
      loadConfig({ REHEARSAL_DATABASE_URL: 'postgres://postgres:postgres@localhost:55432/ecp_cutover' }),
    ).toThrow(/REHEARSAL_DATABASE_URL is the live database/);
    expect(() => loadConfig({ REQUIRE_REHEARSAL: '0s' })).toThrow(
      /REQUIRE_REHEARSAL must be a positive duration/,
    );
    expect(loadConfig({ REQUIRE_REHEARSAL: '7d' }).requireRehearsalMs).toBe(7 * 86_400_000);
  });
  it('the console: an idle timeout that is a duration, and its identity-provider client only in OIDC mode', () => {
    expect(loadConfig({}).consoleIdleMs).toBe(15 * 60_000);
    expect(loadConfig({ CONSOLE_IDLE_TIMEOUT: '5m' }).consoleIdleMs).toBe(5 * 60_000);
    expect(() => loadConfig({ CONSOLE_IDLE_TIMEOUT: 'a while' })).toThrow(
      /CONSOLE_IDLE_TIMEOUT="a while" must be a duration/,
    );
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'ecp-console' })).toThrow(/OIDC_CLIENT_ID .* needs OIDC mode/);
    expect(() => loadConfig({ CONSOLE_PUBLIC_URL: 'javascript:alert(1)' })).toThrow(
      /CONSOLE_PUBLIC_URL=.* must be a URL starting with http:\/\/ or https:\/\//,
    );
  });
  it('wants TLS cert and key together', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '/x.pem' })).toThrow(/go together/);
  });
});

describe('Hong Kong time', () => {
  it('reads "YYYY-MM-DD HH:mm" as Hong Kong time and shows it back', () => {
    const t = parseHkTime('2022-06-06 08:00');
    expect(t.toISO()).toBe('2022-06-06T00:00:00.000Z');
    expect(formatHk(t.toJSDate())).toBe('2022-06-06 08:00 HKT');
  });
  it('honours an explicit zone and refuses nonsense', () => {
    expect(parseHkTime('2022-06-06 08:00 Europe/London').toISO()).toBe('2022-06-06T07:00:00.000Z');
    expect(() => parseHkTime('next monday')).toThrow(/YYYY-MM-DD HH:mm/);
  });
  it('reads durations', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(() => parseDuration('1 year')).toThrow(/duration/);
  });
});

describe('placement state machine', () => {
  it('allows only the documented moves', () => {
    expect(canTransition('legacy', 'cutting_over')).toBe(true);
    expect(canTransition('cutting_over', 'live')).toBe(true);
    expect(canTransition('live', 'legacy')).toBe(false);
    expect(canTransition('retired', 'cutting_over')).toBe(false);
    expect(canTransition('new_on_2_0', 'legacy')).toBe(false);
  });
});
