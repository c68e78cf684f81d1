import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenAuthenticator } from '../../api/auth';
import { startControlApi } from '../../api/server';
import { loadConfig } from '../../config/config';
import { createHttpGateway } from '../../platform/http-gateway';
import { createCommandSigner } from '../../security/command-signing';
import { freshDatabase } from '../support/db';
import { runCli } from '../support/cli';
import { temporalForFile } from '../support/temporal';

const { db, url } = await freshDatabase({ migrate: false });
const env = { DATABASE_URL: url };
const { client } = await temporalForFile();

describe('ecp-cutover db and folders commands', () => {
  it('migrates, seeds idempotently and lists where each folder lives', async () => {
    expect((await runCli(['db', 'migrate'], env)).stdout).toMatch(/applied 9 migration/);
    expect((await runCli(['db', 'migrate'], env)).stdout).toMatch(/up to date/);
    const seed = await runCli(['db', 'seed'], env);
    expect(seed.code).toBe(0);
    expect(seed.stdout).toMatch(/50 folders \(50 new\), not ECP folders skipped: OTPCOCL, RPFDL, RAPRPT/);
    expect((await runCli(['db', 'seed'], env)).stdout).toMatch(/50 folders \(0 new\)/);

    // The host-local administrator adds an operator; the token is printed once; the CLI then reads through the API.
    const added = await runCli(['operator', 'add', 'sam', '--role', 'support', '--json'], env);
    const sam = JSON.parse(added.stdout) as { name: string; roles: string[]; token: string };
    expect(sam).toMatchObject({ name: 'sam', roles: ['support'], token: expect.stringMatching(/^ecp_[0-9a-f]{32}_/) });
    expect(JSON.stringify(await db('operator_tokens').select())).not.toContain(sam.token.split('_')[2]);
    expect(await db('events').where({ entity_type: 'operator', entity_id: 'sam' }).first()).toMatchObject({ to_state: 'added', actor: expect.any(String), source: 'host' });
    const api = await startControlApi({
      deps: { db, temporal: client, config: loadConfig({ DATABASE_URL: url }), signer: createCommandSigner(randomBytes(32)), gateway: createHttpGateway('http://127.0.0.1:9') },
      auth: createTokenAuthenticator(db),
    });
    const asSam = { ...env, ECP_CUTOVER_API_URL: api.url, ECP_CUTOVER_TOKEN: sam.token };
    const list = await runCli(['folders', '--json'], asSam);
    const folders = JSON.parse(list.stdout) as { code: string; placement: string }[];
    expect(folders).toHaveLength(50);
    expect(folders.find((f) => f.code === 'SD1')?.placement).toBe('legacy');
    expect((await runCli(['folders'], asSam)).stdout).toMatch(/50 folders: 33 legacy, 3 retired, 14 new_on_2_0/);

    const one = await runCli(['folder', 'sd1'], asSam);
    expect(one.stdout).toMatch(/SD1 {2}Stamp Duty Daily Return/);
    expect(one.stdout).toMatch(/placement: legacy/);
    await api.close();
  });

  it('answers bad input with one clear line, exit code 2, and changes nothing', async () => {
    const before = JSON.stringify([await db('operators').select(), await db('operator_roles').select(), await db('operator_tokens').select('id', 'revoked_at')]);
    const cases: [string[], RegExp][] = [
      [['folders'], /not signed in: set ECP_CUTOVER_TOKEN or run ecp-cutover login/],
      [['operator', 'add', 'Robert; drop table folders', '--role', 'approver'], /operator name .* must be lower-case/],
      [['operator', 'add', 'dave', '--role', 'king'], /--role 'king' must be one or more of planner, approver, support/],
      [['operator', 'add', 'sam', '--role', 'approver'], /operator sam exists with roles support: 'ecp-cutover operator revoke sam' first/],
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
    expect(JSON.stringify([await db('operators').select(), await db('operator_roles').select(), await db('operator_tokens').select('id', 'revoked_at')])).toBe(before);
  });

  it('reports bad configuration with every bad variable named, exit code 2', async () => {
    const r = await runCli(['folders'], { DATABASE_URL: 'mysql://nope', PORTAL_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL=.*PORTAL_PORT=/);
  });
});
