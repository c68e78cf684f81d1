import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { printJson } from '../context';

// Host-local administration (a composition root): the database and the operator store, opened here.
const modules = () => Promise.all([import('../../db/connection'), import('../../stores/operator-store')]);

/**
 * `operator add|revoke`: host-local administration (it needs the database owner's DATABASE_URL, like
 * `db migrate`). No API endpoint grants roles. Each use is an event naming the OS user who ran it.
 */
export function registerOperatorCommands(program: Command): void {
  const operator = program
    .command('operator')
    .description('operators who plan, approve and support (host-local administration)');
  operator
    .command('add <name>')
    .description('add an operator with roles and print their token, once')
    .requiredOption('--role <roles>', 'planner, approver and/or support, separated by commas')
    .option('--json', 'print {"name","roles","token"}')
    .action(async (name: string, opts: { role: string; json?: boolean }) => {
      const [{ withDatabase }, { addOperator, parseRoles }] = await modules();
      const roles = parseRoles(opts.role);
      const made = await withDatabase(loadConfig().DATABASE_URL, (pool) => addOperator(pool, name, roles));
      if (opts.json) return printJson({ name: made.name, roles: made.roles, token: made.token });
      console.log(
        `operator ${made.name} added with roles ${made.roles.join(', ')}. Their token (shown only now; give it to them privately):\n${made.token}\nThey sign in with: ecp-cutover login`,
      );
    });
  operator
    .command('revoke <name>')
    .description('end every token of an operator at once and take their roles away')
    .action(async (name: string) => {
      const [{ withDatabase }, { revokeOperator }] = await modules();
      const r = await withDatabase(loadConfig().DATABASE_URL, (pool) => revokeOperator(pool, name));
      console.log(`operator ${name}: ${r.tokens} token(s) revoked, roles removed`);
    });
}
