import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planHash, type RehearsedPlan } from '../../domain/rehearsal';
import { createCommandSigner } from '../../security/command-signing';
import { batchRehearsal } from '../../workflows/batch-rehearsal';
import { dumpDatabase } from '../support/db';
import { cutoverStack } from '../support/stack';

/**
 * Rehearsals (issue 28): a planned batch's folder moves run now against the platforms' rehearsal environment
 * (the simulator's second pair of platforms, over a database of its own), recorded bound to the plan; the
 * live record and the live platforms are untouched; REQUIRE_REHEARSAL binds the approval to a good rehearsal.
 */
const TEAM = 'platform-team@hkex.example';
const stack = await cutoverStack({ rehearsal: { noticeEmail: TEAM } });
const { db, sink, app, rehearsalAdmin, rehearsalDb } = stack;
await stack.runWorker();
const cli = stack.cli;

// A Monday far enough ahead for the default notice period.
const FUTURE = '2031-03-10 08:00';

await db('participants').insert([
  { code: '01234', name_en: 'Ready Securities', user_types: ['SEHK_EP'], emails: ['ops@ready.hk'] },
  { code: '05678', name_en: 'Other Securities', user_types: ['SEHK_EP'], emails: ['ops@other.hk'] },
]);
await stack.addUsers([
  { participant_code: '01234', email: 'ops@ready.hk', role: 'operator', functions: ['EU_ECPCASH'] },
]);
expect(
  (
    await cli(
      'batch',
      'plan',
      '--id',
      'R1',
      '--name',
      'rehearsed',
      '--at',
      FUTURE,
      '--folders',
      'SD1,SD2',
      '--as',
      'alice',
    )
  ).code,
).toBe(0);

/**
 * The live record as a whole: every table of the project's database (folders, folder_runs, batches, events,
 * notices — the portal's and the appendix's sources) and the live simulator's schemas, all but the
 * rehearsals' own tables and the token's last use.
 */
async function live(): Promise<string> {
  return (await dumpDatabase(db))
    .split('\n## ')
    .filter((part) => !/^public\.rehearsal/.test(part) && !/^sequence public\.rehearsal/.test(part))
    .join('\n## ');
}
const rehearsalFolder = async (p: 'legacy' | 'ecp2', code: string) =>
  await rehearsalDb!(`${p === 'legacy' ? 'sim_legacy' : 'sim_ecp2'}.folders`)
    .where({ code })
    .first('intake', 'visible');
const latestOf = async (batchId: string) =>
  db('rehearsals').where({ batch_id: batchId }).orderBy('started_at', 'desc').first();

