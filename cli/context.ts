import type { Operator } from '../app/context';
import { NotFoundError } from '../domain/errors';
import type { OperatorStore } from '../stores/operator-store';
import { apiClient } from './api-client';

/**
 * An operator as the database knows them, for host-local jobs that act on their own stack (the benchmarks and
 * the drills): no sign-in, because whoever runs them holds the database and the signing key anyway.
 */
export async function operatorNamed(operators: OperatorStore, name: string): Promise<Operator> {
  const known = await operators.known(name);
  if (!known)
    throw new NotFoundError(
      `unknown operator '${name}': add one with 'ecp-cutover operator add ${name} --role <role>'`,
    );
  return { name, roles: known.roles, credentialId: 'host', source: 'cli' };
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
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  for (const r of cells)
    process.stdout.write(
      r
        .map((c, i) => c + ' '.repeat(widths[i] - [...c].length))
        .join('  ')
        .trimEnd() + '\n',
    );
}
