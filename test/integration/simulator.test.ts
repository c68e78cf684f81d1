import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { generate } from 'otplib';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/process';
import { runCli } from '../support/cli';
import { freshDatabase } from '../support/db';
import { credentialsOf, freshOtp, logInAs, type SimCredentials } from '../support/participant';

// The simulator as it runs in the dev stack and in the drills: its own process (`ecp-cutover simulator`),
// so that a crash shows as a dead process rather than a failed test worker. Participants meet it over HTTP.
const { db, url } = await freshDatabase();
const token = randomBytes(24).toString('hex');
const [port, sftpPort] = [await freePort(), await freePort()];
const base = `http://127.0.0.1:${port}`;
const BIN = fileURLToPath(new URL('../../bin/ecp-cutover.mjs', import.meta.url));
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-sim-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const simEnv = {
  DATABASE_URL: url,
  SIMULATOR_URL: base,
  SIMULATOR_ADMIN_TOKEN: token,
  LISTEN_HOST: '127.0.0.1',
  ECP_CUTOVER_HOME: home,
};
const child: ChildProcess = spawn(
  process.execPath,
  [BIN, 'simulator', '--port', String(port), '--sftp-port', String(sftpPort), '--processing-delay', '50'],
  {
    env: { ...process.env, ...simEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let exited: number | null = null;
let stderr = '';
child.on('exit', (code) => (exited = code ?? -1));
child.stderr!.on('data', (d) => (stderr += d));
afterAll(() => void child.kill('SIGTERM'));
await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`simulator did not start: ${stderr}`)), 20_000);
  child.stdout!.on(
    'data',
    (d) => String(d).includes('platform simulator on') && (clearTimeout(timer), resolve()),
  );
});

const admin = (method: string, path: string, body?: unknown) =>
  fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const asJson = async <T = { code: string; message: string }>(r: Response | Promise<Response>) =>
  (await (await r).json()) as T;

// SD1 and the monthly SMMRPT have moved to ECP 2.0 (closed and hidden on legacy); SD2 is still on legacy; the download
// folder CSCMAP is open on ECP 2.0; SDPDF is retired.
for (const f of ['SD1', 'SMMRPT', 'CSCMAP'])
  expect((await admin('POST', `/ecp2/admin/folders/${f}/enable`)).status).toBe(200);
for (const f of ['SD1', 'SMMRPT', 'CSCMAP'])
  expect((await admin('POST', `/legacy/admin/folders/${f}/disable`)).status).toBe(200);
expect((await admin('POST', '/legacy/admin/folders/SDPDF/retire')).status).toBe(200);
// Client Connect: firm 09999 with an administrator (no ECP function), a cash operator, an SFTP-only operator, a China
// Connect operator and two more cash operators (for a lock and for functions that change); firm 08888 with its own.
const user = (email: string, role: 'admin' | 'operator', functions: string[]) => ({
  email,
  role,
  functions,
  sftpKeyRegistered: false,
  ipRegistered: false,
});
expect(
  (
    await admin('PUT', '/ecp2/admin/client-connect', {
      participants: [
        {
          code: '09999',
          users: [
            user('admin@09999.hk', 'admin', []),
            user('cash@09999.hk', 'operator', ['EU_ECPCASH']),
            user('sftp@09999.hk', 'operator', ['EU_ECPSFTP']),
            user('cc@09999.hk', 'operator', ['EU_ECPCC']),
            user('lock@09999.hk', 'operator', ['EU_ECPCASH']),
            user('moves@09999.hk', 'operator', ['EU_ECPCASH']),
          ],
        },
        { code: '08888', users: [user('cash@08888.hk', 'operator', ['EU_ECPCASH'])] },
      ],
    })
  ).status,
).toBe(200);

