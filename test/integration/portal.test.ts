import fs from 'node:fs';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { DateTime } from 'luxon';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startPortal } from '../../portal/server';
import { cutoverStack } from '../support/stack';
import { participant } from '../support/participant';
import { recordHistory } from '../support/temporal';

const stack = await cutoverStack({ processingDelayMs: 50 });
const { db, client } = stack;
await stack.runWorker();
const portal = await startPortal({ db, cacheMs: 0 });
afterAll(() => portal.close());

const get = (p: string, headers: Record<string, string> = {}) => fetch(portal.url + p, { headers });
/** A request as it is on the wire (no decoding of gzip, unlike fetch): status, headers but Date, body bytes. */
const raw = (url: string, method = 'GET', headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    http
      .request(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const { date: _date, ...rest } = res.headers;
          resolve({ status: res.statusCode!, headers: rest, body: Buffer.concat(chunks) });
        });
      })
      .on('error', reject)
      .end();
  });

// Batch W1 moves SD1, SD2 and the download folder CSCMAP and retires SDPDF and CCOLDSS (as the catalog's batch B1 does: the catalog's choice; FAQ D.28 gives only B1's date);
// batch W2 is planned and approved for later (public), W3 only planned (not public).
await db('participants').insert([
  { code: '01234', name_en: 'Secret Firm', user_types: ['SEHK_EP'], emails: ['secret@firm.hk'] },
  {
    code: '05678',
    name_en: 'Secret Connect Broker',
    user_types: ['SEHK_CCEP'],
    emails: ['secret@connect.hk'],
  },
]);
const cli = stack.cli;
const plan = (id: string, at: string, folders: string, ...more: string[]) =>
  cli(
    'batch',
    'plan',
    '--id',
    id,
    '--name',
    id,
    '--at',
    at,
    '--folders',
    folders,
    '--as',
    'alice',
    '--min-notice',
    '0s',
    '--allow-non-business-day',
    ...more,
  );
const w1 = await plan(
  'W1',
  DateTime.utc().plus({ seconds: 15 }).toISO()!,
  'SD1,SD2,CSCMAP',
  '--retire',
  'SDPDF,CCOLDSS',
);
expect(w1.stderr).toBe('');
expect(w1.stdout).toContain('with 3 folder(s), retiring CCOLDSS, SDPDF by alice');
expect((await cli('batch', 'approve', 'W1', '--as', 'bob')).code).toBe(0);
expect((await plan('W2', '2031-03-10 08:00', 'SD3')).code).toBe(0);
expect((await cli('batch', 'approve', 'W2', '--as', 'bob')).code).toBe(0);
expect((await plan('W3', '2031-03-10 08:00', 'SMMRPT')).code).toBe(0);
await client.workflow.getHandle('batch-W1').result();
await recordHistory(client.workflow.getHandle('batch-W1'), 'batch-with-retirements');

