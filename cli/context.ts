import { loadConfig, type Config } from '../config/config';
import { connectClient } from '../config/temporal';
import { createDb, type Db } from '../db/connection';
import type { AppDeps, Operator } from '../app/context';
import { NotFoundError } from '../domain/errors';
import type { Role } from '../domain/operators';
import { createHttpGateway } from '../platform/http-gateway';
import { createCommandSigner, loadCommandKey } from '../security/command-signing';

/** Opens what a command needs and closes it afterwards, whatever happens. */
export async function withDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL, { max: 4 });
  try {
    return await fn(db, config);
  } finally {
    await db.destroy();
  }
}

/** The application's dependencies (database, Temporal, the command signer, the platforms), closed afterwards. */
export function withApp<T>(fn: (deps: AppDeps) => Promise<T>): Promise<T> {
  return withDb(async (db, config) => {
    // The key is read when a command is signed: reading commands need none.
    let key: Buffer | undefined;
    const signer: AppDeps['signer'] = { sign: (claims) => createCommandSigner((key ??= loadCommandKey(config))).sign(claims) };
    const temporal = await connectClient(config);
    try {
      return await fn({ db, temporal, config, signer, gateway: createHttpGateway(config.SIMULATOR_URL) });
    } finally {
      await temporal.connection.close();
    }
  });
}

/** The operator named by --as, with the roles the database gives them. */
export async function operatorNamed(db: Db, name: string): Promise<Operator> {
  const roles = (await db('operator_roles').where({ operator: name }).pluck('role')) as Role[];
  if (roles.length === 0 && !(await db('operators').where({ name }).first('name'))) {
    throw new NotFoundError(`unknown operator '${name}': add one with 'ecp-cutover operator add ${name} --role <role>'`);
  }
  return { name, roles, credentialId: 'cli', source: 'cli' };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A plain aligned table for terminals. */
export function printTable(headers: string[], rows: (string | number | null | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  for (const r of cells) process.stdout.write(r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd() + '\n');
}