/** Signed in: a session's fetch on one platform. */
async function session(email: string, platform: 'ecp2' | 'legacy' = 'ecp2') {
  const r = await logInAs(base, await credentialsOf(base, token, email, platform), platform);
  const { session: s } = await asJson<{ session: string }>(r);
  expect(s, `${email} logs in to ${platform}`).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const headers = { authorization: `Bearer ${s}`, 'content-type': 'application/json' };
  return {
    token: s,
    get: (path: string) => fetch(`${base}/${platform}${path}`, { headers }),
    post: (path: string, body: unknown) =>
      fetch(`${base}/${platform}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }),
  };
}
const login = (platform: 'ecp2' | 'legacy', body: unknown) =>
  fetch(`${base}/${platform}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const file = (text: string) => Buffer.from(text).toString('base64');
const sd1 = (participant = '09999', extra: Record<string, unknown> = {}) => ({
  participant,
  filename: `SD_${participant}_20220512.csv`,
  inputDate: '2022-05-12',
  contentBase64: file('trade,stamp\n1,2\n'),
  ...extra,
});
const stored = async () =>
  Number((await db('sim_ecp2.submissions').count({ n: '*' }).first())?.n) +
  Number((await db('sim_legacy.submissions').count({ n: '*' }).first())?.n);

const cash = await session('cash@09999.hk');

describe('logging in (FAQ A.1, A.3, A.15)', () => {
  it('ECP 2.0 takes the Client Connect login ID, password and a one-time password, each code once; legacy its own login', async () => {
    const cli = await runCli(['simulator', 'credentials', 'cc@09999.hk', '--json'], simEnv);
    expect(cli.stderr).toBe('');
    const creds = JSON.parse(cli.stdout) as SimCredentials;
    expect(creds).toEqual({
      loginId: 'cc@09999.hk',
      password: expect.stringMatching(/^[A-Za-z0-9_-]{20}$/),
      totpSecret: expect.stringMatching(/^[A-Z2-7]{32}$/),
    });
    // The same credentials each time they are handed out.
    expect(
      JSON.parse((await runCli(['simulator', 'credentials', 'cc@09999.hk', '--json'], simEnv)).stdout),
    ).toEqual(creds);
    const otp = await freshOtp(creds.totpSecret!);
    const ok = await login('ecp2', { loginId: 'CC@09999.HK', password: creds.password, otp });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      session: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    // A code seen once opens nothing again (an eavesdropper's replay).
    expect(
      await asJson(login('ecp2', { loginId: creds.loginId, password: creds.password, otp })),
    ).toMatchObject({ code: 'bad_credentials' });

    const legacy = JSON.parse(
      (await runCli(['simulator', 'credentials', 'cc@09999.hk', '--platform', 'legacy', '--json'], simEnv))
        .stdout,
    ) as SimCredentials;
    expect(legacy).toEqual({ loginId: expect.stringMatching(/^L\d{6}$/), password: expect.any(String) });
    expect(legacy.password).not.toBe(creds.password);
    expect(
      (await login('legacy', { loginId: legacy.loginId.toLowerCase(), password: legacy.password })).status,
    ).toBe(200);
    // FAQ A.1: legacy's credentials do not open ECP 2.0, and ECP 2.0's do not open legacy.
    const legacyOn2 = await login('ecp2', {
      loginId: legacy.loginId,
      password: legacy.password,
      otp: '000000',
    });
    expect([legacyOn2.status, await legacyOn2.json()]).toEqual([
      401,
      {
        code: 'legacy_credentials',
        message: expect.stringMatching(/legacy ECP's credentials do not open ECP 2\.0 \(FAQ A\.1\)/),
      },
    ]);
    expect((await login('legacy', { loginId: creds.loginId, password: creds.password })).status).toBe(401);
  });

  it('a wrong password or code is a 401; a user unknown to Client Connect is a 401 at login, not a 2000', async () => {
    const creds = await credentialsOf(base, token, 'cash@08888.hk');
    const wrong = [
      {
        loginId: creds.loginId,
        password: creds.password + 'x',
        otp: await generate({ secret: creds.totpSecret! }),
      },
      {
        loginId: creds.loginId,
        password: creds.password,
        otp: String((Number(await generate({ secret: creds.totpSecret! })) + 1) % 1_000_000).padStart(6, '0'),
      },
    ];
    for (const body of wrong)
      expect(await asJson(login('ecp2', body))).toMatchObject({
        code: 'bad_credentials',
        message: expect.stringMatching(/more failed attempt\(s\) within 30 minutes lock the account/),
      });
    const unknown = await login('ecp2', { loginId: 'nobody@09999.hk', password: 'whatever', otp: '123456' });
    expect([unknown.status, await unknown.json()]).toEqual([
      401,
      {
        code: 'unknown_user',
        message: expect.stringMatching(/not a Client Connect user.*form to HKEX \(FAQ B\.8\)/),
      },
    ]);
    expect((await admin('GET', '/ecp2/admin/credentials/nobody%4009999.hk')).status).toBe(404);
  });

  it('FAQ B.5–B.6: a user with no ECP function for the web gets 2000 at the door, with the right credentials', async () => {
    for (const [who, message] of [
      [
        'admin@09999.hk',
        /holds no ECP function for the web, so ECP 2\.0 refuses them at the door: .*Client Connect \(FAQ B\.5\)/,
      ],
      ['sftp@09999.hk', /EU_ECPSFTP alone gives SFTP only, FAQ B\.6/],
    ] as const) {
      const r = await logInAs(base, await credentialsOf(base, token, who));
      expect([r.status, await r.json()], who).toEqual([
        403,
        { code: '2000', message: expect.stringMatching(message) },
      ]);
    }
    // Legacy has no such door: it shows such a user only the folders that need no function (its test folder, …).
    const legacy = await session('admin@09999.hk', 'legacy');
    const shown = await asJson<{ code: string }[]>(legacy.get('/folders'));
    expect(shown.map((f) => f.code)).toContain('LEGTEST');
    expect(
      await db('sim_legacy.folders')
        .whereIn(
          'code',
          shown.map((f) => f.code),
        )
        .whereNotNull('cc_function')
        .pluck('code'),
    ).toEqual([]);
  });

  it('five failed logins within 30 minutes lock the account, even to the right password, until an admin unlocks it (FAQ A.15–A.16)', async () => {
    const creds = await credentialsOf(base, token, 'lock@09999.hk');
    for (let i = 1; i <= 4; i++)
      expect(
        await asJson(login('ecp2', { loginId: creds.loginId, password: 'wrong', otp: '000000' })),
      ).toMatchObject({
        code: 'bad_credentials',
        message: expect.stringContaining(`${5 - i} more failed attempt(s)`),
      });
    const fifth = await login('ecp2', { loginId: creds.loginId, password: 'wrong', otp: '000000' });
    expect([fifth.status, await fifth.json()]).toEqual([
      423,
      {
        code: 'locked',
        message: expect.stringMatching(
          /locked after 5 failed logins within 30 minutes \(FAQ A\.15\).*unlock it/,
        ),
      },
    ]);
    expect((await logInAs(base, creds)).status).toBe(423);
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${cash.token}`]) {
      expect(
        (
          await fetch(`${base}/ecp2/admin/logins/lock%4009999.hk/unlock`, {
            method: 'POST',
            headers: authorization ? { authorization } : {},
          })
        ).status,
      ).toBe(401);
    }
    expect(await asJson(admin('POST', '/ecp2/admin/logins/lock%4009999.hk/unlock'))).toEqual({
      loginId: 'lock@09999.hk',
      locked: false,
    });
    expect((await logInAs(base, creds)).status).toBe(200);
  });

  it("sessions: none, a made-up one, another platform's, an expired one or a logged-out one open nothing", async () => {
    const legacy = await session('cash@09999.hk', 'legacy');
    const tried: [string, Record<string, string>][] = [
      ['no session', {}],
      ['not a bearer', { authorization: cash.token }],
      ['made up', { authorization: `Bearer ${randomBytes(32).toString('base64url')}` }],
      ["legacy's session on ECP 2.0", { authorization: `Bearer ${legacy.token}` }],
      ['the admin credential', { authorization: `Bearer ${token}` }],
    ];
    for (const [what, headers] of tried) {
      const r = await fetch(`${base}/ecp2/folders`, { headers });
      expect([r.status, (await asJson(r)).code], what).toEqual([401, 'unauthenticated']);
    }
    const before = await stored();
    const upload = await fetch(`${base}/ecp2/folders/SD1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sd1()),
    });
    expect(upload.status).toBe(401);
    const old = await session('moves@09999.hk');
    await db('sim_ecp2.sessions')
      .update({ expires_at: new Date(Date.now() - 1000) })
      .whereRaw('email = ?', ['moves@09999.hk']);
    expect(await asJson(old.get('/folders'))).toMatchObject({
      code: 'unauthenticated',
      message: expect.stringMatching(/^this session has expired: POST \/ecp2\/login/),
    });
    const out = await session('cc@09999.hk', 'legacy');
    expect((await out.post('/logout', {})).status).toBe(200);
    expect((await out.get('/folders')).status).toBe(401);
    expect(await stored()).toBe(before);
  });

  it('only hashes are kept: scrypt for passwords, SHA-256 for sessions', async () => {
    const creds = await credentialsOf(base, token, 'cash@09999.hk');
    const rows = await db('sim_ecp2.logins').whereNotNull('password_hash').select('password_hash');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /^scrypt\$/.test(r.password_hash))).toBe(true);
    const everything = JSON.stringify([
      await db('sim_ecp2.logins'),
      await db('sim_ecp2.sessions'),
      await db('sim_legacy.logins'),
      await db('sim_legacy.sessions'),
    ]);
    expect(everything).not.toContain(creds.password);
    expect(everything).not.toContain(cash.token);
  });

  it('simulator credentials: a bad address or an unknown user is one line and exit code 2', async () => {
    for (const [args, message] of [
      [['not-an-email'], /^error: 'not-an-email' is not an email address \(bad_input\)\n$/],
      [
        ['nobody@09999.hk'],
        /^error: nobody@09999\.hk has no login on ecp2: import a directory that lists them.*\(not_found\)\n$/,
      ],
      [
        ['cash@09999.hk', '--platform', 'ecp3'],
        /^error: --platform 'ecp3' must be ecp2 or legacy \(bad_input\)\n$/,
      ],
      [
        ['cash@09999.hk', '--platform', 'legacy', '--otp'],
        /^error: --otp: legacy ECP has no one-time password/,
      ],
    ] as const) {
      const r = await runCli(['simulator', 'credentials', ...args], simEnv);
      expect([r.code, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const otp = await runCli(['simulator', 'credentials', 'cash@09999.hk', '--otp'], simEnv);
    expect(otp.stdout).toMatch(/^\d{6}\n$/);
  });
});

describe('what a participant sees (FAQ B.7, D.27)', () => {
  const codes = async (client: { get(p: string): Promise<Response> }) =>
    (await asJson<{ code: string }[]>(client.get('/folders'))).map((f) => f.code);

  it("each platform lists the folders shown there whose function the user holds; a moved folder leaves legacy's list for ECP 2.0's", async () => {
    const legacy = await session('moves@09999.hk', 'legacy');
    const ecp2 = await session('moves@09999.hk');
    expect(await codes(ecp2)).toEqual(expect.arrayContaining(['SD1', 'SMMRPT']));
    expect(await codes(ecp2)).not.toContain('SD2'); // not moved yet
    expect(await codes(ecp2)).not.toContain('CSCMAP'); // EU_ECPCC's
    expect(await codes(legacy)).toContain('SD2');
    expect(await codes(legacy)).not.toContain('SD1'); // moved: hidden on legacy
    expect(await codes(legacy)).not.toContain('SDPDF'); // retired
    expect(await codes(await session('cc@09999.hk'))).toContain('CSCMAP');
    // SD2 moves: it leaves legacy's list and joins ECP 2.0's; legacy's enquiry no longer answers for it.
    expect((await legacy.get('/folders/SD2/submissions?participant=09999')).status).toBe(200);
    await admin('POST', '/ecp2/admin/folders/SD2/enable');
    await admin('POST', '/legacy/admin/folders/SD2/disable');
    expect(await codes(legacy)).not.toContain('SD2');
    expect(await codes(ecp2)).toContain('SD2');
    const hidden = await legacy.get('/folders/SD2/submissions?participant=09999');
    expect([hidden.status, await hidden.json()]).toEqual([
      404,
      {
        code: '3001',
        message: 'folder SD2 is not on legacy ECP: it is on ECP 2.0 (moved, FAQ D.27); no activity is shown',
      },
    ]);
    expect(await asJson(legacy.get('/folders/SDPDF/submissions?participant=09999'))).toMatchObject({
      code: '3003',
    });
    // And back (a switch-back): the same, the other way.
    await admin('POST', '/legacy/admin/folders/SD2/enable');
    await admin('POST', '/ecp2/admin/folders/SD2/disable');
    expect(await codes(legacy)).toContain('SD2');
    expect(await codes(ecp2)).not.toContain('SD2');
  });

  it('Activity Enquiry keeps the order of the door: 2000 first, then the folder, then the firm', async () => {
    const who = await session('moves@09999.hk');
    expect((await who.get('/folders/SD1/submissions?participant=09999')).status).toBe(200);
    expect(await asJson(who.get('/folders/SD1/submissions?participant=08888'))).toMatchObject({
      code: '2003',
      message: expect.stringContaining('no activity is shown'),
    });
    await admin('PUT', '/ecp2/admin/users/moves%4009999.hk/functions', { functions: ['EU_ECPCC'] });
    expect(await asJson(who.get('/folders/SD1/submissions?participant=08888'))).toMatchObject({
      code: '2002',
      message: expect.stringMatching(
        /^folder SD1 is not shown to user moves@09999\.hk on ECP 2\.0: it needs EU_ECPCASH/,
      ),
    });
    await admin('PUT', '/ecp2/admin/users/moves%4009999.hk/functions', { functions: ['EU_ECPSFTP'] });
    const door = await who.get('/folders/SD1/submissions?participant=08888');
    expect([door.status, (await asJson(door)).code]).toEqual([403, '2000']);
    await admin('PUT', '/ecp2/admin/users/moves%4009999.hk/functions', { functions: ['EU_ECPCASH'] });
  });
});

describe('submitting on the simulated ECP 2.0 (HTTP, signed in)', () => {
  it('refuses each case with its code and a message that says what to do, and stores nothing', async () => {
    const before = await stored();
    const cc = await session('cc@09999.hk');
    const other = await session('cash@08888.hk');
    const legacy = await session('cash@09999.hk', 'legacy');
    const cases: [string, Promise<Response>, number, string, RegExp][] = [
      [
        'a user whose functions do not cover the folder does not see it (B.7)',
        cc.post('/folders/SD1/submissions', sd1()),
        403,
        '2002',
        /folder SD1 is not shown to user cc@09999\.hk on ECP 2\.0: it needs EU_ECPCASH/,
      ],
      [
        'a user submits only for their own firm (B.14)',
        other.post('/folders/SD1/submissions', sd1()),
        403,
        '2003',
        /not a user of participant 09999.*\(08888\)/,
      ],
      [
        'the Input Date must be the trade date in the filename (C.23, C.24)',
        cash.post('/folders/SD1/submissions', sd1('09999', { inputDate: '2022-05-13' })),
        422,
        '4505',
        /Input Date 2022-05-13 does not match 20220512.*Trade date \(T\)/,
      ],
      [
        "a monthly folder's Input Date is the month-end (the catalog's meaning)",
        cash.post(
          '/folders/SMMRPT/submissions',
          sd1('09999', { filename: 'SMM_09999_202206.xlsx', inputDate: '2022-06-15' }),
        ),
        422,
        '4505',
        /choose as Input Date 2022-06-30 \(Month-end: the last day of the month\)/,
      ],
      [
        'a filename without its date is not a 4505',
        cash.post('/folders/SD1/submissions', sd1('09999', { filename: 'SD_09999_final.csv' })),
        422,
        '4506',
        /carries no date where the folder's pattern SD_\{PID5\}_\{YYYYMMDD\}\.csv has one/,
      ],
      [
        'nothing is submitted to a download folder',
        cc.post('/folders/CSCMAP/submissions', sd1('09999', { filename: 'CSCMAP_20220512.csv' })),
        409,
        '4001',
        /download folder/,
      ],
      [
        'a folder not yet moved is submitted on legacy (D.27)',
        cash.post(
          '/folders/SD3/submissions',
          sd1('09999', { filename: 'SDJ_09999_202205.csv', inputDate: '2022-05-31' }),
        ),
        409,
        '3001',
        /submit it on legacy ECP/,
      ],
      [
        'a moved folder is submitted on ECP 2.0 (D.27)',
        legacy.post('/folders/SD1/submissions', sd1()),
        409,
        '3001',
        /submit it on ECP 2\.0/,
      ],
      [
        'a retired folder is refused on ECP 2.0 without sending anyone back to legacy',
        cash.post('/folders/SDPDF/submissions', sd1('09999', { filename: 'SDR_09999_20220512.pdf' })),
        409,
        '3003',
        /is retired: neither legacy ECP nor ECP 2\.0 takes it/,
      ],
      [
        '… and on legacy, without sending anyone to ECP 2.0',
        legacy.post('/folders/SDPDF/submissions', sd1('09999', { filename: 'SDR_09999_20220512.pdf' })),
        409,
        '3003',
        /is retired: neither legacy ECP nor ECP 2\.0 takes it/,
      ],
      [
        "the user is the session's: a body naming one is refused",
        cash.post('/folders/SD1/submissions', { ...sd1(), user: 'cash@08888.hk' }),
        400,
        'bad_request',
        /unknown field\(s\) 'user' in the body/,
      ],
      [
        'a NUL in the filename is a bad request, not a database error',
        cash.post('/folders/SD1/submissions', sd1('09999', { filename: 'SD_09999_20220512\u0000.csv' })),
        400,
        'bad_request',
        /filename must be 1-200 letters/,
      ],
      [
        'a date PostgreSQL cannot hold is a bad request',
        legacy.post(
          '/folders/SD3/submissions',
          sd1('09999', { filename: 'SDJ_09999_000001.csv', inputDate: '0000-01-01' }),
        ),
        400,
        'bad_request',
        /inputDate must be a date/,
      ],
      [
        'bad base64 is refused, never stored with the checksum of garbage',
        cash.post('/folders/SD1/submissions', sd1('09999', { contentBase64: 'not base64!' })),
        400,
        'bad_request',
        /contentBase64 must be the file in base64/,
      ],
      [
        'a body that is not UTF-8 is refused, not stored with replacement characters',
        fetch(`${base}/ecp2/folders/SD1/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${cash.token}`, 'content-type': 'application/json' },
          body: Buffer.concat([
            Buffer.from(
              '{"participant":"09999","filename":"SD_09999_20220512.csv","inputDate":"2022-05-12","contentBase64":"QQ==","x":"',
            ),
            Buffer.from([0xff, 0xfe]),
            Buffer.from('"}'),
          ]),
        }),
        400,
        'bad_request',
        /not valid UTF-8/,
      ],
    ];
    for (const [what, pending, status, code, message] of cases) {
      const r = await pending;
      const body = (await r.json()) as { code: string; message: string };
      expect([r.status, body.code], what).toEqual([status, code]);
      expect(body.message, what).toMatch(message);
    }
    expect(await stored()).toBe(before);
  });

  it('takes a good file, overwrites one of the same name (C.25), and shows its SHA-256 only to its own firm (C.26, B.14)', async () => {
    const first = await cash.post('/folders/SD1/submissions', sd1());
    expect(first.status).toBe(201);
    const again = await cash.post(
      '/folders/SD1/submissions',
      sd1('09999', { contentBase64: file('trade,stamp\n1,3\n') }),
    );
    const answer = (await again.json()) as { sha256: string; overwritten: boolean };
    expect(answer.overwritten).toBe(true);
    const own = await asJson<{ filename: string; sha256: string; content?: unknown }[]>(
      cash.get('/folders/SD1/submissions?participant=09999'),
    );
    expect(own.filter((s) => s.filename === 'SD_09999_20220512.csv')).toEqual([
      expect.objectContaining({ sha256: answer.sha256 }),
    ]);
    expect(own[0]).not.toHaveProperty('content');
    expect(
      await db('sim_ecp2.submissions').where({ filename: 'SD_09999_20220512.csv' }).first('user_email'),
    ).toEqual({ user_email: 'cash@09999.hk' });
    const other = await (await session('cash@08888.hk')).get('/folders/SD1/submissions?participant=09999');
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({
      code: '2003',
      message: expect.stringContaining('no activity is shown'),
    });
    expect((await cash.get('/folders/SD1/submissions?participant=09999&user=cash%4009999.hk')).status).toBe(
      400,
    );
    // The month-end of a monthly folder is its Input Date.
    expect(
      (
        await cash.post(
          '/folders/SMMRPT/submissions',
          sd1('09999', { filename: 'SMM_09999_202206.xlsx', inputDate: '2022-06-30' }),
        )
      ).status,
    ).toBe(201);
  });

  it('legacy keeps its own, looser rules: no Input Date check', async () => {
    const legacy = await session('cash@09999.hk', 'legacy');
    const r = await legacy.post(
      '/folders/SD3/submissions',
      sd1('09999', { filename: 'SDJ_09999_202205.csv', inputDate: '2021-01-01' }),
    );
    expect(r.status).toBe(201);
  });
});

