import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTokenAuthenticator } from '../../api/auth';
import { startControlApi } from '../../api/server';
import { loadConfig } from '../../config/config';
import { createHttpGateway } from '../../platform/http-gateway';
import { createCommandSigner } from '../../security/command-signing';
import { createAppStores } from '../../stores/app-stores';
import { freshDatabase } from '../support/db';
import { runCli } from '../support/cli';
import { temporalForFile } from '../support/temporal';
import { startPortal } from '../../portal/server';
import { startSimulator } from '../../simulator/server';

const { db, url } = await freshDatabase({ migrate: false });
const env = { DATABASE_URL: url };
const { client } = await temporalForFile();

describe('ecp-cutover db and folders commands', () => {
  it('migrates, seeds idempotently and lists where each folder lives', async () => {
    expect((await runCli(['db', 'migrate'], env)).stdout).toMatch(/applied 17 migration/);
    expect((await runCli(['db', 'migrate'], env)).stdout).toMatch(/up to date/);
    const seed = await runCli(['db', 'seed'], env);
    expect(seed.code).toBe(0);
    expect(seed.stdout).toMatch(/50 folders \(50 new\), not ECP folders skipped: OTPCOCL, RPFDL, RAPRPT/);
    expect((await runCli(['db', 'seed'], env)).stdout).toMatch(/50 folders \(0 new\)/);

    // The host-local administrator adds an operator; the token is printed once; the CLI then reads through the API.
    const added = await runCli(['operator', 'add', 'sam', '--role', 'support', '--json'], env);
    const sam = JSON.parse(added.stdout) as { name: string; roles: string[]; token: string };
    expect(sam).toMatchObject({
      name: 'sam',
      roles: ['support'],
      token: expect.stringMatching(/^ecp_[0-9a-f]{32}_/),
    });
    // The secret (base64url: it may itself hold '_') is stored only as a hash.
    expect(JSON.stringify(await db('operator_tokens').select())).not.toContain(
      /^ecp_[0-9a-f]{32}_(.+)$/.exec(sam.token)![1],
    );
    expect(await db('events').where({ entity_type: 'operator', entity_id: 'sam' }).first()).toMatchObject({
      to_state: 'added',
      actor: expect.any(String),
      source: 'host',
    });
    const gateway = createHttpGateway('http://127.0.0.1:9', undefined);
    const stores = createAppStores(db, gateway);
    const api = await startControlApi({
      deps: {
        stores,
        temporal: client,
        config: loadConfig({ DATABASE_URL: url }),
        signer: createCommandSigner(randomBytes(32)),
        gateway,
      },
      auth: createTokenAuthenticator(stores.operators),
    });
    const asSam = { ...env, ECP_CUTOVER_API_URL: api.url, ECP_CUTOVER_TOKEN: sam.token };
    const list = await runCli(['folders', '--json'], asSam);
    const folders = JSON.parse(list.stdout) as { code: string; placement: string }[];
    expect(folders).toHaveLength(50);
    expect(folders.find((f) => f.code === 'SD1')?.placement).toBe('legacy');
    expect((await runCli(['folders'], asSam)).stdout).toMatch(
      /50 folders: 33 legacy, 3 retired, 14 new_on_2_0/,
    );

    const one = await runCli(['folder', 'sd1'], asSam);
    expect(one.stdout).toMatch(/SD1 {2}Stamp Duty Daily Return/);
    expect(one.stdout).toMatch(/placement: legacy/);
    await api.close();
  });

  it('answers bad input with one clear line, exit code 2, and changes nothing', async () => {
    const before = JSON.stringify([
      await db('operators').select(),
      await db('operator_roles').select(),
      await db('operator_tokens').select('id', 'revoked_at'),
    ]);
    const cases: [string[], RegExp][] = [
      [['folders'], /not signed in: set ECP_CUTOVER_TOKEN or run ecp-cutover login/],
      [
        ['operator', 'add', 'Robert; drop table folders', '--role', 'approver'],
        /operator name .* must be lower-case/,
      ],
      [
        ['operator', 'add', 'dave', '--role', 'king'],
        /--role 'king' must be one or more of planner, approver, support/,
      ],
      [
        ['operator', 'add', 'sam', '--role', 'approver'],
        /operator sam exists with roles support: 'ecp-cutover operator revoke sam' first/,
      ],
      [['operator', 'revoke', 'nobody'], /no operator nobody/],
      [['db', 'seed', '--catalog', '/nonexistent.csv'], /catalog file \/nonexistent.csv not found/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(
      JSON.stringify([
        await db('operators').select(),
        await db('operator_roles').select(),
        await db('operator_tokens').select('id', 'revoked_at'),
      ]),
    ).toBe(before);
  });

  it('reports bad configuration with every bad variable named, exit code 2', async () => {
    const r = await runCli(['folders'], { DATABASE_URL: 'mysql://nope', PORTAL_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL=.*PORTAL_PORT=/);
  });
});

describe('a 2022 rehearsal: db seed --as-of', () => {
  it('seeds the plan as HKEX published it on 2022-06-06: B1 live, SDPDF and CCOLDSS retired, the rest to be announced', async () => {
    const fresh = await freshDatabase();
    // The rehearsal's platforms: the embedded stack's simulator, which the seed brings in line through the gateway.
    const simToken = randomBytes(24).toString('hex');
    const sim = await startSimulator({ db: fresh.db, adminToken: simToken });
    onTestFinished(() => sim.close());
    const asOf = { DATABASE_URL: fresh.url, SIMULATOR_URL: sim.url, SIMULATOR_ADMIN_TOKEN: simToken };
    const bad = await runCli(['db', 'seed', '--as-of', '2022-13-01'], asOf);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: --as-of '2022-13-01' must be a date YYYY-MM-DD, e\.g\. 2022-06-06 \(\w+\)\n$/,
    );
    expect(Number((await fresh.db('folders').count({ n: '*' }).first())?.n)).toBe(0); // refused before anything was loaded

    const seeded = await runCli(['db', 'seed', '--as-of', '2022-06-06'], asOf);
    expect(seeded.stderr).toBe('');
    expect(seeded.stdout).toContain(
      'as of 2022-06-06: batch B1 moved on 2022-06-06: SD1, SD2, CCSSW-SH, CCSSW-SZ; retired SDPDF, CCOLDSS',
    );
    expect(seeded.stdout).toContain(
      'as of 2022-06-06: 1 batch(es) completed, 2 folder(s) retired, 29 folder(s) to be announced',
    );
    expect(seeded.stdout).toContain(
      `as of 2022-06-06: the platforms (${sim.url}): 4 folder(s) on ECP 2.0 only, 2 retired on legacy`,
    );

    // What a participant sees on the portal and in Appendix 7.3, as published then.
    const portal = await startPortal({ db: fresh.db, cacheMs: 0 });
    try {
      const json = async <T>(p: string) => (await (await fetch(portal.url + p)).json()) as T;
      expect(await json('/api/folders/SD1')).toMatchObject({
        placement: 'live',
        liveSince: '2022-06-06T00:00:00.000Z',
      });
      expect(await json('/api/folders/SDPDF')).toMatchObject({
        placement: 'retired',
        retiredAt: '2022-06-06T00:00:00.000Z',
        retirement: { batch: 'B1' },
      });
      expect(await json('/api/folders/LEGTEST')).toMatchObject({
        placement: 'retired',
        retiredAt: null,
        retirement: null,
      });
      expect(await json('/api/folders/SD3')).toMatchObject({
        placement: 'legacy',
        plannedMove: null,
        toBeAnnounced: true,
      });
      const schedule = await json<{ batches: { id: string; status: string }[]; toBeAnnounced: string[] }>(
        '/api/batches',
      );
      expect(schedule.batches.map((b) => [b.id, b.status])).toEqual([['B1', 'completed']]);
      expect(schedule.toBeAnnounced).toHaveLength(29);
      const md = await (await fetch(portal.url + '/appendix/7.3.md')).text();
      expect(md).toContain('| Stamp Duty Daily Return (SD-1) | SD1 | 2022-06-06 | B1 |');
      expect(md).toContain('No download folder has moved yet.');
    } finally {
      await portal.close();
    }
    // On the simulated platforms, B1 is on ECP 2.0 only and the retired folders are gone from legacy.
    expect(await fresh.db('sim_ecp2.folders').where({ code: 'SD1' }).first('intake', 'visible')).toEqual({
      intake: 'open',
      visible: true,
    });
    expect(await fresh.db('sim_legacy.folders').where({ code: 'SD1' }).first('intake', 'visible')).toEqual({
      intake: 'closed',
      visible: false,
    });
    expect(await fresh.db('sim_legacy.folders').where({ code: 'SDPDF' }).first('intake', 'retired')).toEqual({
      intake: 'closed',
      retired: true,
    });
    // The recorder of that history can never act.
    expect(await fresh.db('operators').where({ name: 'catalog-as-of' }).first('blocked_at')).toMatchObject({
      blocked_at: expect.any(Date),
    });

    const twice = await runCli(['db', 'seed', '--as-of', '2022-06-06'], asOf);
    expect([twice.code, twice.stdout]).toEqual([
      0,
      expect.stringContaining('as of 2022-06-06: seeded already, nothing changed'),
    ]);
    const again = await runCli(['db', 'seed', '--as-of', '2022-09-19'], asOf);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /^error: --as-of seeds a database where no batch was ever planned, and batch B1 exists: use a fresh database \(DATABASE_URL\) \(\w+\)\n$/,
    );
  });
});
