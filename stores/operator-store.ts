import type { Db } from '../db/connection';
import { NotAllowedError, NotFoundError } from '../domain/errors';
import type { Role } from '../domain/operators';

export type { Role };

/** Refuses an unknown operator or one without the role, with a message that says what to do. */
export async function requireRole(db: Db, name: string, role: Role): Promise<void> {
  const roles: string[] = await db('operator_roles').where({ operator: name }).pluck('role');
  if (roles.length === 0) {
    const known = await db('operators').where({ name }).first('name');
    if (!known) throw new NotFoundError(`unknown operator '${name}': add one with 'ecp-cutover operator add ${name} --role ${role}'`);
  }
  if (!roles.includes(role)) throw new NotAllowedError(`operator '${name}' does not hold the ${role} role (has: ${roles.join(', ') || 'none'})`);
}