describe('downloads (FAQ C.21, C.26)', () => {
  it("a download folder serves HKEX's files to users holding its function, each firm only its own and everyone's", async () => {
    const everyone = 'code,name\n600000,PF BANK\n';
    expect(
      await asJson(
        admin('PUT', '/ecp2/admin/folders/CSCMAP/files/CSCMAP_20220606.csv', {
          contentBase64: file(everyone),
        }),
      ),
    ).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: everyone.length, replaced: false });
    await admin('PUT', '/ecp2/admin/folders/CSCMAP/files/CSCMAP_09999_20220606.csv', {
      contentBase64: file('for 09999'),
      participant: '09999',
    });
    await admin('PUT', '/ecp2/admin/folders/CSCMAP/files/CSCMAP_08888_20220606.csv', {
      contentBase64: file('for 08888'),
      participant: '08888',
    });
    const cc = await session('cc@09999.hk');
    const files = await asJson<{ filename: string; sha256: string }[]>(cc.get('/folders/CSCMAP/files'));
    expect(files.map((f) => f.filename)).toEqual(['CSCMAP_09999_20220606.csv', 'CSCMAP_20220606.csv']);
    const got = await cc.get('/folders/CSCMAP/files/CSCMAP_20220606.csv');
    expect([got.status, got.headers.get('content-type'), await got.text()]).toEqual([
      200,
      'application/octet-stream',
      everyone,
    ]);
    expect(got.headers.get('x-checksum-sha256')).toBe(files[1].sha256);
    expect(await asJson(cc.get('/folders/CSCMAP/files/CSCMAP_08888_20220606.csv'))).toMatchObject({
      code: 'unknown_file',
    });
    // Without the folder's function the folder is not shown; on legacy, where it no longer is, neither.
    expect(await asJson(cash.get('/folders/CSCMAP/files'))).toMatchObject({ code: '2002' });
    const legacyCc = await session('cc@09999.hk', 'legacy');
    expect(await asJson(legacyCc.get('/folders/CSCMAP/files'))).toMatchObject({
      code: '3001',
      message: expect.stringContaining('it is on ECP 2.0'),
    });
    expect((await fetch(`${base}/ecp2/folders/CSCMAP/files/CSCMAP_20220606.csv`)).status).toBe(401);
  });

  it('nothing submitted is ever downloaded: a submission folder has no files (FAQ C.26)', async () => {
    expect((await cash.post('/folders/SD1/submissions', sd1())).status).toBe(201);
    for (const path of ['/folders/SD1/files', '/folders/SD1/files/SD_09999_20220512.csv']) {
      const r = await cash.get(path);
      expect([r.status, await r.json()], path).toEqual([
        409,
        {
          code: '4002',
          message: expect.stringMatching(
            /submitted files never are \(FAQ C\.26\): compare your file's SHA-256 with the one Activity Enquiry shows/,
          ),
        },
      ]);
    }
    expect(
      await asJson(admin('PUT', '/ecp2/admin/folders/SD1/files/x.csv', { contentBase64: file('x') })),
    ).toMatchObject({ code: '4002' });
    expect(
      await asJson(admin('PUT', '/ecp2/admin/folders/CSCMAP/files/x.csv', { contentBase64: 'not base64' })),
    ).toMatchObject({ code: 'bad_request' });
    expect(await db('sim_ecp2.downloads').where({ folder_code: 'SD1' })).toEqual([]);
  });
});

