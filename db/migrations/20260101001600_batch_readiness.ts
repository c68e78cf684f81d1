import type { Knex } from 'knex';

/**
 * Readiness as a batch read it (issue 28's report): at the announcement (the readiness notices) and at the
 * planned instant (the preflight of a batch with a readiness limit) — counts and where the users were read.
 * One row per batch and moment; a later reading of the same moment (a retried activity) replaces it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('batch_readiness', (t) => {
    t.string('batch_id', 32)
      .notNullable()
      .references('id')
      .inTable('batches')
      .withKeyName('batch_readiness_batch_fkey');
    t.string('moment', 16).notNullable();
    t.primary(['batch_id', 'moment'], { constraintName: 'batch_readiness_pkey' });
    t.timestamp('read_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('affected').notNullable();
    t.integer('not_ready').notNullable();
    t.string('source', 16).notNullable();
    t.check(`moment in ('announcement','instant')`, [], 'batch_readiness_moment_check');
    t.check(`source in ('client_connect','directory')`, [], 'batch_readiness_source_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('batch_readiness');
}
