import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Client } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpGateway } from '../../platform/http-gateway';
import { startSimulator } from '../../simulator/server';
import { newHostKey } from '../../simulator/sftp/server';
import { createReadinessStore } from '../../stores/readiness-store';
import { runCli } from '../support/cli';
import { freshDatabase } from '../support/db';
import { newKey, sftpBatch, workDir } from '../support/openssh';
import { credentialsOf, logInAs, participant } from '../support/participant';

// ECP 2.0's SFTP channel as a participant meets it: the system's OpenSSH `sftp`, a key made with ssh-keygen and
// registered with `ecp-cutover simulator sftp-key`, against the simulator with its SFTP server.
const { db } = await freshDatabase();
const token = randomBytes(24).toString('hex');
const sim = await startSimulator({
  db,
  adminToken: token,
  processingDelayMs: 50,
  sftp: { hostKey: newHostKey() },
});
afterAll(() => sim.close());
const port = sim.sftp!.port;
const dir = workDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const admin = (method: string, p: string, body?: unknown) =>
  fetch(sim.url + p, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const cliEnv = { SIMULATOR_URL: sim.url, SIMULATOR_ADMIN_TOKEN: token, SIMULATOR_SFTP_PORT: String(port) };

// SD1 and the monthly SMMRPT moved to ECP 2.0; the download folder CSCMAP is there with one file for everyone.
for (const f of ['SD1', 'SMMRPT', 'CSCMAP']) {
  await admin('POST', `/ecp2/admin/folders/${f}/enable`);
  await admin('POST', `/legacy/admin/folders/${f}/disable`);
}
const MAPPING = 'code,name\n600000,PF BANK\n';
await admin('PUT', '/ecp2/admin/folders/CSCMAP/files/CSCMAP_20220606.csv', {
  contentBase64: Buffer.from(MAPPING).toString('base64'),
});
const user = (email: string, functions: string[]) => ({
  email,
  role: 'operator',
  functions,
  sftpKeyRegistered: false,
  ipRegistered: false,
});
await createHttpGateway(sim.url, token).loadClientConnect([
  {
    code: '09999',
    users: [
      user('robot@09999.hk', ['EU_ECPSFTP', 'EU_ECPCASH']),
      user('only@09999.hk', ['EU_ECPSFTP']),
      user('cc@09999.hk', ['EU_ECPSFTP', 'EU_ECPCC']),
      user('web@09999.hk', ['EU_ECPCASH']),
      user('both@09999.hk', ['EU_ECPSFTP', 'EU_ECPCASH']),
      user('locked@09999.hk', ['EU_ECPSFTP', 'EU_ECPCASH']),
    ],
  },
  { code: '08888', users: [user('both@09999.hk', ['EU_ECPSFTP', 'EU_ECPCASH'])] },
] as never);

const keys = Object.fromEntries(
  await Promise.all(
    ['robot', 'only', 'cc', 'web', 'both', 'locked', 'stranger'].map(
      async (n) => [n, await newKey(dir, n)] as const,
    ),
  ),
);
const register = (email: string, key: string, ip?: string) =>
  runCli(['simulator', 'sftp-key', email, '--public-key', key, ...(ip ? ['--ip', ip] : [])], cliEnv);
for (const n of ['only', 'cc', 'web', 'both', 'locked']) {
  const r = await register(`${n}@09999.hk`, keys[n].publicKey);
  expect([r.code, r.stderr]).toEqual([0, '']);
}
const local = (name: string, text: string) => (
  fs.writeFileSync(path.join(dir, name), text),
  path.join(dir, name)
);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const as = (name: string, commands: string[], extra: { bindAddress?: string; key?: string } = {}) =>
  sftpBatch({
    port,
    user: `${name}@09999.hk`,
    key: extra.key ?? keys[name].privateKey,
    commands,
    dir,
    bindAddress: extra.bindAddress,
  });

describe("ECP 2.0's SFTP (FAQ C.21–C.22), with OpenSSH's sftp", () => {
  it('`simulator sftp-key` registers a key and an address (127.0.0.1 unless told), refusing what is not one', async () => {
    const r = await register('robot@09999.hk', keys.robot.publicKey);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(
      /^registered ssh-ed25519 key SHA256:[A-Za-z0-9+/]{43} for robot@09999\.hk, from 127\.0\.0\.1\n/,
    );
    for (const [args, message] of [
      [
        ['robot@09999.hk', '--public-key', keys.robot.privateKey],
        /publicKey is a private key: never send it anywhere; register the \.pub file/,
      ],
      [
        ['robot@09999.hk', '--public-key', '/nonexistent.pub'],
        /--public-key \/nonexistent\.pub is not a file/,
      ],
      [
        ['robot@09999.hk', '--public-key', keys.robot.publicKey, '--ip', '999.1.1.1'],
        /--ip '999\.1\.1\.1' is not an IP address/,
      ],
      [
        ['nobody@09999.hk', '--public-key', keys.robot.publicKey],
        /nobody@09999\.hk is not a Client Connect user/,
      ],
    ] as const) {
      const bad = await runCli(['simulator', 'sftp-key', ...args], cliEnv);
      expect([bad.code, bad.stdout], args.join(' ')).toEqual([2, '']);
      expect(bad.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(bad.stderr, args.join(' ')).toMatch(message);
    }
    expect(
      await db('sim_ecp2.sftp_keys').where({ email: 'robot@09999.hk' }).count({ n: '*' }).first(),
    ).toEqual({ n: 1 });
    // Client Connect now reports the key and the address as registered (what readiness reads).
    const firm = (await (await admin('GET', '/ecp2/admin/client-connect/09999')).json()) as {
      users: { email: string; sftpKeyRegistered: boolean; ipRegistered: boolean }[];
    };
    expect(firm.users.find((u) => u.email === 'robot@09999.hk')).toMatchObject({
      sftpKeyRegistered: true,
      ipRegistered: true,
    });
  });

  it("one directory per folder the user sees; a put is a submission under the web's rules, its Input Date read from the filename", async () => {
    const file = local('SD_09999_20220512.csv', 'trade,stamp\n1,2\n');
    const run = await as('robot', ['ls -1 /', `put ${file} /SD1/`, 'ls -1 /SD1', 'ls -1 /SD1/09999']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // OpenSSH prints the paths of `ls PATH` as PATH/NAME.
    expect(run.stdout).toMatch(/sftp> ls -1 \/\n\/SD1\n\/SMMRPT\nsftp> /);
    expect(run.stdout).not.toMatch(/^\/CSCMAP$/m); // EU_ECPCC's folder
    expect(run.stdout).not.toMatch(/^\/SD2$/m); // not moved: not on ECP 2.0
    expect(run.stdout).toMatch(/sftp> ls -1 \/SD1\n\/SD1\/09999\n/);
    expect(run.stdout).toMatch(/sftp> ls -1 \/SD1\/09999\n\/SD1\/09999\/SD_09999_20220512\.csv\n/);
    expect(
      await db('sim_ecp2.submissions')
        .where({ folder_code: 'SD1', filename: 'SD_09999_20220512.csv' })
        .first('participant', 'user_email', 'sha256'),
    ).toEqual({ participant: '09999', user_email: 'robot@09999.hk', sha256: sha('trade,stamp\n1,2\n') });
    const stored = await db('sim_ecp2.submissions')
      .where({ filename: 'SD_09999_20220512.csv' })
      .first('input_date');
    expect(stored.input_date.toISOString().slice(0, 10)).toBe('2022-05-12');
    // The same file again overwrites it (FAQ C.25); Activity Enquiry on the web shows its checksum (C.26).
    fs.writeFileSync(file, 'trade,stamp\n1,3\n');
    expect((await as('robot', [`put ${file} /SD1/09999/`])).code).toBe(0);
    const web = await participant(sim.url, token, 'robot@09999.hk');
    const activity = (await (await web.get('/folders/SD1/submissions?participant=09999')).json()) as {
      filename: string;
      sha256: string;
    }[];
    expect(activity).toEqual([
      expect.objectContaining({ filename: 'SD_09999_20220512.csv', sha256: sha('trade,stamp\n1,3\n') }),
    ]);
    // A monthly folder's file: its Input Date is the month-end (the catalog's meaning).
    expect((await as('robot', [`put ${local('SMM_09999_202206.xlsx', 'monthly')} /SMMRPT/`])).code).toBe(0);
    expect(
      (
        await db('sim_ecp2.submissions').where({ filename: 'SMM_09999_202206.xlsx' }).first('input_date')
      ).input_date
        .toISOString()
        .slice(0, 10),
    ).toBe('2022-06-30');
  });

  it('a file the rules refuse fails the put and stores nothing; a submitted file is never fetched (FAQ C.26)', async () => {
    const before = await db('sim_ecp2.submissions').count({ n: '*' }).first();
    // OpenSSH's sftp shows only the status ("Failure"); the platform's words are in it for clients that show them (below).
    const undated = await as('robot', [`put ${local('SD_09999_final.csv', 'x')} /SD1/`]);
    expect([undated.code, undated.stderr]).toEqual([1, 'close remote: Failure\r\n']);
    expect(
      await db('sim_ecp2.intake_log').where({ filename: 'SD_09999_final.csv' }).first('accepted', 'code'),
    ).toEqual({ accepted: false, code: '4506' });
    const forOther = await as('robot', [`put ${local('SD_08888_20220512.csv', 'x')} /SD1/08888/`]);
    expect(forOther.code).not.toBe(0);
    const fetched = await as('robot', [
      `get /SD1/09999/SD_09999_20220512.csv ${path.join(dir, 'stolen.csv')}`,
    ]);
    expect(fetched.code).not.toBe(0);
    expect(fetched.stderr).toMatch(/Permission denied/);
    expect(fs.existsSync(path.join(dir, 'stolen.csv'))).toBe(false);
    for (const cmd of [
      'rm /SD1/09999/SD_09999_20220512.csv',
      'mkdir /SD1/x',
      `rename /SD1/09999/SD_09999_20220512.csv /SD1/09999/y.csv`,
    ]) {
      expect((await as('robot', [cmd])).code, cmd).not.toBe(0);
    }
    expect(await db('sim_ecp2.submissions').count({ n: '*' }).first()).toEqual(before);
  });

  it("downloads HKEX's files from a download folder the user's functions show", async () => {
    const got = path.join(dir, 'mapping.csv');
    const run = await as('cc', ['ls -1 /', 'ls -1 /CSCMAP', `get /CSCMAP/CSCMAP_20220606.csv ${got}`]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/sftp> ls -1 \/CSCMAP\n\/CSCMAP\/CSCMAP_20220606\.csv\n/);
    expect(fs.readFileSync(got, 'utf8')).toBe(MAPPING);
    expect(
      (await as('robot', [`get /CSCMAP/CSCMAP_20220606.csv ${path.join(dir, 'no.csv')}`])).code,
    ).not.toBe(0);
  });

  it("logs in only with the same user's registered key, from their registered address, holding EU_ECPSFTP, not locked", async () => {
    const refused = async (what: string, run: Promise<{ code: number; stderr: string }>) => {
      const r = await run;
      expect(r.code, what).not.toBe(0);
      expect(r.stderr, what).toMatch(/Permission denied \(publickey\)/);
    };
    await refused('from an address not registered', as('robot', ['ls /'], { bindAddress: '127.0.0.2' }));
    await refused('a key nobody registered', as('robot', ['ls /'], { key: keys.stranger.privateKey }));
    await refused("another user's registered key", as('robot', ['ls /'], { key: keys.cc.privateKey }));
    await refused('no EU_ECPSFTP (FAQ B.6)', as('web', ['ls /']));
    await refused(
      'a user unknown to Client Connect',
      sftpBatch({ port, user: 'nobody@09999.hk', key: keys.robot.privateKey, commands: ['ls /'], dir }),
    );
    // Registering the second address lets the same key in from there.
    expect((await register('robot@09999.hk', keys.robot.publicKey, '127.0.0.2')).code).toBe(0);
    expect((await as('robot', ['ls /'], { bindAddress: '127.0.0.2' })).code).toBe(0);
    // A locked Client Connect login opens no SFTP either (FAQ A.15).
    const creds = await credentialsOf(sim.url, token, 'locked@09999.hk');
    for (let i = 0; i < 5; i++) {
      await fetch(`${sim.url}/ecp2/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ loginId: creds.loginId, password: 'wrong', otp: '000000' }),
      });
    }
    expect((await logInAs(sim.url, creds)).status).toBe(423);
    await refused('a locked login', as('locked', ['ls /']));
  });

  it('an SFTP-only user (EU_ECPSFTP alone) cannot enter the web (FAQ B.6) but logs in by SFTP, where their functions show no folder', async () => {
    const web = await logInAs(sim.url, await credentialsOf(sim.url, token, 'only@09999.hk'));
    expect([web.status, ((await web.json()) as { code: string }).code]).toEqual([403, '2000']);
    const run = await as('only', ['pwd', 'ls -1 /']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/Remote working directory: \/\nsftp> ls -1 \/\n$/);
    // Given a folder's function, the same user sees its directory over SFTP (and may now enter the web too: it is
    // EU_ECPSFTP alone that does not open it, FAQ B.6).
    await admin('PUT', '/ecp2/admin/users/only%4009999.hk/functions', {
      functions: ['EU_ECPSFTP', 'EU_ECPCASH'],
    });
    expect((await as('only', ['ls -1 /'])).stdout).toMatch(/^\/SD1$/m);
  });

  it('a user of two firms names the firm: its directory (FAQ B.14)', async () => {
    const name = local('SD_08888_20220513.csv', 'for 08888');
    const straight = await as('both', [`put ${name} /SD1/`]);
    expect(straight.code).not.toBe(0);
    const run = await as('both', ['ls -1 /SD1', `put ${name} /SD1/08888/`]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/sftp> ls -1 \/SD1\n\/SD1\/08888\n\/SD1\/09999\n/);
    expect(
      await db('sim_ecp2.submissions').where({ filename: 'SD_08888_20220513.csv' }).first('participant'),
    ).toEqual({ participant: '08888' });
  });

  it('a folder that moves back to legacy leaves the SFTP tree at once', async () => {
    await admin('POST', '/ecp2/admin/folders/SMMRPT/disable');
    const run = await as('robot', ['ls -1 /']);
    expect(run.stdout).not.toMatch(/^\/SMMRPT$/m);
    expect((await as('robot', [`put ${local('SMM_09999_202207.xlsx', 'x')} /SMMRPT/`])).code).not.toBe(0);
    await admin('POST', '/ecp2/admin/folders/SMMRPT/enable');
  });
});

describe("the refusal's words reach an SFTP client that shows them (ssh2's)", () => {
  it('the status message of a refused put carries the platform code and what to do; no shell, no exec', async () => {
    const client = new Client();
    await new Promise<void>((resolve, reject) =>
      client
        .on('ready', resolve)
        .on('error', reject)
        .connect({
          host: '127.0.0.1',
          port,
          username: 'robot@09999.hk',
          privateKey: fs.readFileSync(keys.robot.privateKey),
        }),
    );
    try {
      const sftp = await new Promise<import('ssh2').SFTPWrapper>((resolve, reject) =>
        client.sftp((err, s) => (err ? reject(err) : resolve(s))),
      );
      const message = await new Promise<string>((resolve) => {
        sftp.writeFile('/SD1/SD_09999_nodate.csv', 'x', (err) => resolve(err ? err.message : 'accepted'));
      });
      expect(message).toMatch(
        /^4506: filename SD_09999_nodate\.csv carries no date where the folder's pattern SD_\{PID5\}_\{YYYYMMDD\}\.csv has one; nothing was stored/,
      );
      const exec = await new Promise<string>((resolve) =>
        client.exec('id', (err) => resolve(err ? err.message : 'ran')),
      );
      expect(exec).not.toBe('ran');
    } finally {
      client.end();
    }
  });
});

describe('the SFTP server does not fall over (fuzz)', () => {
  it('hostile paths, flags, offsets and handles: every request answered, the server still serving', async () => {
    const client = new Client();
    await new Promise<void>((resolve, reject) =>
      client
        .on('ready', resolve)
        .on('error', reject)
        .connect({
          host: '127.0.0.1',
          port,
          username: 'robot@09999.hk',
          privateKey: fs.readFileSync(keys.robot.privateKey),
        }),
    );
    try {
      const sftp = await new Promise<import('ssh2').SFTPWrapper>((resolve, reject) =>
        client.sftp((err, s) => (err ? reject(err) : resolve(s))),
      );
      const answered = <T>(call: (done: (err: Error | null | undefined, value?: T) => void) => void) =>
        new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no answer')), 10_000);
          call((err) => (clearTimeout(timer), resolve(err ? 'refused' : 'ok')));
        });
      const path = fc.oneof(
        fc.constantFrom(
          '/',
          '/SD1',
          '/SD1/09999',
          '/SD1/09999/SD_09999_20220512.csv',
          '/CSCMAP/CSCMAP_20220606.csv',
          '/../../etc/passwd',
          '/SD1/../SD1/./09999',
          '/SD1/09999/a\u0000b.csv',
          '/SD1/\u001b[2J',
          '/漢字',
          '/' + 'A'.repeat(5000),
          '',
        ),
        fc.string({ maxLength: 80 }),
      );
      const handle = fc.oneof(
        fc.constant(Buffer.alloc(0)),
        fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
        fc.constant(Buffer.from([0, 0, 0, 1])),
      );
      const op = fc.oneof(
        path.map((p) => ['stat', (d: (e: Error | null | undefined) => void) => sftp.stat(p, d)] as const),
        path.map(
          (p) => ['readdir', (d: (e: Error | null | undefined) => void) => sftp.readdir(p, d)] as const,
        ),
        fc
          .tuple(path, fc.constantFrom('r', 'w', 'a', 'wx', 'r+'))
          .map(
            ([p, f]) =>
              [
                'open',
                (d: (e: Error | null | undefined) => void) =>
                  sftp.open(p, f, (err, h) => (err ? d(err) : sftp.close(h, d))),
              ] as const,
          ),
        fc
          .tuple(handle, fc.nat({ max: 2 ** 40 }), fc.uint8Array({ maxLength: 64 }))
          .map(
            ([h, off, data]) =>
              [
                'write',
                (d: (e: Error | null | undefined) => void) =>
                  sftp.write(h, Buffer.from(data), 0, data.length, off, d),
              ] as const,
          ),
        fc
          .tuple(handle, fc.nat({ max: 2 ** 40 }))
          .map(
            ([h, off]) =>
              [
                'read',
                (d: (e: Error | null | undefined) => void) => sftp.read(h, Buffer.alloc(16), 0, 16, off, d),
              ] as const,
          ),
        handle.map((h) => ['close', (d: (e: Error | null | undefined) => void) => sftp.close(h, d)] as const),
        fc
          .tuple(path, path)
          .map(
            ([a, b]) =>
              ['rename', (d: (e: Error | null | undefined) => void) => sftp.rename(a, b, d)] as const,
          ),
        path.map((p) => ['mkdir', (d: (e: Error | null | undefined) => void) => sftp.mkdir(p, d)] as const),
      );
      await fc.assert(
        fc.asyncProperty(op, async ([, call]) => void (await answered(call))),
        { numRuns: 300, seed: 23 },
      );
      // A write far past the largest file is refused, not buffered.
      const big = await new Promise<string>((resolve) =>
        sftp.open('/SD1/09999/SD_09999_20220514.csv', 'w', (err, h) => {
          if (err) return resolve('open refused');
          sftp.write(h, Buffer.from('x'), 0, 1, 2 ** 40, (e) =>
            sftp.close(h, () => resolve(e ? 'refused' : 'accepted')),
          );
        }),
      );
      expect(big).toBe('refused');
      expect(await answered((d) => sftp.readdir('/', d))).toBe('ok');
    } finally {
      client.end();
    }
    expect((await as('robot', ['ls -1 /'])).code).toBe(0);
  });
});

describe('readiness counts SFTP only for one user holding the key, the address and the folder function', () => {
  it('a firm that chose SFTP for SD1 is ready only once the same user can submit it that way', async () => {
    await db('folders').insert({
      code: 'SD1',
      name_en: 'SD1',
      name_zh: 'SD1',
      market: 'Cash',
      direction: 'submit',
      user_types: ['SEHK_EP'],
      cc_function: 'EU_ECPCASH',
      filename_pattern: 'SD_{PID5}_{YYYYMMDD}.csv',
      placement: 'live',
    });
    await db('participants').insert({
      code: '07777',
      name_en: 'SFTP Firm',
      user_types: ['SEHK_EP'],
      emails: ['ops@07777.hk'],
    });
    await db('participant_sftp_folders').insert({ participant_code: '07777', folder_code: 'SD1' });
    await createHttpGateway(sim.url, token).loadClientConnect([
      {
        code: '07777',
        users: [user('web@07777.hk', ['EU_ECPCASH']), user('robot@07777.hk', ['EU_ECPSFTP'])],
      } as never,
    ]);
    const key = await newKey(dir, 'robot07777');
    expect((await register('robot@07777.hk', key.publicKey)).code).toBe(0);
    const ready = async () => {
      const readiness = createReadinessStore(db, createHttpGateway(sim.url, token));
      const { users } = await readiness.users();
      return (await readiness.ofFolders(['SD1'], users, { list: 5 })).folders[0];
    };
    // The key and address are robot's, the function web's: nobody can put SD1 by SFTP, and readiness says so.
    expect(await ready()).toMatchObject({
      ready: 0,
      notReadyFirms: [
        {
          participant: '07777',
          missing: expect.stringMatching(
            /no single user holds EU_ECPSFTP and EU_ECPCASH with a registered key and IP/,
          ),
        },
      ],
    });
    const robot = { port, user: 'robot@07777.hk', key: key.privateKey, dir };
    expect((await sftpBatch({ ...robot, commands: ['ls -1 /'] })).stdout).not.toMatch(/^\/SD1$/m);
    await admin('PUT', '/ecp2/admin/users/robot%4007777.hk/functions', {
      functions: ['EU_ECPSFTP', 'EU_ECPCASH'],
    });
    expect(await ready()).toMatchObject({ ready: 1, notReady: 0 });
    expect(
      (await sftpBatch({ ...robot, commands: [`put ${local('SD_07777_20220512.csv', 'x')} /SD1/`] })).code,
    ).toBe(0);
  });
});
