import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { seedCatalog } from '../../db/seed';
import { freePort } from '../../dev/process';
import { freshDatabase } from '../support/db';

// The simulator as it runs in the dev stack and in the drills: its own process (`ecp-cutover simulator`),
// so that a crash shows as a dead process rather than a failed test worker.
const { db, url } = await freshDatabase();
await seedCatalog(db);
const token = randomBytes(24).toString('hex');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const BIN = fileURLToPath(new URL('../../bin/ecp-cutover.mjs', import.meta.url));
const child: ChildProcess = spawn(process.execPath, [BIN, 'simulator', '--port', String(port), '--processing-delay', '50'], {
  env: { ...process.env, DATABASE_URL: url, SIMULATOR_URL: base, SIMULATOR_ADMIN_TOKEN: token, LISTEN_HOST: '127.0.0.1' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let exited: number | null = null;
let stderr = '';
child.on('exit', (code) => (exited = code ?? -1));
child.stderr!.on('data', (d) => (stderr += d));
afterAll(() => void child.kill('SIGTERM'));
await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`simulator did not start: ${stderr}`)), 20_000);
  child.stdout!.on('data', (d) => String(d).includes('platform simulator on') && (clearTimeout(timer), resolve()));
});

const admin = (method: string, path: string, body?: unknown) =>
  fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const submit = (platform: string, folder: string, body: Record<string, unknown>) =>
  fetch(`${base}/${platform}/folders/${folder}/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// ECP 2.0 takes SD1 (a cash folder, EU_ECPCASH) and has the download folder CSCMAP; legacy still takes SD2;
// SDPDF is retired.
for (const f of ['SD1', 'CSCMAP']) expect((await admin('POST', `/ecp2/admin/folders/${f}/enable`)).status).toBe(200);
expect((await admin('POST', '/legacy/admin/folders/SDPDF/retire')).status).toBe(200);
// Client Connect: firm 09999 with an administrator (no ECP function), a cash operator, an SFTP-only operator and
// a China Connect operator; firm 08888 with its own cash operator.
const user = (email: string, role: 'admin' | 'operator', functions: string[]) => ({ email, role, functions, sftpKeyRegistered: false, ipRegistered: false });
expect((await admin('PUT', '/ecp2/admin/client-connect', {
  participants: [
    { code: '09999', users: [user('admin@09999.hk', 'admin', []), user('cash@09999.hk', 'operator', ['EU_ECPCASH']), user('sftp@09999.hk', 'operator', ['EU_ECPSFTP']), user('cc@09999.hk', 'operator', ['EU_ECPCC'])] },
    { code: '08888', users: [user('cash@08888.hk', 'operator', ['EU_ECPCASH'])] },
  ],
})).status).toBe(200);

const file = (text: string) => Buffer.from(text).toString('base64');
const sd1 = (who: string, participant = '09999', extra: Record<string, unknown> = {}) =>
  ({ participant, user: who, filename: `SD_${participant}_20220512.csv`, inputDate: '2022-05-12', contentBase64: file('trade,stamp\n1,2\n'), ...extra });
const stored = async () => Number((await db('sim_ecp2.submissions').count({ n: '*' }).first())?.n);

describe('the simulated ECP 2.0 applies the FAQ to participants (HTTP)', () => {
  it('refuses each case with its code and a message that says what to do, and stores nothing', async () => {
    const before = await stored();
    const cases: [string, Promise<Response>, number, string, RegExp][] = [
      ['an SFTP-only user enters nowhere (B.5, B.6)', submit('ecp2', 'SD1', sd1('sftp@09999.hk')), 403, '2000', /EU_ECPSFTP alone gives SFTP only.*grants an ECP function in Client Connect/],
      ['an administrator with no ECP function (B.5)', submit('ecp2', 'SD1', sd1('admin@09999.hk')), 403, '2000', /holds no ECP function for the web/],
      ['a user whose functions do not cover the folder does not see it (B.7)', submit('ecp2', 'SD1', sd1('cc@09999.hk')), 403, '2002', /folder SD1 is not shown to user cc@09999\.hk: it needs EU_ECPCASH/],
      ['a user submits only for their own firm (B.14)', submit('ecp2', 'SD1', sd1('cash@08888.hk')), 403, '2003', /not a user of participant 09999.*\(08888\)/],
      ['a user unknown to Client Connect', submit('ecp2', 'SD1', sd1('nobody@09999.hk')), 403, '2000', /holds no ECP function/],
      ['the Input Date must be the trade date in the filename (C.23, C.24)', submit('ecp2', 'SD1', sd1('cash@09999.hk', '09999', { inputDate: '2022-05-13' })), 422, '4505', /Input Date 2022-05-13 does not match 20220512.*Trade date \(T\)/],
      ['a filename without its date is not a 4505', submit('ecp2', 'SD1', sd1('cash@09999.hk', '09999', { filename: 'SD_09999_final.csv' })), 422, '4506', /carries no date where the folder's pattern SD_\{PID5\}_\{YYYYMMDD\}\.csv has one/],
      ['nothing is submitted to a download folder (D.27–D.29)', submit('ecp2', 'CSCMAP', sd1('cc@09999.hk', '09999', { filename: 'CSCMAP_20220512.csv' })), 409, '4001', /download folder/],
      ['a folder not yet moved is submitted on legacy (D.27)', submit('ecp2', 'SD2', sd1('cash@09999.hk', '09999', { filename: 'SDA_09999_20220512.csv' })), 409, '3001', /submit it on legacy ECP/],
      ['a retired folder is refused on ECP 2.0 without sending anyone back to legacy (D.28)', submit('ecp2', 'SDPDF', sd1('cash@09999.hk', '09999', { filename: 'SDR_09999_20220512.pdf' })), 409, '3003', /is retired: neither legacy ECP nor ECP 2\.0 takes it/],
      ['… and on legacy, without sending anyone to ECP 2.0', submit('legacy', 'SDPDF', sd1('cash@09999.hk', '09999', { filename: 'SDR_09999_20220512.pdf' })), 409, '3003', /is retired: neither legacy ECP nor ECP 2\.0 takes it/],
      ['a NUL in the user is a bad request, not a database error', submit('ecp2', 'SD1', sd1('cash\u0000@09999.hk')), 400, 'bad_request', /user \(the submitting user's email\) must be an email address/],
      ['a date PostgreSQL cannot hold is a bad request', submit('legacy', 'SD2', sd1('cash@09999.hk', '09999', { filename: 'SDA_09999_00000101.csv', inputDate: '0000-01-01' })), 400, 'bad_request', /inputDate must be a date/],
      ['a download folder is never submitted to, on either platform', submit('legacy', 'CSCMAP', sd1('cc@09999.hk', '09999', { filename: 'CSCMAP_20220512.csv' })), 409, '4001', /download folder/],
      ['bad base64 is refused, never stored with the checksum of garbage', submit('ecp2', 'SD1', sd1('cash@09999.hk', '09999', { contentBase64: 'not base64!' })), 400, 'bad_request', /contentBase64 must be the file in base64/],
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
    const first = await submit('ecp2', 'SD1', sd1('cash@09999.hk'));
    expect(first.status).toBe(201);
    const again = await submit('ecp2', 'SD1', sd1('cash@09999.hk', '09999', { contentBase64: file('trade,stamp\n1,3\n') }));
    const answer = (await again.json()) as { sha256: string; overwritten: boolean };
    expect(answer.overwritten).toBe(true);
    const enquiry = async (participant: string, who: string) => fetch(`${base}/ecp2/folders/SD1/submissions?participant=${participant}&user=${encodeURIComponent(who)}`);
    const own = (await (await enquiry('09999', 'cash@09999.hk')).json()) as { filename: string; sha256: string; content?: unknown }[];
    expect(own.filter((s) => s.filename === 'SD_09999_20220512.csv')).toEqual([expect.objectContaining({ sha256: answer.sha256 })]);
    expect(own[0]).not.toHaveProperty('content');
    const other = await enquiry('09999', 'cash@08888.hk');
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ code: '2003', message: expect.stringContaining('no activity is shown') });
    expect((await fetch(`${base}/ecp2/folders/SD1/submissions?participant=09999`)).status).toBe(400);
  });

  it('legacy keeps its own, looser rules: no Input Date check, no Client Connect', async () => {
    const r = await submit('legacy', 'SD2', sd1('anyone@09999.hk', '09999', { filename: 'SDA_09999_20220512.csv', inputDate: '2021-01-01' }));
    expect(r.status).toBe(201);
  });

  it('Client Connect is read back through the admin API, one firm or a page of firms', async () => {
    const one = (await (await admin('GET', '/ecp2/admin/client-connect/09999')).json()) as { users: { email: string; functions: string[] }[] };
    expect(one.users.map((u) => [u.email, u.functions])).toEqual([['admin@09999.hk', []], ['cash@09999.hk', ['EU_ECPCASH']], ['cc@09999.hk', ['EU_ECPCC']], ['sftp@09999.hk', ['EU_ECPSFTP']]]);
    const page = (await (await admin('GET', '/ecp2/admin/client-connect?after=08888&limit=5')).json()) as { participants: { code: string }[] };
    expect(page.participants.map((p) => p.code)).toEqual(['09999']);
  });

  it('the admin and fault APIs need the credential the gateway holds', async () => {
    for (const [method, path] of [['GET', '/_faults'], ['PUT', '/_faults'], ['POST', '/ecp2/admin/folders/SD1/disable'], ['PUT', '/ecp2/admin/client-connect'], ['PUT', '/ecp2/admin/users/x@y.hk/functions'], ['POST', '/legacy/admin/decommission']]) {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${token}x`, token]) {
        const r = await fetch(base + path, { method, headers: authorization ? { authorization } : {}, body: method === 'GET' ? undefined : '{}' });
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
    fc.constantFrom('', '%', '%zz', '%00', 'a%00%40b.hk', '..', '%2e%2e', 'SD1', 'sd1', 'CSCMAP', 'SDPDF', 'A'.repeat(17), 'A'.repeat(5000), "SD1'%3B drop table folders%3B--", '漢字', '%E6%BC%A2', '__proto__', 'constructor'),
    fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
  );
  const valid = fc.constantFrom('legacy', 'ecp2');
  const folder = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('SD1', 'SD2', 'CSCMAP', 'SDPDF') }, { weight: 2, arbitrary: hostileSegment });
  const platform = fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom('LEGACY', 'ecp3', '') });
  const query = fc.constantFrom('', '?', '?participant=09999&user=cash%4009999.hk', '?participant=09999&user=%', '?participant=09999&user=a%00%40b.hk', '?after=%&limit=-1', '?limit=1e9', '?%zz=%zz', '?after=1&limit=0');
  // Every route's shape, mostly with its own method, with hostile parts in it; and random paths besides.
  const target = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('POST', 'POST', 'GET'), platform, folder, query).map(([m, p, c, q]) => [m, `/${p}/folders/${c}/submissions${q}`]) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom('POST', 'GET'), platform, folder, fc.constantFrom('', 'freeze', 'unfreeze', 'enable', 'disable', 'probe', 'handover', 'handback', 'retire', 'explode')).map(([m, p, c, a]) => [m, `/${p}/admin/folders/${c}${a ? '/' + a : ''}`]) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('GET', 'PUT'), platform, fc.oneof(fc.constant(''), hostileSegment.map((c) => '/' + c)), query).map(([m, p, c, q]) => [m, `/${p}/admin/client-connect${c}${q}`]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('PUT', 'GET'), hostileSegment).map(([m, e]) => [m, `/ecp2/admin/users/${e}/functions`]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), fc.constantFrom('/legacy', '/ecp2', '', '/_faults', '//', '/healthz'), fc.array(hostileSegment, { maxLength: 6 }), query).map(([m, root, segments, q]) => [m, `${root}/${segments.join('/')}${q}`]) },
  );
  const body = fc.oneof(
    { depthSize: 'small' },
    fc.constant(undefined),
    fc.constantFrom('{', 'null', '[]', '"x"', '1e999', '{"__proto__":{"polluted":true}}', '{"participant":"09999","user":"cash@09999.hk","filename":"SD_09999_20220512.csv","inputDate":"2022-02-30","contentBase64":"QQ=="}', '{"functions":["EU_ECPCASH","x".repeat(9)]}', '{"participants":[{"code":"00001","users":[{"email":"x","role":"root"}]}]}'),
    fc.json({ maxDepth: 4 }),
    fc.record({ participant: fc.oneof(fc.string(), fc.integer(), fc.constant('09999')), user: fc.oneof(fc.string(), fc.constant('cash@09999.hk')), filename: fc.oneof(fc.string({ maxLength: 300 }), fc.constant('SD_09999_20220512.csv')), inputDate: fc.oneof(fc.string(), fc.constant('2022-05-12')), contentBase64: fc.oneof(fc.base64String(), fc.string()) }).map((o) => JSON.stringify(o)),
    // Nearly right submissions: one field at a time goes wrong.
    { weight: 4, arbitrary: fc.record({
      participant: fc.constantFrom('09999', '08888', '00000'), user: fc.constantFrom('cash@09999.hk', 'cc@09999.hk', 'sftp@09999.hk', 'cash@08888.hk', 'x@y.hk', 'a\u0000@b.hk'),
      filename: fc.constantFrom('SD_09999_20220512.csv', 'SD_09999_final.csv', 'CSCMAP_20220512.csv', 'SDA_09999_20220512.csv', 'SDA_09999_00000101.csv'), inputDate: fc.constantFrom('2022-05-12', '2022-05-13', '0000-01-01'),
      contentBase64: fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString('base64')) }, { weight: 1, arbitrary: fc.base64String({ maxLength: 40 }) }),
    }).map((o) => JSON.stringify(o)) },
    fc.record({ participants: fc.array(fc.record({ code: fc.oneof(fc.string(), fc.constant('07777')), users: fc.array(fc.record({ email: fc.oneof(fc.string(), fc.emailAddress()), role: fc.constantFrom('admin', 'operator', 'root', 1), functions: fc.array(fc.string()) }), { maxLength: 3 }) }), { maxLength: 3 }) }).map((o) => JSON.stringify(o)),
  );
  const request = fc.record({ target, body, authorized: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), type: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', '') }) });

  it('hundreds of random and hostile requests: every answer well-formed, the process alive and still serving', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ target: [method, path], body: payload, authorized, type }) => {
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (authorized) headers.authorization = `Bearer ${token}`;
        const r = await fetch(base + path, { method, headers, body: method === 'GET' || payload === undefined ? undefined : payload });
        seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        await wellFormed(r, `${method} ${path.slice(0, 80)} ${String(payload).slice(0, 80)}`);
      }),
      { numRuns: 800, seed: 17 },
    );
    // The requests reached every kind of answer, not only the router's 404.
    for (const status of [200, 400, 401, 404, 409]) expect(seen.get(status) ?? 0, `answers ${status} (${JSON.stringify([...seen])})`).toBeGreaterThan(0);
    expect((seen.get(201) ?? 0) + (seen.get(403) ?? 0), `past validation to Client Connect (${JSON.stringify([...seen])})`).toBeGreaterThan(0);
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
    const big = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${base}/ecp2/folders/SD1/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
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