describe('portal API', () => {
  it('lists folders with filters, and one folder, without participant or operator data', async () => {
    const live = (await (await get('/api/folders?placement=live')).json()) as {
      folders: { code: string; liveSince: string }[];
    };
    expect(live.folders.map((f) => f.code)).toEqual(['SD1', 'SD2', 'CSCMAP']);
    const search = (await (await get('/api/folders?q=stamp%20duty&market=Cash')).json()) as {
      folders: { code: string }[];
    };
    expect(search.folders.map((f) => f.code).sort()).toEqual(['SD1', 'SD2', 'SD3', 'SDPDF']);
    const sd3 = (await (await get('/api/folders/sd3')).json()) as { plannedMove: { batch: string } };
    expect(sd3.plannedMove.batch).toBe('W2');
    const smm = (await (await get('/api/folders/SMMRPT')).json()) as { plannedMove: unknown };
    expect(smm.plannedMove).toBeNull(); // W3 awaits approval: not public yet
    for (const p of ['/api/folders', '/api/batches', '/appendix/7.3', '/appendix/7.3.csv']) {
      const body = await (await get(p)).text();
      expect(body, p).not.toMatch(/secret|alice|bob|@firm/i);
    }
  });

  it('publishes the schedule with folders "to be announced" (FAQ D.28)', async () => {
    const s = (await (await get('/api/batches')).json()) as {
      batches: { id: string; status: string; folders: { code: string }[] }[];
      toBeAnnounced: string[];
    };
    expect(s.batches.map((b) => [b.id, b.status])).toEqual([
      ['W1', 'completed'],
      ['W2', 'announced'],
    ]);
    expect(s.batches[0].folders.map((f) => f.code)).toEqual(['CSCMAP', 'SD1', 'SD2']);
    expect(s.toBeAnnounced).toContain('SMMRPT');
    expect(s.toBeAnnounced).not.toContain('SD3');
  });

  it('a retired folder is closed and hidden on legacy with its batch, refused without sending anyone to ECP 2.0, and told', async () => {
    const sdpdf = (await (await get('/api/folders/SDPDF')).json()) as {
      placement: string;
      retiredAt: string | null;
      retirement: { batch: string };
    };
    expect(sdpdf).toMatchObject({ placement: 'retired', retirement: { batch: 'W1' } });
    expect(Date.parse(sdpdf.retiredAt!)).toBeGreaterThan(0);
    expect(await (await stack.simAdmin('/legacy/admin/folders/SDPDF')).json()).toMatchObject({
      intake: 'closed',
      visible: false,
    });
    // A user of a cash firm (not one of this file's), logged in to legacy ECP.
    await stack.gateway.loadClientConnect([
      {
        code: '09999',
        users: [
          {
            email: 'ops@firm.hk',
            role: 'operator',
            functions: ['EU_ECPCASH'],
            sftpKeyRegistered: false,
            ipRegistered: false,
          },
        ],
      },
    ]);
    const legacy = await participant(stack.sim.url, stack.simToken, 'ops@firm.hk', 'legacy');
    const refused = await legacy.post('/folders/SDPDF/submissions', {
      participant: '09999',
      filename: 'SDR_09999_20220512.pdf',
      inputDate: '2022-05-12',
      contentBase64: 'JVBERg==',
    });
    expect(refused.status).toBe(409);
    const why = (await refused.json()) as { code: string; message: string };
    expect(why.code).toBe('3003');
    expect(why.message).toMatch(/is retired: neither legacy ECP nor ECP 2\.0 takes it any more/);
    expect(why.message).not.toMatch(/submit (it )?(again )?(in a minute )?on/);
    const told = async (firm: string) =>
      (await db('notices').where({ kind: 'batch_outcome', participant_code: firm }).first())
        .body_text as string;
    const cash = await told('01234');
    expect(cash).toMatch(
      /Retired as planned — closed and hidden on the current ECP, not moved to ECP 2\.0[^\n]*\n {2}- SDPDF /,
    );
    expect(cash).not.toMatch(/CCOLDSS|CSCMAP/); // China Connect folders: not this firm's
    const connect = await told('05678');
    expect(connect).toMatch(/Retired as planned [^\n]*\n {2}- CCOLDSS /);
    expect(connect).toMatch(
      /Moved to ECP 2\.0 — download folders: download from ECP 2\.0 \(nothing is submitted to them\):\n {2}- CSCMAP /,
    );
    // Retired once: a later batch cannot retire it again.
    const again = await plan('W4', '2031-03-10 08:00', 'SD3', '--retire', 'SDPDF');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/folder SDPDF was retired already/);
  });

  it('answers a bad parameter with 400 and a clear message, never a stack trace; ETags make polling cheap', async () => {
    for (const [p, msg] of [
      ['/api/folders?placement=moved', /placement must be one of/],
      ['/api/folders?foo=1', /unknown query parameter\(s\) 'foo'/],
      [`/api/folders?q=${'x'.repeat(101)}`, /at most 100/],
      ['/api/folders/%27%3B--', /letters, digits/],
      ['/api/folders?q=ab%00', /NUL/],
      ['/api/folders/%ZZ', /percent-encoding/],
    ] as const) {
      const r = await get(p);
      expect(r.status, p).toBe(400);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('bad_input');
      expect(body.error.message).toMatch(msg);
      expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|node_modules/);
    }
    const first = await get('/api/folders');
    const etag = first.headers.get('etag')!;
    expect((await get('/api/folders', { 'if-none-match': etag })).status).toBe(304);
    const post = await fetch(portal.url + '/api/folders', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves Appendix 7.3 with the same content as `ecp-cutover appendix`, in md, csv and html', async () => {
    const md = await (await get('/appendix/7.3.md')).text();
    expect(md).toContain('| Stamp Duty Daily Return (SD-1) | SD1 |');
    // Submission folders first (FAQ D.29), download folders apart (this tool's layout); retired folders never.
    const [submission, download] = md.split('## Download folders');
    expect(submission).toContain('## Submission folders');
    expect(submission).not.toContain('CSCMAP');
    expect(download).toContain('| CSCMAP |');
    expect(md).not.toContain('SDPDF');
    expect(md).toMatch(/\| SD1 \| \d{4}-\d{2}-\d{2} \| W1 \|/);
    for (const [route, format] of [
      ['/appendix/7.3.md', 'md'],
      ['/appendix/7.3.csv', 'csv'],
      ['/appendix/7.3', 'html'],
    ]) {
      const served = await (await get(route)).text();
      const printed = await cli('appendix', '--format', format);
      expect(printed.stdout, format).toBe(served);
    }
  });
});

