import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db';
import { runCli } from '../support/cli';

const { db, url } = await freshDatabase({ migrate: false });
const env = { DATABASE_URL: url };

describe('ecp-cutover db and folders commands', () => {
  it('migrates, seeds idempotently and lists where each folder lives', async () => {
    expect((await runCli(['db', 'migrate'], env)).stdout).toMatch(/applied 8 migration/);
    expect((await runCli(['db', 'migrate'], env)).stdout).toMatch(/up to date/);
    const seed = await runCli(['db', 'seed'], env);
    expect(seed.code).toBe(0);
    expect(seed.stdout).toMatch(/50 folders \(50 new\), not ECP folders skipped: OTPCOCL, RPFDL, RAPRPT/);
    expect((await runCli(['db', 'seed'], env)).stdout).toMatch(/50 folders \(0 new\)/);

    const list = await runCli(['folders', '--json'], env);
    const folders = JSON.parse(list.stdout) as { code: string; placement: string }[];
    expect(folders).toHaveLength(50);
    expect(folders.find((f) => f.code === 'SD1')?.placement).toBe('legacy');
    expect((await runCli(['folders'], env)).stdout).toMatch(/50 folders: 33 legacy, 3 retired, 14 new_on_2_0/);

    const one = await runCli(['folder', 'sd1'], env);
    expect(one.stdout).toMatch(/SD1 {2}Stamp Duty Daily Return/);
    expect(one.stdout).toMatch(/placement: legacy/);
  });

  it('answers bad input with one clear line, exit code 2, and changes nothing', async () => {
    const before = await db('operators').count({ n: '*' }).first();
    const cases: [string[], RegExp][] = [
      [['folders', '--status', 'moved'], /--status 'moved' is not a placement/],
      [['folder', 'NOPE'], /folder NOPE is not in the catalog/],
      [['operator', 'add', 'Robert; drop table folders', '--role', 'approver'], /operator name .* must be lower-case/],
      [['operator', 'add', 'dave', '--role', 'king'], /role 'king' is not one of planner, approver, support/],
      [['db', 'seed', '--catalog', '/nonexistent.csv'], /catalog file \/nonexistent.csv not found/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(await db('operators').count({ n: '*' }).first()).toEqual(before);
  });

  it('reports bad configuration with every bad variable named, exit code 2', async () => {
    const r = await runCli(['folders'], { DATABASE_URL: 'mysql://nope', PORTAL_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL=.*PORTAL_PORT=/);
  });
});
