import type { Knex } from 'knex';

/**
 * Rehearsals of a batch (issue 28): the batch's folder moves run now against the platforms' rehearsal
 * environment, recorded here and never in folders, folder_runs, events or notices. A rehearsal is bound to
 * the plan it rehearsed by `plan_hash` (domain/rehearsal.ts): a reschedule changes the plan, so the hash no
 * longer matches and the rehearsal no longer counts for an approval.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rehearsals', (t) => {
    t.string('id', 64).primary({ constraintName: 'rehearsals_pkey' });
    t.string('batch_id', 32)
      .notNullable()
      .references('id')
      .inTable('batches')
      .withKeyName('rehearsals_batch_fkey');
    t.string('plan_hash', 64).notNullable();
    t.jsonb('plan').notNullable();
    t.string('requested_by', 64).notNullable();
    t.string('environment', 255).notNullable();
    t.string('status', 16).notNullable().defaultTo('running');
    t.string('workflow_id', 255).notNullable();
    t.string('run_id', 64).notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.integer('duration_ms').nullable();
    t.integer('affected').nullable();
    t.integer('not_ready').nullable();
    t.string('readiness_source', 16).nullable();
    t.timestamp('readiness_at', { useTz: true }).nullable();
    /** Where the rendered notices went (the platform team's address), or why none were sent. */
    t.text('notices').nullable();
    t.text('failure').nullable();
    t.check(`status in ('running','succeeded','failed')`, [], 'rehearsals_status_check');
    t.unique(['workflow_id'], { indexName: 'rehearsals_workflow_key' });
    t.index(['batch_id', 'started_at'], 'rehearsals_batch_idx');
  });
  await knex.schema.createTable('rehearsal_folders', (t) => {
    t.string('rehearsal_id', 64)
      .notNullable()
      .references('id')
      .inTable('rehearsals')
      .onDelete('CASCADE')
      .withKeyName('rehearsal_folders_rehearsal_fkey');
    t.string('folder_code', 16).notNullable();
    t.primary(['rehearsal_id', 'folder_code'], { constraintName: 'rehearsal_folders_pkey' });
    t.string('workflow_id', 255).nullable();
    t.string('run_id', 64).nullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('step', 24).nullable();
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.timestamp('freeze_started_at', { useTz: true }).nullable();
    t.timestamp('freeze_ended_at', { useTz: true }).nullable();
    t.integer('freeze_window_ms').nullable();
    t.integer('drained').nullable();
    t.integer('handed_over').nullable();
    t.text('failure').nullable();
    t.check(
      `status in ('pending','running','succeeded','compensated','refused')`,
      [],
      'rehearsal_folders_status_check',
    );
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rehearsal_folders');
  await knex.schema.dropTable('rehearsals');
}