describe('support views', () => {
  it('events: the audit trail newest first, by folder, by batch, by participant; bad input refused', async () => {
    const folder = JSON.parse((await cli('events', '--folder', 'sd1', '--json')).stdout) as {
      to: string;
      id: number;
      workflowId: string;
    }[];
    expect(folder[0].to).toBe('live');
    expect(folder.map((e) => e.id)).toEqual([...folder.map((e) => e.id)].sort((a, b) => b - a));
    const batch = JSON.parse((await cli('events', '--batch', 'W1', '--json')).stdout) as {
      entityType: string;
      to: string;
    }[];
    expect(batch.some((e) => e.entityType === 'batch' && e.to === 'completed')).toBe(true);
    expect(batch.some((e) => e.entityType === 'folder' && e.to === 'live')).toBe(true);
    const firm = JSON.parse((await cli('events', '--participant', '01234', '--json')).stdout) as {
      entityType: string;
      to: string;
    }[];
    expect(firm.length).toBeGreaterThan(0);
    expect(firm.every((e) => e.entityType === 'notice' && e.to === 'sent')).toBe(true);
    for (const args of [
      ['events', '--page', '0'],
      ['events', '--folder', 'SD1', '--batch', 'W1'],
      ['events', '--participant', '1234'],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect((await cli('folders', '--status', 'live', '--json')).stdout).toContain('"code": "SD1"');
  });
});

describe('portal cache', () => {
  it('many participants asking at once cost one query; a client that takes gzip gets the same reply compressed', async () => {
    const cachedPortal = await startPortal({ db, cacheMs: 60_000 });
    const queries: string[] = [];
    const count = (q: { sql: string }) => void (q.sql.includes('portal') && queries.push(q.sql));
    db.on('query', count);
    try {
      const replies = await Promise.all(
        Array.from({ length: 50 }, () => fetch(cachedPortal.url + '/api/folders?market=Cash')),
      );
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(queries).toHaveLength(1);
      const plain = await (
        await fetch(cachedPortal.url + '/api/folders?market=Cash', {
          headers: { 'accept-encoding': 'identity' },
        })
      ).text();
      const zipped = await raw(cachedPortal.url + '/api/folders?market=Cash', 'GET', {
        'accept-encoding': 'gzip',
      });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(zipped.body).toString()).toBe(plain);
      expect(zipped.body.length).toBeLessThan(plain.length / 2);
    } finally {
      db.off('query', count);
      await cachedPortal.close();
    }
  });

  it('a reply served again from the cache is what the route gave: same status, headers and bytes, 304s and HEAD included; other methods and bad queries still go to the routes', async () => {
    const cachedPortal = await startPortal({ db, cacheMs: 60_000 });
    const ask = (p: string, method = 'GET', headers: Record<string, string> = {}, base = cachedPortal.url) =>
      raw(base + p, method, headers);
    const metric = async (line: RegExp) =>
      Number(line.exec(await (await fetch(cachedPortal.url + '/metrics')).text())?.[1] ?? 0);
    const count = () =>
      metric(
        /ecp_cutover_portal_request_duration_seconds_count\{route="\/api\/folders",method="GET",code="2xx"\} (\d+)/,
      );
    const fromMemory = () => metric(/^ecp_cutover_portal_answered_from_memory_total (\d+)/m);
    try {
      const before = await count();
      // Over 1 KiB: the reply is kept gzipped too.
      const first = await ask('/api/folders', 'GET', { 'accept-encoding': 'identity' });
      const answeredBefore = await fromMemory();
      expect(first.status).toBe(200);
      const etag = String(first.headers.etag);
      for (const [method, headers] of [
        ['GET', { 'accept-encoding': 'identity' }],
        ['GET', { 'accept-encoding': 'gzip, deflate' }],
        ['HEAD', { 'accept-encoding': 'identity' }],
        ['HEAD', { 'accept-encoding': 'gzip' }],
        ['GET', { 'if-none-match': etag }],
        ['HEAD', { 'if-none-match': etag }],
      ] as const) {
        // A portal that has never cached this URL answers through its route: the reference.
        const fresh = await startPortal({ db, cacheMs: 0 });
        try {
          const expected = await ask('/api/folders', method, headers, fresh.url);
          if (Object.values(headers).some((v) => v.startsWith('gzip')))
            expect(expected.headers['content-encoding']).toBe('gzip');
          expect(await ask('/api/folders', method, headers), `${method} ${JSON.stringify(headers)}`).toEqual(
            expected,
          );
        } finally {
          await fresh.close();
        }
      }
      // All six repeats were answered from memory, and each counted under its route like the first (the 304s are 3xx).
      expect(await fromMemory()).toBe(answeredBefore + 6);
      expect(await count()).toBe(before + 5);
      const post = await ask('/api/folders', 'POST');
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
      expect((await ask('/api/folders?x=1')).status).toBe(400);
      expect(await fromMemory()).toBe(answeredBefore + 6);
    } finally {
      await cachedPortal.close();
    }
  });

  it('a flood of distinct searches pushes out the least recently asked replies, not a page in use', async () => {
    const cachedPortal = await startPortal({ db, cacheMs: 60_000 });
    const queries: string[] = [];
    const count = (q: { sql: string }) => void (q.sql.includes('portal') && queries.push(q.sql));
    const readsFor = async (p: string) => {
      queries.length = 0;
      db.on('query', count);
      try {
        expect((await fetch(cachedPortal.url + p)).status).toBe(200);
        return queries.length;
      } finally {
        db.off('query', count);
      }
    };
    try {
      expect(await readsFor('/api/batches')).toBeGreaterThan(0);
      // 1,100 searches, more than the cache holds, the schedule asked for again every 100 of them.
      for (let i = 0; i < 1100; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) => fetch(`${cachedPortal.url}/api/folders?q=flood${i + j}`)),
        );
        if (i % 100 === 0) expect(await readsFor('/api/batches')).toBe(0);
      }
      expect(await readsFor('/api/batches')).toBe(0);
      expect(await readsFor('/api/folders?q=flood0')).toBeGreaterThan(0); // the oldest search went
      expect(await readsFor('/api/folders?q=flood1099')).toBe(0);
    } finally {
      await cachedPortal.close();
    }
  });

  it('serves a reply for at most cacheMs, then reads PostgreSQL again', async () => {
    const cachedPortal = await startPortal({ db, cacheMs: 400 });
    try {
      const read = async () =>
        ((await (await fetch(cachedPortal.url + '/api/folders/IVUSAGE')).json()) as { name: { en: string } })
          .name.en;
      const before = await read();
      await db('folders').where({ code: 'IVUSAGE' }).update({ name_en: 'Renamed for the cache test' });
      expect(await read()).toBe(before);
      await new Promise((r) => setTimeout(r, 500));
      expect(await read()).toBe('Renamed for the cache test');
    } finally {
      await db('folders')
        .where({ code: 'IVUSAGE' })
        .update({ name_en: 'Information Vendor Monthly Usage Declaration' });
      await cachedPortal.close();
    }
  });
});

