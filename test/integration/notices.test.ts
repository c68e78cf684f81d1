import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../activities/mailer';
import { freePort } from '../../dev/process';
import { startSmtpSink } from '../../smtp-sink/server';
import { workerActivities } from '../../worker/activity-deps';
import { cutoverStack } from '../support/stack';
import { recordHistory } from '../support/temporal';
import { until } from '../support/wait';
import { participant } from '../support/participant';

const stack = await cutoverStack({ processingDelayMs: 50 });
const { db, sink, client } = stack;
await stack.runWorker();
const cli = stack.cli;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-dir-'));
const write = (name: string, text: string) => (
  fs.writeFileSync(path.join(dir, name), text),
  path.join(dir, name)
);

describe('directory import', () => {
  it('reports every problem with its line and field, and imports nothing', async () => {
    const participants = write(
      'p.csv',
      [
        'code,name_en,name_zh,user_types,emails,language',
        '01234,Good Firm,好公司,SEHK_EP,ops@good.hk,both',
        '1234,Short Code,,SEHK_EP,ops@short.hk,en',
        '05678,Bad Type,,SEHK_XX,not-an-email,fr',
        '01234,Duplicate,,SEHK_EP,ops@dup.hk,en',
      ].join('\n'),
    );
    const users = write(
      'u.csv',
      [
        'participant_code,email,role,functions,sftp_key_registered,ip_registered',
        ...Array.from({ length: 21 }, (_, i) => `01234,u${i}@good.hk,operator,EU_ECPCASH,false,false`),
        '01234,u0@good.hk,boss,EU_NOPE,maybe,false',
        '09999,x@ghost.hk,admin,,false,false',
      ].join('\n'),
    );
    const r = await cli('directory', 'import', '--participants', participants, '--users', users);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    for (const expected of [
      /participants line 3, code: '1234' must be 5 digits/,
      /participants line 4, user_types: unknown user type 'SEHK_XX'/,
      /participants line 4, emails: 'not-an-email' is not an email address/,
      /participants line 4, language: 'fr' must be en, zh-Hant or both/,
      /participants line 5, code: participant 01234 appears twice/,
      /users line 22, participant_code: participant 01234 has more than 20 users/,
      /users line 23, email: user u0@good.hk appears twice/,
      /users line 23, role: 'boss' must be admin or operator/,
      /users line 23, functions: unknown Client Connect function 'EU_NOPE'/,
      /users line 23, sftp_key_registered: 'maybe' must be true or false/,
      /users line 24, participant_code: participant 09999 is not in the participants file/,
    ])
      expect(r.stderr).toMatch(expected);
    expect(await db('participants').count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await db('users').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('imports a generated directory of 2,000 firms, and again without duplicating anything', async () => {
    const gen = await cli('directory', 'generate', '--participants', '2000', '--seed', '7', '--out', dir);
    expect(gen.stdout).toMatch(/wrote 2000 participants and \d+ users/);
    for (let i = 0; i < 2; i++) {
      const r = await cli(
        'directory',
        'import',
        '--participants',
        path.join(dir, 'participants.csv'),
        '--users',
        path.join(dir, 'users.csv'),
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/imported 2000 participant\(s\)/);
    }
    expect(await db('participants').count({ n: '*' }).first()).toEqual({ n: 2000 });
    expect(Number((await db('users').count({ n: '*' }).first())?.n)).toBe(
      fs.readFileSync(path.join(dir, 'users.csv'), 'utf8').trim().split('\n').length - 1,
    );
    expect(await db('participants').where({ code: '00049' }).first('code')).toEqual({ code: '00049' }); // leading zeros kept
  });
});

describe('notices for a batch of 20 folders and 2,000 firms', () => {
  it('every affected firm gets exactly one notice of the outcome listing exactly its folders, in both languages; others get none', async () => {
    // Twenty folders, none of them seen by every user type (so that some firms are not affected).
    const folders: string[] = await db('folders')
      .where({ placement: 'legacy' })
      .whereRaw(`not ('ALL' = any(user_types))`)
      .orderBy('code')
      .limit(20)
      .pluck('code');
    expect(folders).toHaveLength(20);
    const at = DateTime.utc().plus({ seconds: 15 }).toISO()!;
    expect(
      (
        await cli(
          'batch',
          'plan',
          '--id',
          'N1',
          '--name',
          'twenty',
          '--at',
          at,
          '--folders',
          folders.join(','),
          '--as',
          'alice',
          '--min-notice',
          '0s',
          '--allow-non-business-day',
          '--concurrency',
          '10',
        )
      ).code,
    ).toBe(0);
    expect((await cli('batch', 'approve', 'N1', '--as', 'bob')).code).toBe(0);
    const result = await client.workflow.getHandle('batch-N1').result();
    expect(result.status).toBe('completed');

    // The expected audience, computed independently in SQL (array overlap), not with the code under test.
    const { rows } = await db.raw(
      `
      select p.code, array_agg(f.code order by f.code) as folders from participants p
      join folders f on f.code = any(?) and (p.user_types && f.user_types or 'ALL' = any(f.user_types))
      group by p.code`,
      [folders],
    );
    const expected = new Map<string, string[]>(
      rows.map((r: { code: string; folders: string[] }) => [r.code, r.folders]),
    );
    expect(expected.size).toBeGreaterThan(500);
    expect(expected.size).toBeLessThan(2000);

    const live = sink.messages().filter((m) => m.subject.includes('folders now on ECP 2.0'));
    const byFirm = new Map<string, number>();
    for (const m of live) {
      const code = /ecp@firm(\d{5})\.example\.hk/.exec(m.envelopeTo.join(','))![1];
      byFirm.set(code, (byFirm.get(code) ?? 0) + 1);
      const listed = [...new Set([...m.text.matchAll(/^ {2}- (\S+) {2}/gm)].map((x) => x[1]))].sort();
      expect(listed, code).toEqual(expected.get(code));
      expect(m.text).toMatch(/Dear Example Firm \d{5} Ltd/);
      expect(m.text).toMatch(/台鑒：/);
      expect(m.text).toMatch(/已轉移至 e 通訊 2\.0 — 提交文件夾|已轉移至 e 通訊 2\.0 — 下載文件夾/);
      expect(m.text).not.toMatch(/Not moved|並未轉移/);
    }
    expect([...byFirm.keys()].sort()).toEqual([...expected.keys()].sort());
    expect([...byFirm.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(live.map((m) => m.messageId)).size).toBe(live.length);

    // Announcement too, and the readiness notices went to admins of firms missing a function.
    const announced = sink.messages().filter((m) => m.subject.includes(': folders move to ECP 2.0'));
    expect(announced).toHaveLength(expected.size);
    expect(
      announced.every((m) => m.text.includes('one-time password') && m.text.includes('一次性密碼')),
    ).toBe(true);
    const readiness = sink.messages().filter((m) => m.subject.includes('action needed'));
    expect(readiness.length).toBeGreaterThan(0);
    expect(readiness.every((m) => m.envelopeTo.every((to) => to.startsWith('admin')))).toBe(true);
    const stats = await db('notices').groupBy('status').select('status').count({ n: '*' });
    expect(stats).toEqual([{ status: 'sent', n: sink.messages().length }]);

    const firm = [...expected.keys()][0];
    const view = JSON.parse((await cli('participant', firm, '--json')).stdout);
    expect(view.notices.find((n: { kind: string }) => n.kind === 'batch_outcome')).toMatchObject({
      status: 'sent',
      attempts: [{ outcome: 'sent' }],
    });
    expect(
      view.folders
        .filter((f: { placement: string; code: string }) => expected.get(firm)!.includes(f.code))
        .every((f: { placement: string }) => f.placement === 'live'),
    ).toBe(true);

    // The directory import loaded Client Connect too (LOAD_DIRECTORY_INTO_PLATFORM), with each user's login: an
    // operator the directory gives a moved folder's function logs in and submits it on ECP 2.0; one without it does
    // not see the folder (FAQ B.7).
    const folder = await db('folders')
      .whereIn('code', folders)
      .whereNotNull('cc_function')
      .whereNot('direction', 'download')
      .where('filename_pattern', 'like', '%{YYYYMMDD}%')
      .orderBy('code')
      .first();
    const holders = (q: ReturnType<typeof db>) =>
      q
        .join('participants as p', 'p.code', 'u.participant_code')
        .whereRaw('p.user_types && ?::text[]', [folder.user_types])
        .where('u.role', 'operator');
    const able = await holders(db('users as u'))
      .whereRaw('? = any(u.functions)', [folder.cc_function])
      .first('u.email', 'u.participant_code');
    const unable = await holders(db('users as u'))
      .whereRaw('not (? = any(u.functions))', [folder.cc_function])
      .whereRaw("cardinality(array_remove(u.functions, 'EU_ECPSFTP')) > 0")
      .first('u.email', 'u.participant_code');
    const submit = async (who: { email: string; participant_code: string }) => {
      const filename = String(folder.filename_pattern)
        .replace('{PID5}', who.participant_code)
        .replace('{YYYYMMDD}', '20220512')
        .replace(/\{[^}]*\}/g, 'X');
      const as = await participant(stack.sim.url, stack.simToken, who.email);
      return as.post(`/folders/${folder.code}/submissions`, {
        participant: who.participant_code,
        filename,
        inputDate: '2022-05-12',
        contentBase64: Buffer.from('a,b\n').toString('base64'),
      });
    };
    const accepted = await submit(able);
    expect(accepted.status, JSON.stringify(await accepted.clone().json())).toBe(201);
    const hidden = await submit(unable);
    expect(hidden.status).toBe(403);
    expect(await hidden.json()).toMatchObject({
      code: '2002',
      message: expect.stringContaining(`it needs ${folder.cc_function}`),
    });
  });

  it('a batch where some folders move and some do not: each firm concerned is told, once, in one mail, which moved and which stay on the current ECP (FAQ D.27)', async () => {
    // SD1 moves; SMMRPT and LOPSO fail on ECP 2.0 and are compensated back to legacy.
    stack.sim.faults.set(
      ['SMMRPT', 'LOPSO'].map((code) => ({ match: `POST /ecp2/admin/folders/${code}/enable`, outage: true })),
    );
    try {
      const at = DateTime.utc().plus({ seconds: 15 }).toISO()!;
      expect(
        (
          await cli(
            'batch',
            'plan',
            '--id',
            'N2',
            '--name',
            'partly',
            '--at',
            at,
            '--folders',
            'SD1,SMMRPT,LOPSO',
            '--as',
            'alice',
            '--min-notice',
            '0s',
            '--allow-non-business-day',
            '--concurrency',
            '3',
          )
        ).code,
      ).toBe(0);
      expect((await cli('batch', 'approve', 'N2', '--as', 'bob')).code).toBe(0);
      const result = await client.workflow.getHandle('batch-N2').result();
      expect(result.status).toBe('completed_with_failures');
      await recordHistory(client.workflow.getHandle('batch-N2'), 'batch-outcome-some-not-moved');
    } finally {
      stack.sim.faults.set([]);
    }
    const { rows } = await db.raw(`
      select p.code, array_agg(f.code order by f.code) as folders from participants p
      join folders f on f.code in ('SD1','SMMRPT','LOPSO') and p.user_types && f.user_types
      group by p.code`);
    const expected = new Map<string, string[]>(
      rows.map((r: { code: string; folders: string[] }) => [r.code, r.folders]),
    );
    const mails = sink
      .messages()
      .filter(
        (m) =>
          m.subject.startsWith('[HKEX ECP] Batch N2: ') &&
          !m.subject.includes('move to ECP 2.0') &&
          !m.subject.includes('action needed'),
      );
    const byFirm = new Map<string, typeof mails>();
    for (const m of mails) {
      const code = /ecp@firm(\d{5})\.example\.hk/.exec(m.envelopeTo.join(','))![1];
      byFirm.set(code, [...(byFirm.get(code) ?? []), m]);
    }
    expect([...byFirm.keys()].sort()).toEqual([...expected.keys()].sort());
    let mixed = 0;
    for (const [firm, [m, ...more]] of byFirm) {
      expect(more, firm).toEqual([]);
      const mine = expected.get(firm)!;
      // The firm's preferred language comes first.
      const halves = m.text.split('----------------------------------------');
      const [en, zh] = halves[0].includes('Dear ') ? halves : [halves[1], halves[0]];
      const section = (text: string, heading: RegExp) => {
        const at = text.search(heading);
        return at < 0
          ? []
          : [
              ...text
                .slice(at)
                .split('\n\n')[0]
                .matchAll(/^ {2}- (\S+) {2}/gm),
            ]
              .map((x) => x[1])
              .sort();
      };
      // English and Chinese say the same, each folder under its outcome: only this firm's folders.
      for (const [text, moved, stayed] of [
        [en, /^Moved to ECP 2\.0/m, /^Not moved/m],
        [zh, /^已轉移至 e 通訊 2\.0/m, /^並未轉移/m],
      ] as const) {
        expect(section(text, moved), firm).toEqual(mine.filter((c) => c === 'SD1'));
        expect(section(text, stayed), firm).toEqual(mine.filter((c) => c !== 'SD1'));
      }
      if (mine.includes('SD1') && mine.length > 1) {
        mixed++;
        expect(m.subject).toMatch(/some folders moved to ECP 2\.0, some stay on the current ECP/);
      } else if (!mine.includes('SD1'))
        expect(m.subject).toMatch(/folders not moved: they stay on the current ECP/);
      else expect(m.subject).toMatch(/folders now on ECP 2\.0/);
      expect(zh).not.toMatch(/Moved|Not moved|submit|keep using/);
    }
    expect(mixed).toBeGreaterThan(0);
    expect(
      Number(
        (await db('notices')
          .where({ kind: 'batch_outcome', subject_id: 'N2:outcome' })
          .count({ n: '*' })
          .first())!.n,
      ),
    ).toBe(expected.size);
  });

  it('SMTP down for a while, then up: every notice delivered once, each failed attempt recorded', async () => {
    const port = await freePort();
    const acts = workerActivities({ ...stack.deps, mailer: createSmtpMailer(`smtp://127.0.0.1:${port}`) });
    const activity = new MockActivityEnvironment();
    const { queued } = (await activity.run(acts.queueBatchNotices, {
      kind: 'batch_reminder' as const,
      batchId: 'N1',
      subjectId: 'N1@outage',
    })) as { queued: number };
    expect(queued).toBeGreaterThan(500);
    const delivering = activity.run(acts.deliverNotices, {
      kind: 'batch_reminder' as const,
      subjectId: 'N1@outage',
    });
    // SMTP stays down until sends have failed and been recorded: then it comes up.
    await until(
      'a failed send recorded while SMTP is down',
      async () =>
        Number(
          (
            await db('notice_attempts as a')
              .join('notices as n', 'n.id', 'a.notice_id')
              .where({ 'n.subject_id': 'N1@outage', 'a.outcome': 'failed' })
              .count({ n: '*' })
              .first()
          )?.n,
        ) > 0,
    );
    const late = await startSmtpSink({ smtpPort: port });
    try {
      const { sent, failed } = (await delivering) as { sent: number; failed: number };
      expect({ sent, failed }).toEqual({ sent: queued, failed: 0 });
      expect(late.messages()).toHaveLength(queued);
      expect(new Set(late.messages().map((m) => m.messageId)).size).toBe(queued);
      const attempts = (await db('notice_attempts as a')
        .join('notices as n', 'n.id', 'a.notice_id')
        .where('n.subject_id', 'N1@outage')
        .groupBy('a.outcome')
        .select('a.outcome')
        .count({ n: '*' })) as { outcome: string; n: number }[];
      expect(attempts.find((a) => a.outcome === 'sent')?.n).toBe(queued);
      expect(Number(attempts.find((a) => a.outcome === 'failed')?.n)).toBeGreaterThan(0);
      // Each notice: its failed attempts while SMTP was down, then exactly one that went out.
      const perNotice = await db('notice_attempts as a')
        .join('notices as n', 'n.id', 'a.notice_id')
        .where('n.subject_id', 'N1@outage')
        .where('a.outcome', 'sent')
        .groupBy('a.notice_id')
        .count({ n: '*' });
      expect(perNotice.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await late.close();
    }
  });

  it('support sees a firm on one screen; a bad code is refused', async () => {
    const bad = await cli('participant', '1234');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/5 digits, leading zeros kept/);
    expect((await cli('participant', '00001')).stderr).toMatch(/no participant 00001/);
    const r = await cli('readiness', 'N1', '--json');
    const report = JSON.parse(r.stdout);
    expect(report.folders).toHaveLength(20);
    expect(report.notReady).toBeGreaterThan(0);
  });
});
