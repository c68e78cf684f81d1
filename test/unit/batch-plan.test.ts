import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { planProblems, type PlanRequest } from '../../domain/batch-plan';

describe('planProblems', () => {
  const now = DateTime.fromISO('2031-03-03T00:00:00Z');
  const facts = {
    now,
    folders: new Map([
      ['SD1', { placement: 'legacy' as const, activeBatch: null }],
      ['SD2', { placement: 'legacy' as const, activeBatch: 'B9' }],
    ]),
    batchExists: false,
    retire: new Map(),
  };
  const req = (over: Partial<PlanRequest>): PlanRequest => ({
    id: 'B1',
    name: 'n',
    plannedAt: DateTime.fromISO('2031-03-10T00:00:00Z'),
    folders: ['SD1'],
    requestedBy: 'alice',
    failurePolicy: 'continue',
    concurrency: 5,
    minNoticeMs: 0,
    allowNonBusinessDay: false,
    retire: [],
    ...over,
  });

  it('finds every problem at once, each with the field a form shows it beside', () => {
    expect(planProblems(req({}), facts)).toEqual([]);
    const problems = planProblems(
      req({
        id: 'bad id!',
        name: ' ',
        folders: ['SD1', 'SD2', 'NOPE'],
        concurrency: 0,
        plannedAt: now.minus({ days: 1 }),
      }),
      facts,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'id',
      'name',
      'concurrency',
      'folders',
      'folders',
      'at',
      'at',
    ]); // in the past, and a Sunday
    expect(problems.find((p) => p.field === 'folders' && p.message.includes('SD2'))?.message).toBe(
      'folder SD2 is already in unfinished batch B9 (one plan per folder)',
    );
  });

  it('leaves the time out when it could not be read (its own problem says why)', () => {
    expect(planProblems(req({ plannedAt: null }), facts)).toEqual([]);
  });
});