describe('portal page in a real browser (Debian Chromium via playwright-core)', () => {
  it('loads, filters by text and market, switches to Traditional Chinese; saves a screenshot', async () => {
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
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
      await page.goto(portal.url + '/');
      await page.waitForSelector('li[data-code="SD1"]');
      expect(await page.locator('li[data-code="SD1"] .badge').textContent()).toMatch(
        /^On ECP 2\.0 since \d{4}-\d{2}-\d{2} \d{2}:\d{2} HKT$/,
      );
      expect(await page.locator('li[data-code="SD3"] .badge').textContent()).toBe(
        'Moving to ECP 2.0 on 2031-03-10 08:00 HKT',
      );
      expect(await page.locator('li[data-code="SMMRPT"] .badge').textContent()).toBe(
        'On legacy ECP; move to be announced',
      );
      expect(await page.locator('li[data-code="SDPDF"] .badge').textContent()).toMatch(
        /^Retired since \d{4}-\d{2}-\d{2} \d{2}:\d{2} HKT \(not on ECP 2\.0\)$/,
      );
      await page.fill('#q', 'stamp');
      expect(await page.locator('#folders li').count()).toBe(4);
      await page.fill('#q', '');
      await page.selectOption('#market', 'Derivatives');
      const derivatives = await page.locator('#folders li .market').allTextContents();
      expect(derivatives.length).toBeGreaterThan(3);
      expect(new Set(derivatives)).toEqual(new Set(['Derivatives']));
      await page.selectOption('#market', '');
      await page.click('#lang');
      expect(await page.locator('#title').textContent()).toBe('哪些文件夾已轉移至 e 通訊 2.0？');
      expect(await page.locator('li[data-code="SD1"] .name').textContent()).toBe('印花稅每日申報表 (SD-1)');
      expect(await page.locator('li[data-code="SD1"] .badge').textContent()).toMatch(
        /^自 .* 起於 e 通訊 2\.0$/,
      );
      fs.mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/portal-zh-Hant.png', fullPage: false });
    } finally {
      await browser.close();
    }
  });
});
