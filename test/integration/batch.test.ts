import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { abortBatch } from '../../app/batches';
import { batchMigration, batchProgressQuery } from '../../workflows/batch-migration';
import { alice } from '../support/batches';
import { addLegacyFolders, cutoverStack } from '../support/stack';
import { recordHistory } from '../support/temporal';
import { until } from '../support/wait';

const stack = await cutoverStack();
const { db, client, sim, sink, app } = stack;
await stack.runWorker();
const cli = stack.cli;

// A Monday far enough ahead for the default notice period, and nearby instants for batches that run now.
const FUTURE = '2031-03-10 08:00';
const soon = (seconds: number) => DateTime.utc().plus({ seconds }).toISO()!;
const dump = async () =>
  JSON.stringify([
    await db('batches').orderBy('id'),
    await db('batch_folders').orderBy(['batch_id', 'folder_code']),
    await db('folders').orderBy('code').select('code', 'placement'),
  ]);

async function waitFinal(id: string) {
  const handle = client.workflow.getHandle<typeof batchMigration>(`batch-${id}`);
  const result = await handle.result();
  await recordHistory(handle, `batch-${id}`);
  return { result, row: await db('batches').where({ id }).first() };
}

describe('batch plan: refusals', () => {
  it('refuses every bad plan with one clear line, exit code 2, and no change', async () => {
    await db('folders').where({ code: 'SD2' }).update({ placement: 'live' });
    const before = await dump();
    const plan = (...extra: string[]) => [
      'batch',
      'plan',
      '--id',
      'X1',
      '--name',
      'x',
      '--at',
      FUTURE,
      '--folders',
      'SD1',
      '--as',
      'alice',
      ...extra,
    ];
    const cases: [string[], RegExp][] = [
      [
        [
          'batch',
          'plan',
          '--id',
          'X1',
          '--name',
          'x',
          '--at',
          FUTURE,
          '--folders',
          'SD1,NOPE',
          '--as',
          'alice',
        ],
        /folder NOPE is not in the catalog/,
      ],
      [
        ['batch', 'plan', '--id', 'X1', '--name', 'x', '--at', FUTURE, '--folders', 'SD2', '--as', 'alice'],
        /SD2 is already live on ECP 2.0/,
      ],
      [
        [
          'batch',
          'plan',
          '--id',
          'X1',
          '--name',
          'x',
          '--at',
          FUTURE,
          '--folders',
          'LEGTEST',
          '--as',
          'alice',
        ],
        /LEGTEST is retired/,
      ],
      [
        [
          'batch',
          'plan',
          '--id',
          'X1',
          '--name',
          'x',
          '--at',
          FUTURE,
          '--folders',
          'IDRMAP',
          '--as',
          'alice',
        ],
        /IDRMAP is born on ECP 2.0/,
      ],
      [
        [
          'batch',
          'plan',
          '--id',
          'X1',
          '--name',
          'x',
          '--at',
          '2022-06-06 08:00',
          '--folders',
          'SD1',
          '--as',
          'alice',
        ],
        /2022-06-06 08:00 HKT is in the past/,
      ],
      [plan('--min-notice', '100000d'), /inside the notice period/],
      [
        [
          'batch',
          'plan',
          '--id',
          'X1',
          '--name',
          'x',
          '--at',
          '2031-01-01 08:00',
          '--folders',
          'SD1',
          '--as',
          'alice',
        ],
        /2031-01-01 is a Hong Kong public holiday .*--allow-non-business-day/,
      ],
      [
        [
          'batch',
          'plan',
          '--id',
          'X1',
          '--name',
          'x',
          '--at',
          '2031-03-08 08:00',
          '--folders',
          'SD1',
          '--as',
          'alice',
        ],
        /2031-03-08 is a Saturday/,
      ],
      [
        [
          'batch',
          'plan',
          '--id',
          'X1',
          '--name',
          'x',
          '--at',
          'next monday',
          '--folders',
          'SD1',
          '--as',
          'alice',
        ],
        /is not a time/,
      ],
      [
        ['batch', 'plan', '--id', 'X1', '--name', 'x', '--at', FUTURE, '--folders', 'SD1', '--as', 'mallory'],
        /not signed in: set ECP_CUTOVER_TOKEN or run ecp-cutover login/,
      ],
      [
        ['batch', 'plan', '--id', 'X1', '--name', 'x', '--at', FUTURE, '--folders', 'SD1', '--as', 'bob'],
        /'bob' does not hold the planner role/,
      ],
      [plan('--on-failure', 'panic'), /--on-failure must be continue or halt/],
      [plan('--concurrency', '0'), /--concurrency must be a whole number from 1 to 500/],
      [
        [
          'batch',
          'plan',
          '--id',
          "X1'; drop table batches;--",
          '--name',
          'x',
          '--at',
          FUTURE,
          '--folders',
          'SD1',
          '--as',
          'alice',
        ],
        /batch id .* must be 1-32 letters/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await dump()).toBe(before);
  });

  it('I4: a folder already in an unfinished batch cannot be planned again; a duplicate id is refused', async () => {
    expect(
      (
        await cli(
          'batch',
          'plan',
          '--id',
          'P1',
          '--name',
          'first',
          '--at',
          FUTURE,
          '--folders',
          'SD3',
          '--as',
          'alice',
        )
      ).code,
    ).toBe(0);
    const before = await dump();
    const again = await cli(
      'batch',
      'plan',
      '--id',
      'P2',
      '--name',
      'second',
      '--at',
      FUTURE,
      '--folders',
      'SD3,SMMRPT',
      '--as',
      'alice',
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/SD3 is already in unfinished batch P1/);
    const dup = await cli(
      'batch',
      'plan',
      '--id',
      'P1',
      '--name',
      'dup',
      '--at',
      FUTURE,
      '--folders',
      'SMMRPT',
      '--as',
      'alice',
    );
    expect(dup.stderr).toMatch(/batch P1 already exists/);
    expect(await dump()).toBe(before);
  });
});

describe('batch dry-run', () => {
  it('lists steps, affected participants, readiness gaps and appendix rows, and changes nothing', async () => {
    await db('participants').insert([
      { code: '01234', name_en: 'Ready Securities', user_types: ['SEHK_EP'], emails: ['a@ready.hk'] },
      {
        code: '05678',
        name_en: 'Late Securities',
        user_types: ['SEHK_EP', 'HKFE_EP'],
        emails: ['a@late.hk'],
      },
      { code: '09999', name_en: 'Futures Only', user_types: ['HKFE_EP'], emails: ['a@futures.hk'] },
    ]);
    await stack.addUsers([
      { participant_code: '01234', email: 'ops@ready.hk', role: 'operator', functions: ['EU_ECPCASH'] },
      { participant_code: '05678', email: 'ops@late.hk', role: 'operator', functions: ['EU_ECPSFTP'] },
    ]);
    expect(
      (
        await cli(
          'batch',
          'plan',
          '--id',
          'D1',
          '--name',
          'dry',
          '--at',
          FUTURE,
          '--folders',
          'SPLPRPT',
          '--as',
          'alice',
        )
      ).code,
    ).toBe(0);
    const before = await dump();
    const r = await cli('batch', 'dry-run', 'D1', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.steps).toHaveLength(6);
    expect(report.folders).toHaveLength(1);
    const [folder] = report.folders;
    expect(folder.affectedParticipants).toEqual(['01234', '05678']);
    expect(folder.notReady).toEqual([
      { participant: '05678', missing: expect.stringMatching(/no user holds EU_ECPCASH/) },
    ]);
    expect(folder.appendixRow).toEqual({
      market: 'Cash',
      folder: 'Structured Product Liquidity Provider Report',
      code: 'SPLPRPT',
      dateMoved: '2031-03-10',
      batch: 'D1',
    });
    const text = await cli('batch', 'dry-run', 'D1');
    expect(text.stdout).toMatch(/affected participants: 2/);
    expect(await dump()).toBe(before);
    await db('users').del();
    await db('participants').del();
    await stack.gateway.loadClientConnect(['01234', '05678'].map((code) => ({ code, users: [] })));
    expect((await cli('batch', 'abort', 'D1', '--as', 'alice')).code).toBe(0);
  });
});

describe('batch Updates on a real server', () => {
  it('four eyes: self-approval and a non-approver are refused with the reason; reschedule voids the approval', async () => {
    // alice may approve batches too, but not her own.
    await db('operator_roles').insert({ operator: 'alice', role: 'approver' });
    const self = await cli('batch', 'approve', 'P1', '--as', 'alice');
    await db('operator_roles').where({ operator: 'alice', role: 'approver' }).del();
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/four eyes: alice planned batch P1 and cannot approve it/);
    const support = await cli('batch', 'approve', 'P1', '--as', 'carol');
    expect(support.stderr).toMatch(/'carol' does not hold the approver role/);
    expect((await db('batches').where({ id: 'P1' }).first()).status).toBe('awaiting_approval');

    expect((await cli('batch', 'approve', 'P1', '--as', 'bob')).code).toBe(0);
    await expect.poll(async () => (await db('batches').where({ id: 'P1' }).first()).status).toBe('announced');
    expect((await db('folders').where({ code: 'SD3' }).first()).placement).toBe('scheduled');
    const pauseEarly = await cli('batch', 'pause', 'P1', '--as', 'alice');
    expect(pauseEarly.stderr).toMatch(/batch P1 is announced: only a running batch can be paused/);

    expect((await cli('batch', 'reschedule', 'P1', '--at', '2031-03-17 08:00', '--as', 'alice')).code).toBe(
      0,
    );
    const row = await db('batches').where({ id: 'P1' }).first();
    expect(row).toMatchObject({ status: 'awaiting_approval', approved_by: null });
    expect(DateTime.fromJSDate(row.planned_at).toISO()).toBe(
      DateTime.fromISO('2031-03-17T00:00:00Z').toISO(),
    );
    expect((await db('folders').where({ code: 'SD3' }).first()).placement).toBe('legacy');

    expect((await cli('batch', 'abort', 'P1', '--as', 'alice', '--reason', 'plan changed')).code).toBe(0);
    const { result, row: final } = await waitFinal('P1');
    expect(result.status).toBe('aborted');
    expect(final.status).toBe('aborted');
    expect(await db('batch_folders').where({ batch_id: 'P1' }).first()).toMatchObject({ active: false });
    const late = await cli('batch', 'abort', 'P1', '--as', 'alice');
    expect(late.code).toBe(2);
    // The folder is free to be planned again (I4 released).
    expect(
      (
        await cli(
          'batch',
          'plan',
          '--id',
          'P3',
          '--name',
          'again',
          '--at',
          FUTURE,
          '--folders',
          'SD3',
          '--as',
          'alice',
        )
      ).code,
    ).toBe(0);
  });

  it('a rejected batch ends rejected and frees its folders', async () => {
    expect((await cli('batch', 'reject', 'P3', '--as', 'bob', '--reason', 'not this quarter')).code).toBe(0);
    expect((await waitFinal('P3')).row.status).toBe('rejected');
  });

  it('a reject after the announcement is refused (it names abort) and changes nothing; abort then stops it: the folders stay on legacy and the firms told are told it is off, once', async () => {
    await db('participants').insert({
      code: '07777',
      name_en: 'Told Securities',
      user_types: ['SEHK_EP'],
      emails: ['ops@told.hk'],
    });
    const notices = () =>
      db('notices')
        .where({ participant_code: '07777' })
        .whereNot({ kind: 'readiness_action_needed' })
        .orderBy('id')
        .pluck('kind');
    expect(
      (
        await cli(
          'batch',
          'plan',
          '--id',
          'RJ',
          '--name',
          'called off',
          '--at',
          soon(12),
          '--folders',
          'SMMRPT',
          '--as',
          'alice',
          '--min-notice',
          '0s',
          '--allow-non-business-day',
        )
      ).code,
    ).toBe(0);
    expect((await cli('batch', 'approve', 'RJ', '--as', 'bob')).code).toBe(0);
    await expect
      .poll(async () => (await db('batches').where({ id: 'RJ' }).first()).status, { timeout: 10_000 })
      .toBe('announced');
    await expect.poll(notices, { timeout: 10_000 }).toEqual(['batch_announced']);
    const before = await dump();
    const reject = await cli('batch', 'reject', 'RJ', '--as', 'bob', '--reason', 'changed our minds');
    expect(reject.code).toBe(2);
    expect(reject.stderr).toMatch(
      /batch RJ is announced: it was approved already: an approved batch is stopped with 'ecp-cutover batch abort RJ/,
    );
    expect(await dump()).toBe(before);
    const abort = await cli('batch', 'abort', 'RJ', '--as', 'bob', '--reason', 'changed our minds');
    expect(abort.stderr).toBe('');
    expect(abort.stdout).toMatch(/batch RJ aborted: every folder stays on legacy/);
    // Nothing starts when the moment it would have run comes: only its workflow could start a folder (a cutover
    // started otherwise is refused), and that workflow has ended, with no timer left.
    const { row } = await waitFinal('RJ');
    expect((await client.workflow.getHandle('batch-RJ').describe()).status.name).toBe('COMPLETED');
    expect(row).toMatchObject({ status: 'aborted', reason: 'aborted by bob: changed our minds' });
    expect((await db('folders').where({ code: 'SMMRPT' }).first()).placement).toBe('legacy');
    expect(await db('folder_runs').where({ batch_id: 'RJ' })).toEqual([]);
    expect(await notices()).toEqual(['batch_announced', 'batch_cancelled']);
    await expect
      .poll(
        async () =>
          (await db('notices').where({ participant_code: '07777', kind: 'batch_cancelled' }).first()).status,
      )
      .toBe('sent');
    const mail = sink.messages().filter((m) => m.envelopeTo.includes('ops@told.hk'));
    expect(mail.map((m) => m.subject)).toEqual([
      expect.stringMatching(/move to ECP 2.0/),
      expect.stringMatching(/action needed/),
      expect.stringMatching(/called off/),
    ]);
    await db('notice_attempts').del();
    await db('notices').del();
    await db('participants').where({ code: '07777' }).del();
  });
});

