import type { Knex } from 'knex';

/**
 * Console sessions (issue 14): a browser signs in once (an operator token, or the identity provider's
 * authorization code) and then carries an opaque cookie. Only a hash of the cookie is stored, so a copy of
 * the table does not give working sessions. Each session has its own CSRF token, an idle deadline (moved on
 * at each request) and an absolute one. The operator's roles are read afresh on every request in token mode
 * (a revoked token or a removed role ends what the session may do at once); in OIDC mode they are the
 * provider's, as of the sign-in.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('console_sessions', (t) => {
    t.string('id_hash', 64).notNullable();
    t.primary(['id_hash'], { constraintName: 'console_sessions_pkey' });
    t.string('operator', 64)
      .notNullable()
      .references('name')
      .inTable('operators')
      .withKeyName('console_sessions_operator_fkey');
    /** The token id (token mode) or jwt:… (OIDC) the operator signed in with. */
    t.string('credential_id', 80).notNullable();
    t.string('mode', 8).notNullable();
    /** OIDC mode only: the roles the provider gave at sign-in. */
    t.specificType('roles', 'text[]').nullable();
    t.string('csrf', 64).notNullable();
    t.string('lang', 8).notNullable().defaultTo('en');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.check(`mode in ('token','oidc')`, [], 'console_sessions_mode_check');
    t.index(['operator'], 'console_sessions_operator_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('console_sessions');
}
