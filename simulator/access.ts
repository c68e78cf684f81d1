import type { Knex } from 'knex';

/** The participants a user belongs to, and the user's functions. */
export async function userAccess(
  db: Knex,
  email: string,
): Promise<{ memberOf: string[]; functions: string[] }> {
  const [memberOf, functions] = await Promise.all([
    db('sim_ecp2.cc_users').where({ email }).orderBy('participant_code').pluck('participant_code'),
    db('sim_ecp2.user_functions').where({ user_email: email }).orderBy('function').pluck('function'),
  ]);
  return { memberOf, functions };
}