describe('batches that run', () => {
  for (const policy of ['continue', 'halt'] as const) {
    it(`30 folders, concurrency 5, one failing, policy ${policy}`, async () => {
      const codes = await addLegacyFolders(db, policy === 'continue' ? 'C' : 'H', 30);
      const failing = codes[7];
      sim.faults.set([{ match: `POST /ecp2/admin/folders/${failing}/enable`, outage: true }]);
      const id = `R${policy}`;
      const planned = await cli(
        'batch',
        'plan',
        '--id',
        id,
        '--name',
        `thirty ${policy}`,
        '--at',
        soon(15),
        '--folders',
        codes.join(','),
        '--as',
        'alice',
        '--min-notice',
        '0s',
        '--allow-non-business-day',
        '--concurrency',
        '5',
        '--on-failure',
        policy,
      );
      expect(planned.stderr).toBe('');
      expect((await cli('batch', 'approve', id, '--as', 'bob')).code).toBe(0);
      let maxRunning = 0;
      const handle = client.workflow.getHandle(`batch-${id}`);
      const watch = setInterval(() => {
        void handle.query(batchProgressQuery).then(
          (p) =>
            (maxRunning = Math.max(
              maxRunning,
              Object.values(p.folders).filter((f) => f.status === 'running').length,
            )),
          () => undefined,
        );
      }, 100);
      const { result, row } = await waitFinal(id);
      clearInterval(watch);
      sim.faults.clear();
      expect(maxRunning).toBeLessThanOrEqual(5);
      const statuses = Object.values(result.folders).map((f) => f.status);
      expect(result.folders[failing].status).toBe('failed');
      expect(row.status).toBe('completed_with_failures');
      if (policy === 'continue') {
        expect(statuses.filter((s) => s === 'live')).toHaveLength(29);
      } else {
        expect(statuses.filter((s) => s === 'skipped').length).toBeGreaterThan(0);
        expect(statuses.filter((s) => s === 'live').length).toBeLessThan(29);
        // Skipped folders never started: still on legacy, open there.
        const skipped = Object.entries(result.folders)
          .filter(([, f]) => f.status === 'skipped')
          .map(([c]) => c);
        expect(new Set(await db('folders').whereIn('code', skipped).pluck('placement'))).toEqual(
          new Set(['legacy']),
        );
      }
      const placements = await db('folders').whereIn('code', codes).select('code', 'placement');
      for (const { code, placement } of placements)
        expect(placement, code).toBe(result.folders[code].status === 'live' ? 'live' : 'legacy');
      const bf = await db('batch_folders').where({ batch_id: id });
      expect(bf.every((r) => r.active === false)).toBe(true);
      const status = await cli('batch', 'status', id, '--json');
      expect(JSON.parse(status.stdout).status).toBe('completed_with_failures');
    });
  }

  it('readiness preflight: too many firms not ready → blocked_on_readiness until an approver overrides', async () => {
    const codes = await addLegacyFolders(db, 'B', 2);
    await db('participants').insert({
      code: '04321',
      name_en: 'Unready Ltd',
      user_types: ['SEHK_EP'],
      emails: ['ops@unready.hk'],
    });
    await db('users').insert({
      participant_code: '04321',
      email: 'admin@unready.hk',
      role: 'admin',
      functions: [],
    });
    // Client Connect (the source of truth) has one more user than the imported directory: an operator with
    // the wrong function. Readiness goes by Client Connect and reports the difference.
    const admin = {
      email: 'admin@unready.hk',
      role: 'admin' as const,
      functions: [],
      sftpKeyRegistered: false,
      ipRegistered: false,
    };
    await stack.gateway.loadClientConnect([
      {
        code: '04321',
        users: [admin, { ...admin, email: 'ops@unready.hk', role: 'operator', functions: ['EU_ECPCC'] }],
      },
    ]);
    try {
      expect(
        (
          await cli(
            'batch',
            'plan',
            '--id',
            'RB',
            '--name',
            'readiness',
            '--at',
            soon(15),
            '--folders',
            codes.join(','),
            '--as',
            'alice',
            '--min-notice',
            '0s',
            '--allow-non-business-day',
            '--max-not-ready',
            '0',
          )
        ).code,
      ).toBe(0);
      expect(
        (
          await cli(
            'batch',
            'plan',
            '--id',
            'RX',
            '--name',
            'x',
            '--at',
            FUTURE,
            '--folders',
            'SMMRPT',
            '--as',
            'alice',
            '--max-not-ready',
            'lots',
          )
        ).stderr,
      ).toMatch(/--max-not-ready 'lots' must be a number of firms/);
      expect((await cli('batch', 'approve', 'RB', '--as', 'bob')).code).toBe(0);
      await expect
        .poll(async () => (await db('batches').where({ id: 'RB' }).first()).status, { timeout: 40_000 })
        .toBe('blocked_on_readiness');
      const why = await db('events')
        .where({ entity_type: 'batch', entity_id: 'RB', to_state: 'blocked_on_readiness' })
        .first();
      expect(why.reason).toMatch(/1 of 1 affected firms not ready \(limit 0\)/);
      expect(await db('folders').whereIn('code', codes).pluck('placement')).toEqual([
        'scheduled',
        'scheduled',
      ]);
      const report = await cli('readiness', 'RB');
      expect(report.stdout).toMatch(
        /^users and functions as Client Connect had them at \d{4}-\d{2}-\d{2} \d{2}:\d{2} HKT$/m,
      );
      expect(report.stdout).toMatch(
        /^warning: \d+ firm\(s\) differ between Client Connect and the imported directory: (\d{5}, )*04321\b/m,
      );
      expect(report.stdout).toMatch(
        /^warning: 1 firm\(s\) have fewer than two ECP administrators \(FAQ B\.4\): 04321$/m,
      );
      const support = await cli('participant', '04321');
      expect(support.stdout).toMatch(/ops@unready\.hk/);
      expect(support.stdout).toMatch(/warning: the imported directory says otherwise/);
      const carol = await cli('batch', 'override-readiness', 'RB', '--as', 'carol', '--reason', 'go ahead');
      expect(carol.stderr).toMatch(/'carol' does not hold the approver role/);
      expect(
        (await cli('batch', 'override-readiness', 'RB', '--as', 'bob', '--reason', 'firm confirmed by phone'))
          .code,
      ).toBe(0);
      const { row } = await waitFinal('RB');
      expect(row.status).toBe('completed');
      const action = sink
        .messages()
        .find((m) => m.subject.includes('action needed') && m.envelopeTo.includes('admin@unready.hk'));
      expect(action?.text).toMatch(/Your firm has 1 ECP administrator\(s\) in Client Connect/);
      expect(action?.text).toMatch(/EU_ECPCASH/);
    } finally {
      await db('users').where({ participant_code: '04321' }).del();
      await stack.gateway.loadClientConnect([{ code: '04321', users: [] }]);
      await db('notice_attempts').del();
      await db('notices').del();
      await db('participants').where({ code: '04321' }).del();
    }
  });

  it('pause stops new starts, resume goes on, abort while running lets started folders finish', async () => {
    const codes = await addLegacyFolders(db, 'P', 12);
    // Slow enable calls so that folders are mid-flight when we pause.
    sim.faults.set([{ match: 'POST /ecp2/admin/folders/TP*/enable', latencyMs: 1500 }]);
    const planned = await cli(
      'batch',
      'plan',
      '--id',
      'PR',
      '--name',
      'pause',
      '--at',
      soon(15),
      '--folders',
      codes.join(','),
      '--as',
      'alice',
      '--min-notice',
      '0s',
      '--allow-non-business-day',
      '--concurrency',
      '2',
    );
    expect(planned.code).toBe(0);
    expect((await cli('batch', 'approve', 'PR', '--as', 'bob')).code).toBe(0);
    const handle = client.workflow.getHandle('batch-PR');
    await expect
      .poll(async () => (await handle.query(batchProgressQuery)).status, { timeout: 20_000 })
      .toBe('running');
    expect((await cli('batch', 'pause', 'PR', '--as', 'alice')).code).toBe(0);
    const atPause = await handle.query(batchProgressQuery);
    const startedAtPause = Object.values(atPause.folders).filter((f) => f.status !== 'pending').length;
    // The folders running at the pause finish; were the pause ignored, the step that records each end would
    // start the next folder in the same workflow task (domain/batch-lifecycle.ts advance), before a query sees it.
    const whilePaused = await until(
      'the folders running at the pause to finish',
      async () => {
        const p = await handle.query(batchProgressQuery);
        return Object.values(p.folders).some((f) => f.status === 'running') ? undefined : p;
      },
      { timeoutMs: 20_000 },
    );
    expect(Object.values(whilePaused.folders).filter((f) => f.status !== 'pending').length).toBe(
      startedAtPause,
    );
    expect(Object.values(whilePaused.folders).filter((f) => f.status === 'running')).toHaveLength(0);
    expect((await db('batches').where({ id: 'PR' }).first()).status).toBe('paused');

    expect((await cli('batch', 'resume', 'PR', '--as', 'alice')).code).toBe(0);
    await expect
      .poll(
        async () =>
          Object.values((await handle.query(batchProgressQuery)).folders).filter(
            (f) => f.status !== 'pending',
          ).length,
        { timeout: 20_000 },
      )
      .toBeGreaterThan(startedAtPause);
    // Abort straight through the application layer (the CLI's abort is tested above): sooner, so folders remain unstarted.
    expect((await abortBatch(app, alice, 'PR', 'enough')).status).toBe('aborting');
    const { result, row } = await waitFinal('PR');
    sim.faults.clear();
    expect(row.status).toBe('aborted');
    const byStatus = (s: string) =>
      Object.entries(result.folders)
        .filter(([, f]) => f.status === s)
        .map(([c]) => c);
    expect(byStatus('aborted').length).toBeGreaterThan(0);
    expect(byStatus('running')).toHaveLength(0);
    expect(new Set(await db('folders').whereIn('code', byStatus('aborted')).pluck('placement'))).toEqual(
      new Set(['legacy']),
    );
    expect(new Set(await db('folders').whereIn('code', byStatus('live')).pluck('placement'))).toEqual(
      new Set(['live']),
    );
  });
});