describe('the admin API', () => {
  it('Client Connect is read back through the admin API, one firm or a page of firms', async () => {
    const one = await asJson<{ users: { email: string; functions: string[] }[] }>(
      admin('GET', '/ecp2/admin/client-connect/08888'),
    );
    expect(one.users.map((u) => [u.email, u.functions])).toEqual([['cash@08888.hk', ['EU_ECPCASH']]]);
    const page = await asJson<{ participants: { code: string }[] }>(
      admin('GET', '/ecp2/admin/client-connect?after=08888&limit=5'),
    );
    expect(page.participants.map((p) => p.code)).toEqual(['09999']);
  });

  it('the admin and fault APIs need the credential the gateway holds', async () => {
    const routes = [
      ['GET', '/_faults'],
      ['PUT', '/_faults'],
      ['POST', '/ecp2/admin/folders/SD1/disable'],
      ['PUT', '/ecp2/admin/client-connect'],
      ['PUT', '/ecp2/admin/users/x@y.hk/functions'],
      ['POST', '/legacy/admin/decommission'],
      ['GET', '/ecp2/admin/credentials/cash%4009999.hk'],
      ['GET', '/legacy/admin/credentials/cash%4009999.hk'],
      ['POST', '/ecp2/admin/logins/cash%4009999.hk/unlock'],
      ['PUT', '/ecp2/admin/folders/CSCMAP/files/evil.csv'],
      ['GET', '/ecp2/admin/nowhere'],
      ['GET', '/ecp2/%61dmin/credentials/cash%4009999.hk'],
    ];
    for (const [method, path] of routes) {
      for (const authorization of [
        undefined,
        'Bearer wrong',
        `Bearer ${token}x`,
        token,
        `Bearer ${cash.token}`,
      ]) {
        const r = await fetch(base + path, {
          method,
          headers: authorization ? { authorization } : {},
          body: method === 'GET' ? undefined : '{}',
        });
        expect(r.status, `${method} ${path} with ${authorization ?? 'nothing'}`).toBe(401);
      }
    }
    expect((await db('sim_ecp2.folders').where({ code: 'SD1' }).first('intake')).intake).toBe('open');
  });
});

