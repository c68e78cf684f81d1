import { describe, expect, it } from 'vitest';
import { runBatch } from '../support/batches';
import { cutoverStack, snapshot } from '../support/stack';
import { recordHistory } from '../support/temporal';

const stack = await cutoverStack();
const { db, client, sink, app } = stack;
await db('participants').insert([
  {
    code: '01234',
    name_en: 'Cash Firm',
    name_zh: '現貨公司',
    user_types: ['SEHK_EP'],
    emails: ['ops@cash.hk'],
    language: 'zh-Hant',
  },
  { code: '05678', name_en: 'Futures Firm', user_types: ['HKFE_EP'], emails: ['ops@futures.hk'] },
]);
await stack.runWorker();

async function cutOver(folderCode: string) {
  const { result } = await runBatch(app, [folderCode]);
  expect(result.folders[folderCode].status).toBe('live');
}

describe('switch-back (folderRollback) through the CLI', () => {
  it('needs a second operator with the approver role, then moves the folder back to legacy', async () => {
    await cutOver('SD1');
    const before = await snapshot(db, ['SD1']);

    const asked = await stack.cli(
      ...['folder', 'rollback', 'SD1', '--reason', 'ECP 2.0 rejects SD-1 files', '--as', 'alice'],
    );
    expect(asked.stderr).toBe('');
    expect(asked.stdout).toMatch(/approve-rollback SD1/);

    const again = await stack.cli(...['folder', 'rollback', 'SD1', '--reason', 'again', '--as', 'alice']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already pending/);

    // alice may approve switch-backs too, but not her own request.
    await db('operator_roles').insert({ operator: 'alice', role: 'approver' });
    const self = await stack.cli(...['folder', 'approve-rollback', 'SD1', '--as', 'alice']);
    await db('operator_roles').where({ operator: 'alice', role: 'approver' }).del();
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/four eyes: alice requested the switch-back of SD1 and cannot approve it/);

    const support = await stack.cli(...['folder', 'approve-rollback', 'SD1', '--as', 'carol']);
    expect(support.code).toBe(2);
    expect(support.stderr).toMatch(/carol' does not hold the approver role/);
    expect((await db('folders').where({ code: 'SD1' }).first()).placement).toBe('live');

    const ok = await stack.cli(...['folder', 'approve-rollback', 'SD1', '--as', 'bob']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const result = await client.workflow.getHandle('rollback-SD1').result();
    await recordHistory(client.workflow.getHandle('rollback-SD1'), 'rollback-approved');
    expect(result).toMatchObject({
      folderCode: 'SD1',
      status: 'succeeded',
      requestedBy: 'alice',
      approvedBy: 'bob',
    });

    const folder = await db('folders').where({ code: 'SD1' }).first();
    expect(folder).toMatchObject({ placement: 'legacy', live_since: null });
    expect(await db('sim_legacy.folders').where({ code: 'SD1' }).first('intake', 'visible')).toEqual({
      intake: 'open',
      visible: true,
    });
    expect(await db('sim_ecp2.folders').where({ code: 'SD1' }).first('intake', 'visible')).toEqual({
      intake: 'closed',
      visible: false,
    });
    expect(await snapshot(db, ['SD1'])).toEqual(before);
    const trail = (await db('events').where({ entity_type: 'folder', entity_id: 'SD1' }).orderBy('id')).map(
      (e) => `${e.actor}:${e.to_state}`,
    );
    expect(trail.slice(-10)).toEqual([
      'alice:rollback_requested',
      'bob:rollback_approved',
      'bob:rolling_back',
      'bob:frozen',
      'bob:draining',
      'bob:drained',
      'bob:target_enabled',
      'bob:verified',
      'bob:source_disabled',
      'bob:legacy',
    ]);
    // The firms that use SD1 are told, once, in both languages (Chinese first for this firm); others are not.
    const told = sink.messages().filter((m) => m.subject.includes('folder switched back'));
    expect(told.map((m) => m.envelopeTo)).toEqual([['ops@cash.hk']]);
    expect(told[0].text.indexOf('台鑒')).toBeLessThan(told[0].text.indexOf('Dear'));
    expect(told[0].text).toContain('SD1  Stamp Duty Daily Return (SD-1)');
    const shown = await stack.cli(...['folder', 'SD1']);
    expect(shown.stdout).toMatch(/placement: legacy/);
    expect(shown.stdout).toMatch(/rollback +- +succeeded/);
  });

  it('a rejected request leaves the folder live', async () => {
    await cutOver('SD2');
    expect(
      (await stack.cli(...['folder', 'rollback', 'SD2', '--reason', 'test', '--as', 'alice'])).code,
    ).toBe(0);
    const noReason = await stack.cli(...['folder', 'reject-rollback', 'SD2', '--as', 'bob']);
    expect(noReason.code).toBe(2);
    expect(
      (await stack.cli(...['folder', 'reject-rollback', 'SD2', '--as', 'bob', '--reason', 'not needed']))
        .code,
    ).toBe(0);
    expect(await client.workflow.getHandle('rollback-SD2').result()).toMatchObject({
      folderCode: 'SD2',
      status: 'rejected',
      rejectedBy: 'bob',
      outcome: 'rejected by bob: not needed',
    });
    await recordHistory(client.workflow.getHandle('rollback-SD2'), 'rollback-rejected');
    expect((await db('folders').where({ code: 'SD2' }).first()).placement).toBe('live');
    const late = await stack.cli(...['folder', 'approve-rollback', 'SD2', '--as', 'bob']);
    expect(late.code).toBe(2);
  });

  it('refuses what cannot be switched back, with one line and exit 2, changing nothing', async () => {
    const before = await snapshot(db);
    const cases: [string[], RegExp][] = [
      [['folder', 'rollback', 'SD3', '--reason', 'x y z', '--as', 'alice'], /SD3 is legacy, not live/],
      [
        ['folder', 'rollback', 'LEGTEST', '--reason', 'x y z', '--as', 'alice'],
        /LEGTEST is retired, not live/,
      ],
      [
        ['folder', 'rollback', 'IDRMAP', '--reason', 'x y z', '--as', 'alice'],
        /IDRMAP is new_on_2_0, not live/,
      ],
      [
        ['folder', 'rollback', 'NOPE', '--reason', 'x y z', '--as', 'alice'],
        /folder NOPE is not in the catalog/,
      ],
      [['folder', 'rollback', 'SD1', '--reason', 'x y z', '--as', 'mallory'], /not signed in/],
      [
        ['folder', 'rollback', 'SD1', '--reason', 'x y z', '--as', 'bob'],
        /'bob' does not hold the planner role/,
      ],
      [['folder', 'rollback', 'SD1', '--as', 'alice'], /required option '--reason/],
      [['folder', 'approve-rollback', 'SD3', '--as', 'bob'], /no switch-back of SD3 is pending/],
    ];
    for (const [args, message] of cases) {
      const r = await stack.cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await snapshot(db)).toEqual(before);
  });
});
