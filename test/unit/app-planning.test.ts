import { describe, expect, it } from 'vitest';
import { planBatch, previewPlan, type PlanInput } from '../../app/batches';
import { PlanRefused } from '../../domain/batch-plan';
import { NotAllowedError } from '../../domain/errors';
import { alice, bob, fakeApp } from '../support/fakes/app';
import { batch, folder, member, participant, user, world } from '../support/fakes/world';

// A Monday far enough ahead for any notice period.
const MONDAY = '2031-03-10 08:00';
const planned = () =>
  world({
    operators: [{ name: 'alice', roles: ['planner'] }],
    folders: [
      folder('SD1'),
      folder('SD2', { placement: 'live' }),
      folder('SD3'),
      folder('SD4', { ccFunction: 'EU_ECPGEN' }),
      folder('RT1', { placement: 'retired' }),
    ],
    batches: [batch('B1'), batch('B9')],
    batchFolders: [member('B9', 'SD3')],
    participants: [participant('00100'), participant('00200')],
    users: [user('00100', 'a@one.example', ['EU_ECPCASH'])],
  });
const plan = (over: Partial<PlanInput> = {}): PlanInput => ({
  id: 'B2',
  name: 'Cash',
  at: MONDAY,
  folders: ['SD1'],
  ...over,
});

describe('planning a batch (app/batches.ts): every problem of a plan, each with its field, before anything is started', () => {
  it('names each problem beside its field: a time, a duration or a limit that cannot be read as much as a rule broken', async () => {
    const preview = await previewPlan(fakeApp(planned()), alice, {
      id: 'B1',
      name: ' ',
      at: 'next monday',
      folders: ['sd1', 'SD2', 'SD3', 'NOPE', 'SD1'],
      onFailure: 'panic',
      concurrency: 0,
      minNotice: 'soon',
      maxNotReady: 'lots',
      retire: ['RT1', 'SD1'],
    });
    expect(preview.ok).toBe(false);
    expect(preview.plannedAt).toBeNull();
    const by = (field: string) => preview.problems.filter((p) => p.field === field).map((p) => p.message);
    expect(by('id')).toEqual([expect.stringMatching(/^batch B1 already exists/)]);
    expect(by('name')).toEqual([expect.stringMatching(/must not be empty/)]);
    expect(by('at')).toEqual([expect.stringMatching(/next monday/)]);
    expect(by('folders')).toEqual([
      expect.stringMatching(/names a folder twice/),
      'folder SD2 is already live on ECP 2.0, not on legacy',
      'folder SD3 is already in unfinished batch B9 (one plan per folder)',
      'folder NOPE is not in the catalog',
    ]);
    expect(by('onFailure')).toEqual([expect.stringMatching(/must be continue or halt, not 'panic'/)]);
    expect(by('concurrency')).toEqual([expect.stringMatching(/whole number from 1 to 500/)]);
    expect(by('minNotice')).toHaveLength(1);
    expect(by('maxNotReady')).toEqual([expect.stringMatching(/'lots' must be a number of firms/)]);
    expect(by('retire')).toEqual([expect.stringMatching(/folder SD1 is in both/)]);
  });

  it('a valid plan: no problem, its instant, the steps, and what it concerns (firms affected and not ready per folder)', async () => {
    const preview = await previewPlan(
      fakeApp(planned()),
      alice,
      plan({ folders: ['SD1', 'SD4'], minNotice: '0s', allowNonBusinessDay: true }),
    );
    expect(preview).toMatchObject({
      ok: true,
      problems: [],
      plannedAt: '2031-03-10T00:00:00.000Z',
      affected: 2,
      notReady: 2,
    });
    expect(preview.steps[0]).toBe('freeze legacy intake');
    expect(preview.folders).toEqual([
      {
        code: 'SD1',
        name: 'Folder SD1',
        affected: 2,
        notReady: 1,
        notReadyFirms: [{ participant: '00200', missing: expect.any(String) }],
      },
      {
        code: 'SD4',
        name: 'Folder SD4',
        affected: 2,
        notReady: 2,
        notReadyFirms: [
          expect.objectContaining({ participant: '00100' }),
          expect.objectContaining({ participant: '00200' }),
        ],
      },
    ]);
  });

  it('applies the calendar and the notice period to the instant, under the field `at`', async () => {
    const app = fakeApp(planned());
    const problems = async (at: string, over: Partial<PlanInput> = {}) =>
      (await previewPlan(app, alice, plan({ at, ...over }))).problems;
    expect(await problems('2022-06-06 08:00')).toEqual([
      { field: 'at', message: '2022-06-06 08:00 HKT is in the past' },
    ]);
    expect(await problems('2031-03-08 08:00')).toEqual([
      { field: 'at', message: expect.stringMatching(/^2031-03-08 is a Saturday/) },
    ]);
    expect(await problems('2031-03-08 08:00', { allowNonBusinessDay: true })).toEqual([]);
    expect(await problems(MONDAY, { minNotice: '100000d' })).toEqual([
      { field: 'at', message: expect.stringMatching(/inside the notice period/) },
    ]);
  });

  it('refuses a plan with problems before anything is started (nothing reaches Temporal), and an operator who may not plan', async () => {
    const refused = await planBatch(fakeApp(planned()), alice, plan({ folders: ['SD2'] })).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(PlanRefused);
    expect((refused as PlanRefused).problems).toEqual([
      { field: 'folders', message: 'folder SD2 is already live on ECP 2.0, not on legacy' },
    ]);
    expect((refused as Error).message).toBe(
      'batch B2 refused: folder SD2 is already live on ECP 2.0, not on legacy',
    );
    await expect(previewPlan(fakeApp(planned()), bob, plan())).rejects.toThrow(
      new NotAllowedError("operator 'bob' does not hold the planner role (has: approver)"),
    );
    await expect(planBatch(fakeApp(planned()), bob, plan())).rejects.toThrow(NotAllowedError);
  });
});
