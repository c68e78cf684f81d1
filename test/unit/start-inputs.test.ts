import { describe, expect, it } from 'vitest';
import { malformedStart } from '../../domain/commands';
import { recoverBatch } from '../../domain/batch-lifecycle';
import { recoverDecommission } from '../../domain/decommission-lifecycle';
import { recoverSwitchBack } from '../../domain/switch-back-lifecycle';
import { asDataError } from '../../worker/data-errors';

const signed = (action: string, args: unknown) => ({
  command: { action, id: 'c1', operator: 'alice', roles: ['planner'], sig: 's', args },
});
const repairArgs = { folderCode: 'SD1', to: 'live', reason: 'stuck', approvalTimeoutMs: 1000 };

describe('a workflow start that did not come from the control API', () => {
  it.each([
    ['nothing', undefined, /carries no command/],
    ['a string', 'x', /carries no command/],
    [
      'no signature',
      { command: { ...signed('repair.request', repairArgs).command, sig: undefined } },
      /no signed repair.request command/,
    ],
    ['another action', signed('batch.plan', repairArgs), /no signed repair.request command/],
    [
      'arguments of the wrong shape',
      signed('repair.request', { ...repairArgs, to: 'anywhere' }),
      /arguments are malformed/,
    ],
    ['arguments missing', signed('repair.request', { folderCode: 'SD1' }), /arguments are malformed/],
  ])('is refused at once when it carries %s', (_what, input, problem) => {
    expect(malformedStart(input, 'repair.request')).toMatch(problem);
  });

  it("takes the shape the control API gives (the signature is an activity's to verify)", () => {
    expect(malformedStart(signed('repair.request', repairArgs), 'repair.request')).toBeNull();
    expect(
      malformedStart(
        signed('decommission.schedule', {
          plannedAt: '2022-12-30T10:00:00Z',
          reminderAts: ['2022-11-01T01:00:00Z'],
          quietPeriodMs: 1,
          recheckMs: 1,
        }),
        'decommission.schedule',
      ),
    ).toBeNull();
    expect(
      malformedStart(
        signed('decommission.schedule', {
          plannedAt: 'someday',
          reminderAts: [],
          quietPeriodMs: 1,
          recheckMs: 1,
        }),
        'decommission.schedule',
      ),
    ).toMatch(/malformed/);
  });
});

describe('a poison pill: data no retry can make acceptable', () => {
  const pg = (code: string) => Object.assign(new Error(`pg says ${code}`), { code });
  it('PostgreSQL classes 22 and 23 fail for good; a unique violation only after a few attempts; transient faults retry', () => {
    expect(asDataError(Object.assign(pg('22021'), { table: 'events' }), 1)).toMatchObject({
      type: 'DataError',
      nonRetryable: true,
      message: 'the database refused the data (SQLSTATE 22021 character_not_in_repertoire; table events)',
    });
    // Never the statement knex puts into the message.
    expect(asDataError(pg('23514'), 1)!.message).not.toMatch(/pg says/);
    expect(asDataError(pg('23514'), 1)).toMatchObject({ type: 'DataError' });
    expect(asDataError(pg('23505'), 1)).toBeNull();
    expect(asDataError(pg('23505'), 5)).toMatchObject({ type: 'DataError' });
    for (const transient of ['40001', '40P01', '57P01', '08006', '53300'])
      expect(asDataError(pg(transient), 1), transient).toBeNull();
    expect(asDataError(new Error('ECONNREFUSED'), 1)).toBeNull();
    expect(asDataError(Object.assign(new Error('bad shape'), { name: 'ZodError' }), 1)).toMatchObject({
      type: 'DataError',
    });
  });

  it('the machines decide: a plan or a request refused, a write made again without its text (once)', () => {
    const failure = 'the database refused the data';
    const s = {} as never;
    expect(recoverBatch(s, { type: 'recordPlan' }, failure)).toEqual({
      command: { type: 'planRefused', reason: `the plan could not be recorded: ${failure}` },
    });
    const persist = {
      type: 'persist' as const,
      seq: 3,
      status: 'aborted' as const,
      actor: 'bob',
      reason: 'bad',
    };
    const again = recoverBatch(s, persist, failure);
    expect(again).toEqual({
      effect: { ...persist, reason: `(the text given could not be stored: ${failure})`, plain: true },
    });
    expect(
      recoverBatch(s, (again as { effect: typeof persist & { plain: true } }).effect, failure),
    ).toBeNull();
    expect(
      recoverBatch(s, { type: 'finish', seq: 4, status: 'aborted', actor: 'bob', reason: 'x' }, failure),
    ).toMatchObject({ effect: { plain: true } });
    expect(recoverBatch(s, { type: 'withdrawNotices' }, failure)).toBeNull();
    expect(recoverSwitchBack(s, { type: 'recordRequest' }, failure)).toMatchObject({
      command: { type: 'refusedAtStart' },
    });
    expect(
      recoverSwitchBack(s, { type: 'record', to: 'rollback_rejected', actor: 'bob', reason: 'x' }, failure),
    ).toMatchObject({ effect: { plain: true } });
    expect(recoverDecommission(s, { type: 'recordRequest' }, failure)).toMatchObject({
      command: { type: 'refusedAtStart' },
    });
    expect(recoverDecommission(s, { type: 'switchOff' }, failure)).toBeNull();
  });
});
