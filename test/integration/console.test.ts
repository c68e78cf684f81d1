import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { chromium, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createOidcAuthenticator } from '../../api/auth';
import { startControlApi } from '../../api/server';
import { generateDirectory } from '../../domain/directory-generator';
import { catalogAudience } from '../../stores/directory-store';
import { addOperator } from '../../stores/operator-store';
import { runCli } from '../support/cli';
import { cutoverStack } from '../support/stack';

/**
 * The console in a real Chromium, against the real control API, worker, Temporal and PostgreSQL: alice plans,
 * bob approves, carol answers a firm; and the console attacked — no session, no CSRF token, a session gone
 * idle, a revoked token, a planner who also holds the approver role approving their own batch, hostile text.
 * Every page is checked with axe-core (no serious or critical violation) and photographed in both languages.
 */
const stack = await cutoverStack({ processingDelayMs: 50 });
const { db, api } = stack;
await stack.runWorker();
const base = `${api.url}/console`;
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// dave holds both roles: four eyes must stop him, not a missing role.
const dave = (await addOperator(db, 'dave', ['planner', 'approver'], 'test')).token;
const tokens: Record<string, string> = { ...api.tokens, dave };

// A generated directory, imported through the control API as alice.
const audience = await catalogAudience(db);
const directory = generateDirectory(40, 11, audience.functionsByUserType, audience.sftpFolderByUserType);
const imported = await fetch(`${api.url}/api/directory/import`, {
  method: 'POST',
  headers: { authorization: `Bearer ${api.tokens.alice}`, 'content-type': 'application/json' },
  body: JSON.stringify({ participants: directory.participantsCsv, users: directory.usersCsv }),
});
expect(imported.status).toBe(200);

expect(fs.existsSync('/usr/bin/chromium'), 'Chromium missing: run bash scripts/install-chromium.sh').toBe(
  true,
);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
afterAll(() => browser.close());
fs.mkdirSync('test-results', { recursive: true });

async function signIn(name: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${base}/batches`);
  expect(new URL(page.url()).pathname).toBe('/console/sign-in'); // not signed in: sent to sign in
  await page.getByLabel('Operator token').fill(tokens[name]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/batches`);
  return page;
}

const shot = new Set<string>();
/**
 * axe-core on the page, in Traditional Chinese and in English, and a screenshot of each. A page that answers a
 * form is shown again by `resubmit` after the language is switched (the choice is kept in the session).
 */
async function audit(page: Page, name: string, resubmit?: () => Promise<void>): Promise<void> {
  for (const lang of ['zh-Hant', 'en'] as const) {
    if (resubmit) {
      await page.request.get(`${base}/batches?lang=${lang}`);
      await resubmit();
    } else {
      const u = new URL(page.url());
      u.searchParams.set('lang', lang);
      u.searchParams.delete('done');
      await page.goto(u.toString());
    }
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    await page.evaluate(AXE);
    const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as {
      violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
    };
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(bad, `${name} in ${lang}`).toEqual([]);
    await page.screenshot({ path: `test-results/console-${name}-${lang}.png`, fullPage: true });
  }
  shot.add(name);
}

