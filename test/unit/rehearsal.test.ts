import { describe, expect, it } from 'vitest';
import {
  canonicalPlan,
  planHash,
  rehearsalLine,
  rehearsalOutcome,
  rehearsalRefusal,
  type RehearsalSummary,
  type RehearsedPlan,
} from '../../domain/rehearsal';

const plan: RehearsedPlan = {
  batchId: 'B1',
  folders: ['SD2', 'SD1', 'CCSSW-SH'],
  retire: [],
  plannedAt: '2026-06-06T10:00:00+08:00',
  failurePolicy: 'continue',
  concurrency: 5,
  moveOptions: { freezeWindowMaxMs: 60_000, drainTimeoutMs: 5_000, maxAttempts: 2 },
};

describe('the plan a rehearsal is bound to', () => {
  it('is the same for the same plan, whatever the order of its folders or the zone of its instant', () => {
    const same = { ...plan, folders: ['sd1', 'CCSSW-SH', 'SD2'], plannedAt: '2026-06-06T02:00:00.000Z' };
    expect(canonicalPlan(same)).toBe(canonicalPlan(plan));
    expect(planHash(same)).toBe(planHash(plan));
    expect(planHash(plan)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a reschedule', { plannedAt: '2026-06-06T10:01:00+08:00' }],
    ['another folder', { folders: ['SD1', 'SD2'] }],
    ['a retired folder closed', { retire: ['OLD1'] }],
    ['the failure policy', { failurePolicy: 'halt' as const }],
    ['the concurrency', { concurrency: 4 }],
    [
      'the move options',
      { moveOptions: { freezeWindowMaxMs: 60_000, drainTimeoutMs: 6_000, maxAttempts: 2 } },
    ],
    ['another batch', { batchId: 'B2' }],
  ])('changes with %s', (_what, change) => {
    expect(planHash({ ...plan, ...change })).not.toBe(planHash(plan));
  });

  it('refuses an instant that is not one', () => {
    expect(() => canonicalPlan({ ...plan, plannedAt: 'tomorrow' })).toThrow(/not an instant/);
  });
});

describe('REQUIRE_REHEARSAL', () => {
  const hash = planHash(plan);
  const now = new Date('2026-06-01T00:00:00Z');
  const ok: RehearsalSummary = {
    id: 'R1',
    status: 'succeeded',
    planHash: hash,
    startedAt: new Date('2026-05-30T00:00:00Z'),
    finishedAt: new Date('2026-05-30T00:01:00Z'),
    failure: null,
    freezeMedianMs: 300,
    freezeMaxMs: 900,
  };
  const week = 7 * 86_400_000;

  it('is off when not set', () => expect(rehearsalRefusal('B1', hash, undefined, null, now, '')).toBeNull());
  it('accepts a successful rehearsal of the same plan within the period', () =>
    expect(rehearsalRefusal('B1', hash, ok, week, now, '7d')).toBeNull());
  it('refuses without a rehearsal, and says so', () =>
    expect(rehearsalRefusal('B1', hash, undefined, week, now, '7d')).toMatch(
      /REQUIRE_REHEARSAL=7d.*there is none/,
    ));
  it('refuses a rehearsal of another plan (a reschedule voids it)', () =>
    expect(rehearsalRefusal('B1', hash, { ...ok, planHash: 'x' }, week, now, '7d')).toMatch(
      /plan changed since its latest rehearsal R1/,
    ));
  it('refuses a failed rehearsal with its reason', () =>
    expect(
      rehearsalRefusal(
        'B1',
        hash,
        { ...ok, status: 'failed', failure: 'SD1 compensated: boom' },
        week,
        now,
        '7d',
      ),
    ).toMatch(/failed \(SD1 compensated: boom\)/));
  it('refuses one still running', () =>
    expect(rehearsalRefusal('B1', hash, { ...ok, status: 'running' }, week, now, '7d')).toMatch(
      /still running/,
    ));
  it('refuses one older than the period', () =>
    expect(
      rehearsalRefusal('B1', hash, { ...ok, startedAt: new Date('2026-05-20T00:00:00Z') }, week, now, '7d'),
    ).toMatch(/more than 7d ago/));
  it('shows the latest rehearsal in one line', () => {
    expect(rehearsalLine(ok, hash)).toMatch(/R1 at .*: succeeded; freeze windows median 300 ms, max 900 ms/);
    expect(rehearsalLine(ok, 'other')).toMatch(/none of this plan \(the latest, R1/);
    expect(rehearsalLine(undefined, hash)).toBe('rehearsal: none of this plan');
  });
});

describe('the outcome of a rehearsal', () => {
  it('succeeds only when every folder moved', () => {
    expect(rehearsalOutcome([{ code: 'SD1', status: 'succeeded', failure: null }])).toEqual({
      status: 'succeeded',
      failure: null,
    });
    expect(
      rehearsalOutcome([
        { code: 'SD1', status: 'succeeded', failure: null },
        { code: 'SD2', status: 'compensated', failure: 'POST x: boom' },
      ]),
    ).toEqual({ status: 'failed', failure: 'SD2 compensated: POST x: boom' });
  });
});
