import type { Knex } from 'knex';

/**
 * Drift reconciliation (issue 18). `drifts`: one row per episode of one kind of drift on one folder (at most
 * one open per folder and kind), opened by the reconciler pass that first sees it and resolved by the first
 * pass that no longer does; `action` says what the pass did about it (only "open on both" is acted on).
 * `reconcile_passes`: when each pass ran, how long it took and what it found (the metrics read the last).
 * An episode is mailed to the platform team (OPS_ALERT_EMAIL) once when it opens and once when it resolves:
 * `alerted_at` / `resolution_alerted_at` say it was (a failed mail is tried again by the next pass).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('drifts', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'drifts_pkey' });
    t.string('folder_code', 16)
      .notNullable()
      .references('code')
      .inTable('folders')
      .withKeyName('drifts_folder_fkey');
    t.string('kind', 32).notNullable();
    t.text('detail').notNullable();
    t.string('action', 32).nullable();
    t.timestamp('detected_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true }).nullable();
    t.timestamp('alerted_at', { useTz: true }).nullable();
    t.timestamp('resolution_alerted_at', { useTz: true }).nullable();
    t.check(
      `kind in ('open_on_both','closed_where_recorded','open_on_wrong_side','legacy_visibility','missing_on_platform','stuck_in_flight')`,
      [],
      'drifts_kind_check',
    );
  });
  await knex.raw(
    'create unique index drifts_one_open_idx on drifts (folder_code, kind) where resolved_at is null',
  );
  await knex.schema.createTable('reconcile_passes', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'reconcile_passes_pkey' });
    t.string('trigger', 16).notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true }).notNullable();
    t.integer('folders').notNullable();
    t.integer('open_drifts').notNullable();
    t.integer('new_drifts').notNullable();
    t.integer('resolved_drifts').notNullable();
    t.integer('unreadable').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reconcile_passes');
  await knex.schema.dropTable('drifts');
}
