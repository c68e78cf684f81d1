import type { Knex } from 'knex';

// As they were when this migration was written (20260101000800 changed them).
const BATCH_STATUSES = [
  'draft',
  'awaiting_approval',
  'approved',
  'announced',
  'running',
  'paused',
  'blocked_on_readiness',
  'completed',
  'completed_with_failures',
  'aborted',
  'rejected',
  'expired',
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('batches', (t) => {
    t.string('id', 32).primary({ constraintName: 'batches_pkey' });
    t.text('name').notNullable();
    t.timestamp('planned_at', { useTz: true }).notNullable();
    t.string('status', 24).notNullable().defaultTo('awaiting_approval');
    t.string('requested_by', 64)
      .notNullable()
      .references('name')
      .inTable('operators')
      .withKeyName('batches_requested_by_fkey');
    t.string('approved_by', 64)
      .nullable()
      .references('name')
      .inTable('operators')
      .withKeyName('batches_approved_by_fkey');
    t.string('failure_policy', 8).notNullable().defaultTo('continue');
    t.integer('concurrency').notNullable().defaultTo(5);
    t.text('reason').nullable();
    t.string('workflow_id', 255).nullable();
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.timestamps(true, true, false);
    t.check(`status in (${BATCH_STATUSES.map((s) => `'${s}'`).join(',')})`, [], 'batches_status_check');
    t.check(`failure_policy in ('continue','halt')`, [], 'batches_failure_policy_check');
    t.check(`concurrency between 1 and 500`, [], 'batches_concurrency_check');
    t.check(`id ~ '^[A-Za-z0-9_-]{1,32}$'`, [], 'batches_id_check');
    t.check(`approved_by is null or approved_by <> requested_by`, [], 'batches_four_eyes_check');
  });

  await knex.schema.createTable('batch_folders', (t) => {
    t.string('batch_id', 32)
      .notNullable()
      .references('id')
      .inTable('batches')
      .onDelete('CASCADE')
      .withKeyName('batch_folders_batch_fkey');
    t.string('folder_code', 16)
      .notNullable()
      .references('code')
      .inTable('folders')
      .withKeyName('batch_folders_folder_fkey');
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('step', 24).nullable();
    /** True while the batch is not finished: I4 is the partial unique index below. */
    t.boolean('active').notNullable().defaultTo(true);
    t.text('failure').nullable();
    t.primary(['batch_id', 'folder_code'], { constraintName: 'batch_folders_pkey' });
    t.check(
      `status in ('pending','running','live','failed','skipped','aborted')`,
      [],
      'batch_folders_status_check',
    );
  });
  // I4: a folder is in at most one unfinished batch.
  await knex.raw(
    'create unique index batch_folders_one_active_plan_idx on batch_folders (folder_code) where active',
  );

  // One row per cutover or switch-back attempt of one folder: steps, freeze window, outcome.
  await knex.schema.createTable('folder_runs', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'folder_runs_pkey' });
    t.string('folder_code', 16)
      .notNullable()
      .references('code')
      .inTable('folders')
      .withKeyName('folder_runs_folder_fkey');
    t.string('batch_id', 32)
      .nullable()
      .references('id')
      .inTable('batches')
      .withKeyName('folder_runs_batch_fkey');
    t.string('kind', 16).notNullable();
    t.string('workflow_id', 255).notNullable();
    t.string('run_id', 64).notNullable();
    t.string('status', 16).notNullable().defaultTo('running');
    t.string('step', 24).nullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.timestamp('freeze_started_at', { useTz: true }).nullable();
    t.timestamp('freeze_ended_at', { useTz: true }).nullable();
    t.integer('freeze_window_ms').nullable();
    t.integer('drained').nullable();
    t.integer('handed_over').nullable();
    t.text('failure').nullable();
    t.check(`kind in ('cutover','rollback')`, [], 'folder_runs_kind_check');
    t.check(`status in ('running','succeeded','compensated','failed')`, [], 'folder_runs_status_check');
    t.unique(['workflow_id', 'run_id'], { indexName: 'folder_runs_workflow_run_key' });
    t.index(['folder_code', 'id'], 'folder_runs_folder_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('folder_runs');
  await knex.schema.dropTable('batch_folders');
  await knex.schema.dropTable('batches');
}
