import type { Knex } from 'knex';

/**
 * Alerts beyond drift (issue 18): a folder whose move failed or was compensated, a batch blocked on readiness,
 * a blocked decommission. Each is an episode keyed by what it is about (at most one open per key), opened and
 * resolved by the reconciler's passes, mailed to OPS_ALERT_EMAIL once when it opens and once when it clears.
 *
 * A supervised repair claims its folder with a `folder_runs` row of its own (kind `repair`), as a move does:
 * no move begins while it runs, and the reconciler leaves the folder alone until it ends.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('alerts', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'alerts_pkey' });
    t.string('kind', 32).notNullable();
    /** What it is about, e.g. run:42, batch:B3, decommission. */
    t.string('subject', 64).notNullable();
    t.text('detail').notNullable();
    t.timestamp('opened_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true }).nullable();
    t.timestamp('alerted_at', { useTz: true }).nullable();
    t.timestamp('resolution_alerted_at', { useTz: true }).nullable();
    t.check(
      `kind in ('folder_compensated','folder_failed','batch_blocked','decommission_blocked')`,
      [],
      'alerts_kind_check',
    );
  });
  await knex.raw('create unique index alerts_one_open_idx on alerts (subject) where resolved_at is null');
  await knex.raw('alter table folder_runs drop constraint folder_runs_kind_check');
  await knex.raw(
    `alter table folder_runs add constraint folder_runs_kind_check check (kind in ('cutover','rollback','repair'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('folder_runs').where({ kind: 'repair' }).del();
  await knex.raw('alter table folder_runs drop constraint folder_runs_kind_check');
  await knex.raw(
    `alter table folder_runs add constraint folder_runs_kind_check check (kind in ('cutover','rollback'))`,
  );
  await knex.schema.dropTable('alerts');
}