/** Posts a form from inside the signed-in page (its cookie goes with it), as a tampered page would. */
const postForm = (page: Page, path: string, fields: Record<string, string>) =>
  page.evaluate(
    async ({ path, fields }) => {
      const r = await fetch(path, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
      return { status: r.status, text: await r.text() };
    },
    { path, fields },
  );
const csrfOf = (page: Page) => page.locator('input[name=_csrf]').first().inputValue();

describe('console: plan, approve, watch, support', () => {
  let alice: Page;
  let bob: Page;
  const at = DateTime.utc().plus({ seconds: 50 }).startOf('second');

  it('alice plans a batch: each problem beside its field, a dry-run preview, then the plan; she cannot approve it', async () => {
    alice = await signIn('alice');
    await alice.getByRole('link', { name: 'Plan a batch' }).click();
    await audit(alice, 'plan-form');
    // Nothing filled in: each required field says so, all at once.
    await alice.getByRole('button', { name: 'Preview (dry run)' }).click();
    for (const label of ['Batch id', 'Name', 'Moves at', 'Folders to move']) {
      expect(
        await alice
          .locator('.field', { has: alice.getByLabel(label, { exact: true }) })
          .locator('.problem')
          .count(),
        label,
      ).toBeGreaterThan(0);
    }
    await alice.getByLabel('Batch id').fill('C1');
    await alice.getByLabel('Name', { exact: true }).fill('Stamp duty returns');
    await alice.getByLabel('Moves at').fill('next tuesday');
    await alice.getByLabel('Folders to move').fill('SD1, SMMRPT, NOPE');
    await alice.getByLabel('Notice period').fill('0s');
    await alice.getByLabel('Allow a non-business day').check();
    await alice.getByRole('button', { name: 'Preview (dry run)' }).click();
    const problemsOf = (label: string) =>
      alice
        .locator('.field', { has: alice.getByLabel(label, { exact: true }) })
        .locator('.problem')
        .allTextContents();
    expect((await problemsOf('Folders to move')).join(' ')).toContain('folder NOPE is not in the catalog');
    expect((await problemsOf('Moves at')).join(' ')).toMatch(/next tuesday/);
    expect(await problemsOf('Batch id')).toEqual([]);
    expect(await alice.getByLabel('Folders to move').getAttribute('aria-invalid')).toBe('true');
    expect(await db('batches').where({ id: 'C1' }).first()).toBeUndefined(); // a preview changes nothing
    // The JSON API refuses the same plan with the same problems, each naming its field (what the form shows).
    const refused = await fetch(`${api.url}/api/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.tokens.alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'C1',
        name: 'x',
        at: 'next tuesday',
        folders: ['SD1', 'NOPE'],
        minNotice: '0s',
      }),
    });
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as {
      error: { message: string; problems: { field: string; message: string }[] };
    };
    expect(error.problems.map((p) => p.field).sort()).toEqual(['at', 'folders']);
    expect(error.message).toMatch(/^batch C1 refused: .*folder NOPE is not in the catalog/);

    await alice.getByLabel('Moves at').fill(at.toISO()!);
    await alice.getByLabel('Folders to move').fill('SD1, SMMRPT');
    await alice.getByRole('button', { name: 'Preview (dry run)' }).click();
    await expect
      .poll(() => alice.locator('#preview [role=status]').textContent())
      .toMatch(/No problem found/);
    const firms = Number(await alice.locator('#preview-firms').textContent());
    expect(firms).toBeGreaterThan(0);
    await audit(alice, 'plan-preview', () => alice.locator('button[value=preview]').click());

    await alice.getByRole('button', { name: 'Plan the batch' }).click();
    await alice.waitForURL(/\/console\/batches\/C1\?done=planned$/);
    expect(await alice.locator('[role=status].flash').textContent()).toMatch(/Batch planned/);
    expect(await alice.locator('#batch-status').getAttribute('data-status')).toBe('awaiting_approval');
    expect(await alice.getByRole('link', { name: 'Review and approve' }).count()).toBe(0);
    expect(await alice.getByText('You planned this batch').count()).toBe(1);
    // She sends the approval anyway, with her own valid CSRF token: the server refuses it.
    const forced = await postForm(alice, '/console/batches/C1/approve', {
      _csrf: await csrfOf(alice),
      _back: '/console/batches/C1',
    });
    expect(forced.status).toBe(403);
    expect(forced.text).toContain('does not hold the approver role');
    expect((await db('batches').where({ id: 'C1' }).first()).status).toBe('awaiting_approval');
  });

  it('bob sees exactly what he approves (folders, instant, firms, readiness, dry run), approves, and watches it reach completed without a reload', async () => {
    bob = await signIn('bob');
    await bob.getByRole('link', { name: 'C1' }).click();
    await bob.getByRole('link', { name: 'Review and approve' }).click();
    const dry = (await (
      await fetch(`${api.url}/api/batches/C1/dry-run`, {
        headers: { authorization: `Bearer ${api.tokens.bob}` },
      })
    ).json()) as { affected: number; notReady: number };
    expect(await bob.locator('#approve-folders').textContent()).toBe('SD1, SMMRPT');
    expect(await bob.locator('#approve-at').textContent()).toBe(
      `${at.setZone('Asia/Hong_Kong').toFormat('yyyy-MM-dd HH:mm')} HKT`,
    );
    expect(Number(await bob.locator('#approve-firms').textContent())).toBe(dry.affected);
    expect(Number(await bob.locator('#approve-gaps').textContent())).toBe(dry.notReady);
    expect(await bob.locator('tr[data-folder=SD1]').count()).toBe(1);
    await bob.getByRole('button', { name: 'Approve this batch' }).click();
    await bob.waitForURL(/\/console\/batches\/C1\?done=approved$/);
    expect((await db('batches').where({ id: 'C1' }).first()).approved_by).toBe('bob');
    // From here the page is not reloaded: a mark left in it survives only if the page stays the same document.
    await bob.evaluate('window.mark = 42');
    await bob.locator('#batch-status[data-status=completed]').waitFor({ timeout: 150_000 });
    expect(await bob.evaluate('window.mark')).toBe(42);
    expect(await bob.locator('#progress tr[data-folder] .badge').allTextContents()).toEqual([
      'live on ECP 2.0',
      'live on ECP 2.0',
    ]);
    await audit(bob, 'batch');
  }, 200_000);

  it("the batch's report: one bar per folder, the freeze windows and outcomes as the database holds them, accessible; the CLI's CSV says the same", async () => {
    const carol = await signIn('carol');
    await carol.goto(`${base}/batches/C1`);
    await carol.getByRole('link', { name: 'Report' }).click();
    await carol.waitForURL(`${base}/batches/C1/report`);
    const runs = await db('folder_runs')
      .where({ batch_id: 'C1', kind: 'cutover' })
      .orderBy('folder_code')
      .select('folder_code', 'freeze_window_ms', 'status');
    expect(runs).toHaveLength(2);
    expect(await carol.locator('svg.timeline g.bar').count()).toBe(runs.length);
    expect(await carol.locator('svg.timeline g.bar[data-outcome=live]').count()).toBe(2);
    for (const r of runs)
      expect(
        await carol.locator(`#r-folders tr[data-folder="${r.folder_code}"] td`).nth(3).textContent(),
      ).toBe(`${r.freeze_window_ms} ms`);
    expect(await carol.locator('#r-status').textContent()).toMatch(/^completed/);
    expect(await carol.locator('#r-readiness').textContent()).toMatch(
      /Readiness at the announcement .*: \d+ affected firm\(s\), \d+ not ready/,
    );
    await audit(carol, 'report');
    // Printable: the print style sheet hides the navigation.
    await carol.emulateMedia({ media: 'print' });
    expect(await carol.locator('header nav').isVisible()).toBe(false);
    await carol.emulateMedia({ media: 'screen' });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    const env = { ...stack.env, ECP_CUTOVER_TOKEN: api.tokens.carol };
    const csv = await runCli(['batch', 'report', 'C1', '--out', path.join(dir, 'c1.csv')], env);
    expect(csv.stdout).toMatch(/wrote the report of batch C1 \(csv\)/);
    const rows = fs
      .readFileSync(path.join(dir, 'c1.csv'), 'utf8')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const folders = rows.filter((r) => r[0] === 'folder');
    expect(folders.map((r) => [r[2], r[3], r[9]])).toEqual(
      runs.map((r) => [r.folder_code, 'live', String(r.freeze_window_ms)]),
    );
    const notices = (await db('notices')
      .where('subject_id', 'like', 'C1%')
      .groupBy('kind')
      .select('kind')
      .count({ n: '*' })) as { kind: string; n: string | number }[];
    expect(notices.length).toBeGreaterThan(0);
    for (const n of notices)
      expect(rows.find((r) => r[0] === 'notices' && r[2] === n.kind)?.[4], n.kind).toBe(String(n.n));
    const html = await runCli(['batch', 'report', 'C1', '--out', path.join(dir, 'c1.html')], env);
    expect(html.code).toBe(0);
    const file = fs.readFileSync(path.join(dir, 'c1.html'), 'utf8');
    expect(file).toMatch(/^<!doctype html>/);
    expect(file).toContain('@media print');
    expect(file.match(/<g class="bar"/g)).toHaveLength(2);
  });

  it('carol finds a firm by name and sees the folders-live notice as sent, with where each folder lives', async () => {
    const told = await db('notices as n')
      .join('participants as p', 'p.code', 'n.participant_code')
      .where({ 'n.kind': 'batch_outcome', 'n.status': 'sent' })
      .first('p.code', 'p.name_en');
    expect(told, 'a firm told its folders are live').toBeDefined();
    const carol = await signIn('carol', { width: 820, height: 1180 }); // a tablet
    await carol.getByRole('link', { name: 'Participants' }).click();
    await carol.getByLabel('Participant code or name').fill(String(told.name_en).slice(0, 12));
    await carol.getByRole('button', { name: 'Find' }).click();
    await audit(carol, 'participants');
    await carol.getByRole('link', { name: told.code, exact: true }).click();
    await carol.waitForURL(`${base}/participants/${told.code}`);
    const row = carol.locator('#participant-notices tr[data-kind=batch_outcome]');
    expect(await row.getAttribute('data-status')).toBe('sent');
    expect(await row.locator('.badge').textContent()).toBe('sent');
    expect(await carol.locator('#participant-folders tr[data-folder=SD1] .badge').textContent()).toBe(
      'live on ECP 2.0',
    );
    await audit(carol, 'participant');
    // The support desk holds no planner or approver role: no form that changes anything is offered to it.
    await carol.goto(`${base}/batches/C1`);
    expect(await carol.locator('main form[method=post]').count()).toBe(0);
  });

  // Workflow ids are the namespace's, shared by the test files running at once: C1/C2 and SMMRPT's
  // switch-back are this file's alone (the decommission, one per namespace, is tested on its own server).
  it('a switch-back from the folder page: alice requests it, she cannot approve it, bob does, and SMMRPT is back on legacy', async () => {
    await alice.goto(`${base}/folders/SMMRPT`);
    const request = alice.getByRole('form', { name: 'Switch back to legacy ECP' });
    await request.getByLabel('Reason').fill('firms report missing acknowledgements');
    await request.getByRole('button', { name: 'Request' }).click();
    await alice.waitForURL(`${base}/folders/SMMRPT?done=requested`);
    expect(await alice.locator('main').textContent()).toContain('Switch-back requested by alice');
    expect(await alice.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await bob.goto(`${base}/folders/SMMRPT`);
    await bob.getByRole('button', { name: 'Approve' }).click();
    await bob.waitForURL(`${base}/folders/SMMRPT?done=approved`);
    await expect
      .poll(async () => (await db('folders').where({ code: 'SMMRPT' }).first('placement')).placement, {
        timeout: 60_000,
      })
      .toBe('legacy');
    await bob.reload();
    expect(await bob.locator('#placement').getAttribute('data-placement')).toBe('legacy');
    // The audit trail names who, from where, with which credential.
    const requested = await db('events')
      .where({ entity_type: 'folder', entity_id: 'SMMRPT', to_state: 'rollback_requested' })
      .select('actor', 'source', 'credential_id');
    const aliceToken = (await db('operator_tokens').where({ operator: 'alice' }).first('id')).id;
    expect(requested).toEqual([{ actor: 'alice', source: 'console', credential_id: aliceToken }]);
  });

  it('a drift the reconciler finds shows on the folder and in the list, and shows as resolved once it clears', async () => {
    const reconcile = async () =>
      (
        await fetch(`${api.url}/api/reconcile`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api.tokens.bob}`, 'content-type': 'application/json' },
          body: '{}',
        })
      ).status;
    expect((await stack.simAdmin('/legacy/admin/folders/SD3/freeze', { method: 'POST' })).status).toBe(200); // by hand, on legacy
    expect(await reconcile()).toBe(200);
    await alice.goto(`${base}/folders`);
    expect(await alice.locator('tr[data-folder=SD3]').textContent()).toContain('drift');
    await alice.goto(`${base}/folders/SD3`);
    const drift = alice.locator('main ul li', { hasText: 'closed where recorded' });
    expect(await drift.locator('.badge').textContent()).toBe('open');
    expect(await drift.textContent()).toMatch(/legacy is frozen/);
    expect((await stack.simAdmin('/legacy/admin/folders/SD3/unfreeze', { method: 'POST' })).status).toBe(200);
    expect(await reconcile()).toBe(200);
    await alice.reload();
    expect(await drift.locator('.badge').textContent()).toBe('resolved');
  });

  it('the decommission page says what blocks it today', async () => {
    await alice.goto(`${base}/decommission`);
    // Not scheduled (a decommission is one workflow per namespace: scheduling it is tested on its own server,
    // test/integration/decommission.test.ts), but the gate as it stands already names what blocks it.
    expect(await alice.getByRole('form', { name: 'Schedule' }).count()).toBe(1);
    const folders = alice.locator('#gate-now tr[data-item=folders]');
    expect(await folders.getAttribute('data-pass')).toBe('false');
    expect(await folders.textContent()).toMatch(/\d+ folder\(s\) not moved: /);
    await audit(alice, 'decommission');
  });

  it('every other page passes the accessibility check in both languages', async () => {
    await alice.goto(`${base}/batches`);
    await audit(alice, 'batches');
    await alice.goto(`${base}/folders`);
    await audit(alice, 'folders');
    await alice.goto(`${base}/folders/SD1`);
    await audit(alice, 'folder');
    await alice.goto(`${base}/events?by=batch&value=C1`);
    expect(await alice.locator('main table tbody tr').count()).toBeGreaterThan(3);
    await audit(alice, 'events');
    const signedOut = await browser.newPage();
    await signedOut.goto(`${base}/sign-in`);
    await audit(signedOut, 'sign-in');
    await signedOut.close();
    expect(shot.size).toBe(12); // every page family, the report included
  });
});

describe('console attacked', () => {
  it('a planner who also holds the approver role cannot approve his own batch: no button, and the server refuses the form', async () => {
    const page = await signIn('dave');
    await page.goto(`${base}/plan`);
    await page.getByLabel('Batch id').fill('C2');
    await page.getByLabel('Name', { exact: true }).fill('<img src=x onerror="document.title=1">');
    await page.getByLabel('Moves at').fill('2031-03-10 08:00');
    await page.getByLabel('Folders to move').fill('SD3');
    await page.getByRole('button', { name: 'Plan the batch' }).click();
    await page.waitForURL(/\/console\/batches\/C2\?done=planned$/);
    // Hostile text is shown as text.
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('dl.facts dd').first().textContent()).toBe(
      '<img src=x onerror="document.title=1">',
    );
    expect(await page.getByRole('link', { name: 'Review and approve' }).count()).toBe(0);
    const forced = await postForm(page, '/console/batches/C2/approve', {
      _csrf: await csrfOf(page),
      _back: '/console/batches/C2',
    });
    expect(forced.status).toBe(403);
    expect(forced.text).toContain('four eyes: dave planned batch C2 and cannot approve it');
    expect((await db('batches').where({ id: 'C2' }).first()).status).toBe('awaiting_approval');
    // bob may: his approval page is the last one photographed.
    const bob = await signIn('bob');
    await bob.goto(`${base}/batches/C2/approve`);
    expect(await bob.locator('#approve-folders').textContent()).toBe('SD3');
    await audit(bob, 'approve');
  });

  it('an approver who may not plan is not offered the plan form: no link to it, and its page says why', async () => {
    const bob = await signIn('bob');
    await bob.goto(`${base}/batches`);
    expect(await bob.getByRole('link', { name: 'Plan a batch' }).count()).toBe(0);
    const form = await bob.goto(`${base}/plan`);
    expect(form!.status()).toBe(403);
    expect(await bob.locator('main').textContent()).toContain(
      "operator 'bob' does not hold the planner role (has: approver)",
    );
    expect(await bob.locator('form[action="/console/plan"]').count()).toBe(0);
  });

  it('refuses without a session (pages redirect to sign-in), a change without the CSRF token, and a sign-in from another page', async () => {
    const before = await db('events').count({ n: '*' }).first();
    for (const p of [
      '/console/batches',
      '/console/batches/C1',
      '/console/participants/00001',
      '/console/events',
    ]) {
      const r = await fetch(api.url + p, { redirect: 'manual' });
      expect(r.status, p).toBe(303);
      expect(r.headers.get('location')).toBe(`/console/sign-in?next=${encodeURIComponent(p)}`);
    }
    expect(
      (
        await fetch(`${base}/batches/C2/approve`, {
          method: 'POST',
          body: new URLSearchParams({}),
          redirect: 'manual',
        })
      ).status,
    ).toBe(401);
    const bob = await signIn('bob');
    const noToken = await postForm(bob, '/console/batches/C2/reject', {
      reason: 'no csrf token here',
      _back: '/console/batches/C2',
    });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('did not come from this console');
    const wrongToken = await postForm(bob, '/console/batches/C2/reject', {
      reason: 'a guessed csrf token',
      _csrf: 'x'.repeat(43),
    });
    expect(wrongToken.status).toBe(403);
    expect((await db('batches').where({ id: 'C2' }).first()).status).toBe('awaiting_approval');
    expect((await db('events').count({ n: '*' }).first())?.n).toBe(before?.n);
    // A sign-in form posted from elsewhere (no matching pre-session cookie) signs nobody in.
    const forged = await fetch(`${base}/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: api.tokens.bob, _pre: 'abc' }),
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie') ?? '').not.toMatch(/ecp_console=[A-Za-z0-9_-]{43}/);
    // Cookies: HttpOnly, SameSite=Strict, scoped to the console.
    const cookie = (await bob.context().cookies()).find((c) => c.name === 'ecp_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    const headers = (await fetch(`${base}/sign-in`)).headers;
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });

  it('ends a session past its idle timeout, at sign-out, and when its token is revoked', async () => {
    const bob = await signIn('bob');
    const sessions = Number(
      (await db('console_sessions').where({ operator: 'bob' }).count({ n: '*' }).first())?.n,
    );
    await db('console_sessions')
      .where({ operator: 'bob' })
      .update({ last_seen_at: db.raw(`now() - interval '16 minutes'`) });
    await bob.goto(`${base}/batches/C2`);
    expect(new URL(bob.url()).pathname).toBe('/console/sign-in');
    expect(await bob.locator('input[name=next]').inputValue()).toBe('/console/batches/C2');
    // The session ended is gone from the database, not only refused.
    expect(
      Number((await db('console_sessions').where({ operator: 'bob' }).count({ n: '*' }).first())?.n),
    ).toBe(sessions - 1);

    // A page refreshing itself is not activity (only while a batch is being moved is it watched).
    const watcher = await signIn('bob');
    await db('console_sessions')
      .where({ operator: 'bob' })
      .update({ last_seen_at: db.raw(`now() - interval '10 minutes'`) });
    const lastSeen = async () =>
      (await db('console_sessions').where({ operator: 'bob' }).max({ at: 'last_seen_at' }).first())
        ?.at as Date;
    const idleSince = await lastSeen();
    expect(
      await watcher.evaluate(async () => (await fetch('/console/batches/C2?part=progress')).status),
    ).toBe(200);
    expect(await lastSeen()).toEqual(idleSince);
    await watcher.reload(); // a person's request is
    expect((await lastSeen()).getTime()).toBeGreaterThan(idleSince.getTime());
    await watcher.getByRole('button', { name: 'Sign out' }).click();

    const again = await signIn('bob');
    await again.getByRole('button', { name: 'Sign out' }).click();
    await again.waitForURL(`${base}/sign-in`);
    await again.goto(`${base}/batches`);
    expect(new URL(again.url()).pathname).toBe('/console/sign-in');

    const carol = await signIn('carol');
    const { tokenId } = (await db('operator_tokens').where({ operator: 'carol' }).first('id as tokenId')) as {
      tokenId: string;
    };
    await db('operator_tokens').where({ id: tokenId }).update({ revoked_at: db.fn.now() });
    await carol.goto(`${base}/events`);
    expect(new URL(carol.url()).pathname).toBe('/console/sign-in');
  });
});

/**
 * A small identity provider for the test, honest about the protocol: it answers discovery and serves its keys,
 * sends the browser back with a code bound to the PKCE challenge and the nonce, and gives a signed access
 * token and ID token (with that nonce) only for the verifier that matches that challenge. (It signs in
 * whoever the test says is at the keyboard.)
 */
async function identityProvider(audience: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-'));
  const jwks = path.join(dir, 'jwks.json');
  const keySet = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  fs.writeFileSync(jwks, JSON.stringify(keySet));
  const codes = new Map<
    string,
    {
      challenge: string;
      method: string;
      redirectUri: string;
      nonce: string;
      clientId: string;
      user: { name: string; roles: string[] };
    }
  >();
  const seen: { authorize: URLSearchParams[]; token: URLSearchParams[] } = { authorize: [], token: [] };
  const state = { user: { name: 'erin', roles: ['approver'] }, idTokenNonce: null as string | null };
  let issuer = '';
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url!, issuer);
    const json = (status: number, body: unknown) =>
      void (res.writeHead(status, { 'content-type': 'application/json' }), res.end(JSON.stringify(body)));
    if (u.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (u.pathname === '/jwks') return json(200, keySet);
    if (u.pathname === '/authorize') {
      seen.authorize.push(u.searchParams);
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        challenge: u.searchParams.get('code_challenge') ?? '',
        method: u.searchParams.get('code_challenge_method') ?? '',
        redirectUri: u.searchParams.get('redirect_uri') ?? '',
        nonce: u.searchParams.get('nonce') ?? '',
        clientId: u.searchParams.get('client_id') ?? '',
        user: state.user,
      });
      const back = new URL(u.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', u.searchParams.get('state') ?? '');
      back.searchParams.set('iss', issuer);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const form = new URLSearchParams(text);
      seen.token.push(form);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (
        !grant ||
        grant.method !== 'S256' ||
        createHash('sha256').update(verifier).digest('base64url') !== grant.challenge ||
        form.get('redirect_uri') !== grant.redirectUri
      )
        return json(400, { error: 'invalid_grant' });
      const sub = `sub-${grant.user.name}`;
      const token = await new SignJWT({ preferred_username: grant.user.name, roles: grant.user.roles })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
      const idToken = await new SignJWT({ nonce: state.idTokenNonce ?? grant.nonce })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience(grant.clientId)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
      return json(200, { access_token: token, id_token: idToken, token_type: 'Bearer', expires_in: 600 });
    }
    json(404, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { issuer, jwks: `file://${jwks}`, seen, state, codes };
}

describe('console with the identity provider', () => {
  it('signs in with the authorization code and PKCE; a callback this browser did not start, or with another state, signs nobody in', async () => {
    const audience = 'ecp-cutover';
    const idp = await identityProvider(audience);
    const config = {
      ...stack.app.config,
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: audience,
      OIDC_JWKS_URL: idp.jwks,
      OIDC_CLIENT_ID: 'ecp-console',
    };
    const auth = createOidcAuthenticator(stack.app.stores.operators, {
      issuer: idp.issuer,
      audience,
      jwksUrl: idp.jwks,
      nameClaim: 'preferred_username',
      rolesClaim: 'roles',
    });
    const oidcApi = await startControlApi({ deps: { ...stack.app, config }, auth });
    afterAll(() => oidcApi.close());
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${oidcApi.url}/console/folders/SD1`);
    expect(await page.getByLabel('Operator token').count()).toBe(0); // OIDC mode: no token form
    await page.getByRole('link', { name: 'Sign in with the identity provider' }).click();
    await page.waitForURL(`${oidcApi.url}/console/folders/SD1`);
    expect(await page.locator('header .who span').textContent()).toBe('Signed in as erin (approver)');
    // The session ends when the provider's token does (10 minutes here), and the flow's cookie is gone.
    const erin = await db('console_sessions').where({ operator: 'erin' }).first('expires_at');
    expect(new Date(erin.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('ecp_console_oidc');
    const asked = idp.seen.authorize[0];
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('client_id')).toBe('ecp-console');
    expect(asked.get('redirect_uri')).toBe(`${oidcApi.url}/console/oidc/callback`);
    expect(idp.seen.token[0].get('code_verifier')?.length).toBeGreaterThanOrEqual(43);

    // A code and state made for another browser's flow, replayed in a browser that did not start one.
    idp.state.user = { name: 'mallory', roles: ['approver'] };
    const start = await fetch(`${oidcApi.url}/console/oidc/start`, { redirect: 'manual' });
    const toIdp = new URL(start.headers.get('location')!);
    const back = await fetch(toIdp, { redirect: 'manual' });
    const callback = back.headers.get('location')!;
    const replayed = await fetch(callback, { redirect: 'manual' });
    expect(replayed.status).toBe(401);
    expect(await replayed.text()).toContain('this browser did not start it');
    // The right browser (its flow cookie) but another state: refused, and the code is never exchanged.
    const flowCookie = start.headers.get('set-cookie')!.split(';')[0];
    const tokenCalls = idp.seen.token.length;
    const wrongState = new URL(callback);
    wrongState.searchParams.set('state', 'not-the-state');
    const refused = await fetch(wrongState, { headers: { cookie: flowCookie }, redirect: 'manual' });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('its state does not match this browser');
    expect(idp.seen.token.length).toBe(tokenCalls);
    expect(await db('console_sessions').where({ operator: 'mallory' }).first()).toBeUndefined();

    // The right browser and state, but an ID token made for another sign-in (its nonce is not this flow's).
    idp.state.idTokenNonce = 'another-flow';
    const mallory = await (await browser.newContext()).newPage();
    await mallory.goto(`${oidcApi.url}/console/oidc/start`);
    expect(await mallory.textContent('main')).toMatch(
      /sign-in with the identity provider refused: the provider's answer was not accepted/,
    );
    expect(await db('console_sessions').where({ operator: 'mallory' }).first()).toBeUndefined();
  });
});