describe('batch rehearse', () => {
  it("is the planner's: an approver is refused with one line, exit 2, and nothing is recorded", async () => {
    const r = await cli('batch', 'rehearse', 'R1', '--as', 'bob');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'bob' does not hold the planner role/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(Number((await db('rehearsals').count({ n: '*' }).first())?.n)).toBe(0);
    const unknown = await cli('batch', 'rehearse', 'NOPE', '--as', 'alice');
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/no batch NOPE/)]);
  });

  it('moves every folder on the rehearsal platforms, records outcome, freeze windows, readiness and duration, and leaves the live record as it was', async () => {
    const before = await live();
    const mailsBefore = sink.messages().length;
    const r = await cli('batch', 'rehearse', 'R1', '--as', 'alice');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rehearsal R1-R\d{17} of batch R1 .*: succeeded/);
    expect(r.stdout).toMatch(/report: ecp-cutover batch report R1 --rehearsal R1-R\d{17}/);

    const row = await latestOf('R1');
    // Readiness from the live directory as it stands: 05678 has no user with the function.
    expect(row).toMatchObject({
      status: 'succeeded',
      failure: null,
      requested_by: 'alice',
      affected: 2,
      not_ready: 1,
      readiness_source: 'client_connect',
    });
    expect(row.duration_ms).toBeGreaterThan(0);
    expect(row.plan_hash).toMatch(/^[0-9a-f]{64}$/);
    const folders = await db('rehearsal_folders').where({ rehearsal_id: row.id }).orderBy('folder_code');
    expect(folders.map((f) => [f.folder_code, f.status, f.step])).toEqual([
      ['SD1', 'succeeded', 'done'],
      ['SD2', 'succeeded', 'done'],
    ]);
    for (const f of folders) expect(f.freeze_window_ms).toBeGreaterThanOrEqual(0);
    // The rehearsal platforms moved; the live ones did not.
    expect(await rehearsalFolder('ecp2', 'SD1')).toEqual({ intake: 'open', visible: true });
    expect(await rehearsalFolder('legacy', 'SD1')).toEqual({ intake: 'closed', visible: false });
    expect(await live()).toBe(before);

    // The notices went to the platform team's address only, in one mail; no firm was written to.
    const mails = sink.messages().slice(mailsBefore);
    expect(mails.map((m) => m.envelopeTo)).toEqual([[TEAM]]);
    expect(mails[0].text).toMatch(/would go to 01234: 1 address\(es\) \(not sent\)/);
    expect(mails[0].text).toMatch(/folders move to ECP 2.0/);
    expect(row.notices).toMatch(/sent in one mail to platform-team@hkex.example only/);

    // Its report, through the batch report command.
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-')), 'r.html');
    const rep = await cli('batch', 'report', 'R1', '--rehearsal', '--out', out);
    expect(rep.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain(row.id);
    const csv = await cli('batch', 'report', 'R1', '--rehearsal', row.id, '--format', 'csv');
    expect(csv.stdout).toMatch(/folder,R1,SD1,live,/);
  });

  it('records a failure and its reason when the rehearsal platform fails a step (fault injected there only)', async () => {
    await rehearsalAdmin('/_faults', {
      method: 'PUT',
      body: JSON.stringify({ rules: [{ match: 'POST /ecp2/admin/folders/SD2/enable', outage: true }] }),
    });
    const before = await live();
    try {
      const r = await cli('batch', 'rehearse', 'R1', '--as', 'alice');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/: failed \(SD2 compensated: .*SD2\/enable/);
    } finally {
      await rehearsalAdmin('/_faults', { method: 'DELETE' });
    }
    const row = await latestOf('R1');
    expect(row.status).toBe('failed');
    const sd2 = await db('rehearsal_folders').where({ rehearsal_id: row.id, folder_code: 'SD2' }).first();
    expect(sd2.status).toBe('compensated');
    expect(sd2.failure).toMatch(/POST \/ecp2\/admin\/folders\/SD2\/enable/);
    // Compensated on the rehearsal platform: back on legacy there, closed on ECP 2.0.
    expect(await rehearsalFolder('legacy', 'SD2')).toEqual({ intake: 'open', visible: true });
    expect(await rehearsalFolder('ecp2', 'SD2')).toMatchObject({ intake: 'closed' });
    expect(await live()).toBe(before);
  });
});

describe('no back door through Temporal', () => {
  it('a rehearsal started by hand — signed with another key, or by an approver — is refused by its workflow and records nothing', async () => {
    const plan: RehearsedPlan = {
      batchId: 'R1',
      folders: ['SD1'],
      retire: [],
      plannedAt: '2031-03-10T00:00:00.000Z',
      failurePolicy: 'continue',
      concurrency: 1,
      moveOptions: { freezeWindowMaxMs: 60_000, drainTimeoutMs: 5_000 },
    };
    const before = await live();
    const rehearsals = Number((await db('rehearsals').count({ n: '*' }).first())?.n);
    const cases: [Buffer, string[], RegExp][] = [
      [randomBytes(32), ['planner'], /batch.rehearse refused/],
      [stack.deps.commandKey, ['approver'], /does not hold the planner role/],
    ];
    for (const [i, [key, roles, refusal]] of cases.entries()) {
      const rehearsalId = `R1-R2099010100000000${i}`;
      const workflowId = `rehearsal-${rehearsalId}`;
      const command = createCommandSigner(key).sign({
        action: 'batch.rehearse',
        workflowId,
        runId: null,
        operator: 'mallory',
        roles: roles as never,
        credentialId: 'none',
        source: 'api',
        args: { rehearsalId, plan, planHash: planHash(plan), environment: 'http://nowhere' },
      });
      const handle = await stack.client.workflow.start(batchRehearsal, {
        workflowId,
        taskQueue: stack.taskQueue,
        args: [{ command }],
      });
      expect(await handle.result()).toMatchObject({
        status: 'refused',
        reason: expect.stringMatching(refusal),
      });
    }
    expect(Number((await db('rehearsals').count({ n: '*' }).first())?.n)).toBe(rehearsals);
    expect(await live()).toBe(before);
  });
});

