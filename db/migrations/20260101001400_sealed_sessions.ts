import type { Knex } from 'knex';

/**
 * Console sessions carry no authority of their own (issue 23): a row is honoured only with the seal the
 * control API computes over it with a key that is not in the database, and roles are never read from it — in
 * token mode they come from operator_roles at each request, in OIDC mode from the provider's token, kept
 * encrypted under a key derived from the browser's cookie and verified again at each request. Sessions made
 * before have no seal: they are ended (their browsers sign in again).
 */
export async function up(knex: Knex): Promise<void> {
  await knex('console_sessions').del();
  await knex.schema.alterTable('console_sessions', (t) => {
    t.dropColumn('roles');
    t.string('seal', 64).notNullable();
    t.text('token_box').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('console_sessions').del();
  await knex.schema.alterTable('console_sessions', (t) => {
    t.dropColumn('token_box');
    t.dropColumn('seal');
    t.specificType('roles', 'text[]').nullable();
  });
}