/** Every answer: a status below 500, a JSON body, and for a refusal {code, message} with nothing internal. */
async function wellFormed(r: Response, what: string) {
  expect(r.status, what).toBeLessThan(500);
  const text = await r.text();
  const body = JSON.parse(text) as { code?: string; message?: string };
  if (r.status >= 400) {
    expect(typeof body.code, what).toBe('string');
    expect(typeof body.message, what).toBe('string');
  }
  expect(text, what).not.toMatch(/\bselect\b|\binsert into\b|\bat \S+ \(|node_modules|knex|postgres|stack/i);
}

/** A request written byte by byte, for what fetch will not send; the answer must be a well-formed HTTP status line. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('error', () => resolve(got));
    socket.on('close', () => resolve(got));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

describe('the simulator does not fall over (fuzz)', () => {
  const hostileSegment = fc.oneof(
    fc.constantFrom(
      '',
      '%',
      '%zz',
      '%00',
      'a%00%40b.hk',
      '..',
      '%2e%2e',
      'SD1',
      'sd1',
      'CSCMAP',
      'SDPDF',
      'A'.repeat(17),
      'A'.repeat(5000),
      "SD1'%3B drop table folders%3B--",
      '漢字',
      '%E6%BC%A2',
      '__proto__',
      'constructor',
    ),
    fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
  );
  const valid = fc.constantFrom('legacy', 'ecp2');
  const folder = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('SD1', 'SD2', 'CSCMAP', 'SDPDF') },
    { weight: 2, arbitrary: hostileSegment },
  );
  const platform = fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 1, arbitrary: fc.constantFrom('LEGACY', 'ecp3', '') },
  );
  const query = fc.constantFrom(
    '',
    '?',
    '?participant=09999',
    '?participant=09999&user=cash%4009999.hk',
    '?participant=%',
    '?participant=0999%00',
    '?after=%&limit=-1',
    '?limit=1e9',
    '?%zz=%zz',
    '?after=1&limit=0',
  );
  // Every route's shape, mostly with its own method, with hostile parts in it; and random paths besides.
  const target = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom('POST', 'POST', 'GET'), platform, folder, query)
        .map(([m, p, c, q]) => [m, `/${p}/folders/${c}/submissions${q}`]),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('POST', 'POST', 'GET'),
          platform,
          fc.constantFrom('login', 'logout', 'folders', 'folders/'),
        )
        .map(([m, p, r]) => [m, `/${p}/${r}`]),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('GET', 'GET', 'PUT'),
          platform,
          folder,
          fc.oneof(
            fc.constant(''),
            fc.constant('/CSCMAP_20220606.csv'),
            hostileSegment.map((n) => '/' + n),
          ),
        )
        .map(([m, p, c, n]) => [
          m,
          m === 'PUT' ? `/${p}/admin/folders/${c}/files${n || '/x.csv'}` : `/${p}/folders/${c}/files${n}`,
        ]),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom('POST', 'GET'),
          platform,
          folder,
          fc.constantFrom(
            '',
            'freeze',
            'unfreeze',
            'enable',
            'disable',
            'probe',
            'handover',
            'handback',
            'retire',
            'explode',
          ),
        )
        .map(([m, p, c, a]) => [m, `/${p}/admin/folders/${c}${a ? '/' + a : ''}`]),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('GET', 'PUT'),
          platform,
          fc.oneof(
            fc.constant(''),
            hostileSegment.map((c) => '/' + c),
          ),
          query,
        )
        .map(([m, p, c, q]) => [m, `/${p}/admin/client-connect${c}${q}`]),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('PUT', 'GET'), hostileSegment)
        .map(([m, e]) => [m, `/ecp2/admin/users/${e}/functions`]),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('GET', 'POST'),
          platform,
          fc.oneof(fc.constant('cash%4009999.hk'), hostileSegment),
          fc.constantFrom('credentials/', 'logins/'),
        )
        .map(([m, p, e, r]) => [
          m,
          r === 'logins/' ? `/${p}/admin/logins/${e}/unlock` : `/${p}/admin/credentials/${e}`,
        ]),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
          fc.constantFrom('/legacy', '/ecp2', '', '/_faults', '//', '/healthz'),
          fc.array(hostileSegment, { maxLength: 6 }),
          query,
        )
        .map(([m, root, segments, q]) => [m, `${root}/${segments.join('/')}${q}`]),
    },
  );
  const body = fc.oneof(
    { depthSize: 'small' },
    fc.constant(undefined),
    fc.constantFrom(
      '{',
      'null',
      '[]',
      '"x"',
      '1e999',
      '{"__proto__":{"polluted":true}}',
      '{"participant":"09999","user":"cash@09999.hk","filename":"SD_09999_20220512.csv","inputDate":"2022-02-30","contentBase64":"QQ=="}',
      '{"functions":["EU_ECPCASH","x".repeat(9)]}',
      '{"participants":[{"code":"00001","users":[{"email":"x","role":"root"}]}]}',
    ),
    fc.json({ maxDepth: 4 }),
    fc
      .record({
        participant: fc.oneof(fc.string(), fc.integer(), fc.constant('09999')),
        user: fc.oneof(fc.string(), fc.constant('cash@09999.hk')),
        filename: fc.oneof(fc.string({ maxLength: 300 }), fc.constant('SD_09999_20220512.csv')),
        inputDate: fc.oneof(fc.string(), fc.constant('2022-05-12')),
        contentBase64: fc.oneof(fc.base64String(), fc.string()),
      })
      .map((o) => JSON.stringify(o)),
    // Nearly right submissions: one field at a time goes wrong.
    {
      weight: 4,
      arbitrary: fc
        .record(
          {
            participant: fc.constantFrom('09999', '08888', '00000'),
            filename: fc.constantFrom(
              'SD_09999_20220512.csv',
              'SD_09999_final.csv',
              'CSCMAP_20220512.csv',
              'SDA_09999_20220512.csv',
              'SDA_09999_00000101.csv',
              'SD_09999_2022\u00000512.csv',
              'SD_09999_\u001b[2J.csv',
            ),
            inputDate: fc.constantFrom('2022-05-12', '2022-05-13', '0000-01-01'),
            contentBase64: fc.oneof(
              {
                weight: 4,
                arbitrary: fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString('base64')),
              },
              { weight: 1, arbitrary: fc.base64String({ maxLength: 40 }) },
              { weight: 1, arbitrary: fc.constantFrom('QQ', 'Q===', '====', 'QQ==\n', '\u0000QQ==') },
            ),
          },
          { requiredKeys: ['participant', 'filename', 'inputDate', 'contentBase64'] },
        )
        .map((o) => JSON.stringify(o)),
    },
    // Logins: nearly right, and hostile.
    {
      weight: 2,
      arbitrary: fc
        .record({
          loginId: fc.oneof(
            fc.constantFrom('cash@09999.hk', 'L000001', 'nobody@x.hk', '', 'a\u0000b', 'x'.repeat(300)),
            fc.string(),
          ),
          password: fc.oneof(fc.string(), fc.constant('\u0000')),
          otp: fc.oneof(fc.constantFrom('123456', '12345', '1234567', 'abcdef', ''), fc.string()),
        })
        .map((o) => JSON.stringify(o)),
    },
    fc
      .record({
        participants: fc.array(
          fc.record({
            code: fc.oneof(fc.string(), fc.constant('07777')),
            users: fc.array(
              fc.record({
                email: fc.oneof(fc.string(), fc.emailAddress()),
                role: fc.constantFrom('admin', 'operator', 'root', 1),
                functions: fc.array(fc.string()),
              }),
              { maxLength: 3 },
            ),
          }),
          { maxLength: 3 },
        ),
      })
      .map((o) => JSON.stringify(o)),
  );
  // Bodies fetch would send as they are: not UTF-8, a NUL, a lone surrogate escaped, deep nesting.
  const bytes = fc.constantFrom(
    Buffer.from([0x7b, 0x22, 0x70, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    Buffer.from('{"participant":"09999\u0000"}'),
    Buffer.from('{"filename":"\\ud800.csv"}'),
    Buffer.from('['.repeat(5000) + ']'.repeat(5000)),
    Buffer.from(
      '{"participant":"09999","filename":"SD_09999_20220512.csv","inputDate":"2022-05-12","contentBase64":"' +
        'A'.repeat(4096) +
        '"}',
    ),
  );
  const credential = fc.oneof(
    { weight: 3, arbitrary: fc.constant<'admin' | 'session' | 'none'>('session') },
    { weight: 2, arbitrary: fc.constant<'admin' | 'session' | 'none'>('admin') },
    { weight: 1, arbitrary: fc.constant<'admin' | 'session' | 'none'>('none') },
  );
  const request = fc.record({
    target,
    body: fc.oneof({ weight: 9, arbitrary: body }, { weight: 1, arbitrary: bytes }),
    credential,
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', '', 'application/json; charset=latin1') },
    ),
  });

  it('hundreds of random and hostile requests: every answer well-formed, the process alive and still serving', async () => {
    const seen = new Map<number, number>();
    const legacy = await session('cash@09999.hk', 'legacy');
    await fc.assert(
      fc.asyncProperty(request, async ({ target: [method, path], body: payload, credential, type }) => {
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (credential === 'admin') headers.authorization = `Bearer ${token}`;
        // (Never the real sessions to a logout: the rest of the run needs them.)
        if (credential === 'session')
          headers.authorization = `Bearer ${/logout/.test(path) ? randomBytes(32).toString('base64url') : path.startsWith('/legacy') ? legacy.token : cash.token}`;
        const r = await fetch(base + path, {
          method,
          headers,
          body: method === 'GET' || payload === undefined ? undefined : payload,
        });
        seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        await wellFormed(r, `${method} ${path.slice(0, 80)} ${String(payload).slice(0, 80)}`);
      }),
      { numRuns: 800, seed: 17 },
    );
    // The requests reached every kind of answer, not only the router's 404.
    for (const status of [200, 400, 401, 404, 409])
      expect(seen.get(status) ?? 0, `answers ${status} (${JSON.stringify([...seen])})`).toBeGreaterThan(0);
    expect(
      (seen.get(201) ?? 0) + (seen.get(403) ?? 0) + (seen.get(422) ?? 0),
      `past validation to the platforms' rules (${JSON.stringify([...seen])})`,
    ).toBeGreaterThan(0);
    // What fetch will not send: a bad request line, a header too long, a body longer than declared, a body over the cap.
    for (const bytes of [
      'GET // HTTP/1.1\r\nHost: x\r\n\r\n',
      'GARBAGE\r\n\r\n',
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      'POST /ecp2/folders/SD1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"partial":',
      'POST /ecp2/folders/SD1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{}',
    ]) {
      const answer = await raw(bytes);
      if (answer) expect(answer, bytes.slice(0, 60)).toMatch(/^HTTP\/1\.1 4\d\d /);
    }
    // A body streamed without a length, past the cap: refused once it passes it (the answer comes while we still write).
    const uploader = await session('cash@09999.hk'); // the fuzz may have logged the first session out
    const big = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        `${base}/ecp2/folders/SD1/submissions`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${uploader.token}` },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', () => undefined); // the server closes the connection once it has answered
      setTimeout(() => reject(new Error('no answer to a 30 MiB body')), 20_000);
      const chunk = Buffer.alloc(1024 * 1024, 'A');
      let sent = 0;
      const pump = () => {
        while (sent < 30 && req.write(chunk)) sent++;
        if (sent < 30) req.once('drain', () => (sent++, pump()));
        else req.end();
      };
      pump();
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toMatchObject({ code: 'too_large' });
    expect(exited).toBeNull();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
