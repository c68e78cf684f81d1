import type { Command } from 'commander';
import { InputError } from '../../domain/errors';
import { withDb } from '../context';

const ROLES = ['planner', 'approver', 'support'];

export function registerOperatorCommands(program: Command): void {
  program
    .command('operator')
    .description('operators who plan, approve and support')
    .command('add <name>')
    .description('add an operator, or give an existing one another role')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .action(async (name: string, opts: { role: string }) => {
      if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(name)) throw new InputError(`operator name '${name}' must be lower-case letters, digits, '.', '_' or '-'`);
      if (!ROLES.includes(opts.role)) throw new InputError(`role '${opts.role}' is not one of ${ROLES.join(', ')}`);
      await withDb((db) =>
        db.transaction(async (trx) => {
          await trx('operators').insert({ name }).onConflict('name').ignore();
          await trx('operator_roles').insert({ operator: name, role: opts.role }).onConflict(['operator', 'role']).ignore();
        }),
      );
      console.log(`operator ${name} has role ${opts.role}`);
    });
}
