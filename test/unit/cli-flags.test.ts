import { describe, expect, it } from 'vitest';
import { withFlags } from '../../cli/flags';
import { parseMaxNotReady } from '../../app/batches';
import { planProblems } from '../../domain/batch-plan';
import { repairTarget } from '../../domain/repair-policy';
import { DateTime } from 'luxon';

describe("messages speak of the API's fields; the CLI prints its flags (cli/flags.ts)", () => {
  it('writes each field a message names as the flag that sets it', () => {
    expect(withFlags("`onFailure` must be continue or halt, not 'panic'")).toBe(
      "--on-failure must be continue or halt, not 'panic'",
    );
    expect(
      withFlags(
        '2031-01-01 is a Hong Kong public holiday: pick a business day or pass `allowNonBusinessDay`',
      ),
    ).toBe('2031-01-01 is a Hong Kong public holiday: pick a business day or pass --allow-non-business-day');
    expect(withFlags('folder SD1 is in both `folders` and `retire`: a folder either moves or retires')).toBe(
      'folder SD1 is in both --folders and --retire: a folder either moves or retires',
    );
    // A field that is no flag keeps its name; other text is left as it is.
    expect(withFlags("`plannedAt` changed since you looked; 'x-y' stays")).toBe(
      "plannedAt changed since you looked; 'x-y' stays",
    );
    expect(withFlags('`constructor`')).toBe('constructor');
  });

  it('the domain and the application layer name fields, never flags', () => {
    expect(() => parseMaxNotReady('lots')).toThrow(
      "`maxNotReady` 'lots' must be a number of firms (e.g. 10) or a percentage (e.g. 5%)",
    );
    expect(() => repairTarget('ecp2')).toThrow('`to` ecp2: say legacy or live');
    const problems = planProblems(
      {
        id: 'B1',
        name: '',
        plannedAt: null,
        folders: [],
        requestedBy: 'alice',
        failurePolicy: 'continue',
        concurrency: 0,
        minNoticeMs: 0,
        allowNonBusinessDay: false,
        retire: [],
      },
      { now: DateTime.utc(), folders: new Map(), batchExists: true, retire: new Map() },
    );
    expect(problems.map((p) => p.message)).toEqual([
      'batch B1 already exists: choose another `id`',
      '`name` must not be empty',
      '`folders` (or `retire`) must name at least one folder',
      '`concurrency` must be a whole number from 1 to 500',
    ]);
    for (const p of problems) expect(p.message).not.toMatch(/--[a-z]/);
  });
});
