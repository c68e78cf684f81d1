import { loadConfig, type Config } from '../config/config';
import type { Db } from '../db/connection';
import type { AppDeps, Operator } from '../app/context';
import { NotFoundError } from '../domain/errors';
import type { Role } from '../domain/operators';
import { apiClient } from './api-client';

// The database driver, Temporal's client and the signer are loaded by the commands that use them, not at
// start (`ecp-cutover --help` stays fast).

/** Opens what a command needs and closes it afterwards, whatever happens. */
export async function withDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { createDb } = await import('../db/connection');
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
    const [{ connectClient }, { createHttpGateway }, { createCommandSigner, loadCommandKey, simulatorAdminToken }] = await Promise.all([
      import('../config/temporal'), import('../platform/http-gateway'), import('../security/command-signing'),
    ]);
    // The key is read when a command is signed: reading commands need none.
    let key: Buffer | undefined;
    const signer = () => createCommandSigner((key ??= loadCommandKey(config)));
    const lazy: AppDeps['signer'] = { sign: (claims) => signer().sign(claims), isOurs: (c) => signer().isOurs(c), deriveKey: (p) => signer().deriveKey(p) };
    const temporal = await connectClient(config);
    try {
      return await fn({ db, temporal, config, signer: lazy, gateway: createHttpGateway(config.SIMULATOR_URL, simulatorAdminToken(config)) });
    } finally {
      await temporal.connection.close();
    }
  });
}

/**
 * An operator as the database knows them, for host-local jobs that act on their own stack (the benchmarks and
 * the drills): no sign-in, because whoever runs them holds the database and the signing key anyway.
 */
export async function operatorNamed(db: Db, name: string): Promise<Operator> {
  const roles = (await db('operator_roles').where({ operator: name }).pluck('role')) as Role[];
  if (roles.length === 0 && !(await db('operators').where({ name }).first('name'))) {
    throw new NotFoundError(`unknown operator '${name}': add one with 'ecp-cutover operator add ${name} --role <role>'`);
  }
  return { name, roles, credentialId: 'host', source: 'cli' };
}

let globalTokenFile: string | undefined;
/** Set from the global --token-file option before a command runs (cli/main.ts). */
export const setTokenFile = (file: string | undefined) => (globalTokenFile = file);

/** A client of the control API, signed in as the CLI's credential says; `as` asserts who that is. */
export const api = (opts: { as?: string } = {}) => apiClient({ tokenFile: globalTokenFile, as: opts.as });

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A plain aligned table for terminals. */
export function printTable(headers: string[], rows: (string | number | null | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  for (const r of cells) process.stdout.write(r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd() + '\n');
}