describe('REQUIRE_REHEARSAL', () => {
  it('refuses an approval without a successful rehearsal of this plan, voids one on reschedule, and accepts with one', async () => {
    Object.assign(app.config, { REQUIRE_REHEARSAL: '7d', requireRehearsalMs: 7 * 86_400_000 });
    try {
      // The latest rehearsal failed (above).
      const failed = await cli('batch', 'approve', 'R1', '--as', 'bob');
      expect(failed.code).toBe(2);
      expect(failed.stderr).toMatch(
        /approval of batch R1 refused: REQUIRE_REHEARSAL=7d: the latest rehearsal of this plan, R1-R\d{17}, failed \(SD2 compensated/,
      );
      expect(failed.stdout).toMatch(/rehearsal: R1-R\d{17} at .*: failed/);
      expect((await db('batches').where({ id: 'R1' }).first()).status).toBe('awaiting_approval');

      expect((await cli('batch', 'rehearse', 'R1', '--as', 'alice')).code).toBe(0);
      // A reschedule changes the plan: the rehearsal no longer counts.
      expect((await cli('batch', 'reschedule', 'R1', '--at', '2031-03-11 08:00', '--as', 'alice')).code).toBe(
        0,
      );
      const voided = await cli('batch', 'approve', 'R1', '--as', 'bob');
      expect(voided.code).toBe(2);
      expect(voided.stderr).toMatch(/REQUIRE_REHEARSAL=7d: the plan changed since its latest rehearsal/);
      expect(voided.stdout).toMatch(
        /rehearsal: none of this plan \(the latest, R1-R\d{17} at .*, rehearsed an earlier plan\)/,
      );

      const again = await cli('batch', 'rehearse', 'R1', '--as', 'alice');
      expect(again.stdout).toMatch(/: succeeded/);
      const ok = await cli('batch', 'approve', 'R1', '--as', 'bob');
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(
        /rehearsal: R1-R\d{17} at .*: succeeded; freeze windows median \d+ ms, max \d+ ms/,
      );
      expect((await db('batches').where({ id: 'R1' }).first()).status).not.toBe('awaiting_approval');
    } finally {
      Object.assign(app.config, { REQUIRE_REHEARSAL: undefined, requireRehearsalMs: null });
    }
  });
});

describe('the console', () => {
  it("shows the rehearsals on the batch and approve pages, rehearses with its button (a planner), and shows a rehearsal's report", async () => {
    // Signed in as alice (the planner), with the session cookie and the page's CSRF token, as a browser would.
    const form = await fetch(`${stack.api.url}/console/sign-in`);
    const pre = /ecp_console_pre=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1];
    const signedIn = await fetch(`${stack.api.url}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `ecp_console_pre=${pre}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: stack.api.tokens.alice, _pre: pre, next: '/console/batches' }),
    });
    const cookie = `ecp_console=${/ecp_console=([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')![1]}`;
    const page = async (p: string) => (await fetch(stack.api.url + p, { headers: { cookie } })).text();

    const batchPage = await page('/console/batches/R1');
    expect(batchPage).toMatch(/<p id="rehearsal-line">rehearsal: R1-R\d{17} at .*: succeeded/);
    const latest = /data-rehearsal="(R1-R\d{17})"/.exec(batchPage)![1];
    expect(await page('/console/batches/R1/approve')).toMatch(
      /<p id="approve-rehearsal">rehearsal: R1-R\d{17}/,
    );
    expect(await page(`/console/rehearsals/${latest}/report`)).toContain(latest);

    const csrf = /action="\/console\/batches\/R1\/rehearse"[^]*?name="_csrf" value="([^"]+)"/.exec(
      batchPage,
    )![1];
    const count = async () =>
      Number((await db('rehearsals').where({ batch_id: 'R1' }).count({ n: '*' }).first())?.n);
    const before = await count();
    const posted = await fetch(`${stack.api.url}/console/batches/R1/rehearse`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, _back: '/console/batches/R1' }),
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/console/batches/R1?done=rehearsing');
    expect(await count()).toBe(before + 1);
    const started = await db('rehearsals').where({ batch_id: 'R1' }).orderBy('started_at', 'desc').first();
    expect(started.requested_by).toBe('alice');
    for (
      let i = 0;
      i < 100 && (await db('rehearsals').where({ id: started.id }).first()).status === 'running';
      i++
    )
      await new Promise((r) => setTimeout(r, 200));
    expect((await db('rehearsals').where({ id: started.id }).first()).status).toBe('succeeded');
  });
});
