import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One legacy platform, one decommission: the id is fixed ('legacy-ecp').
  await knex.schema.createTable('decommission', (t) => {
    t.string('id', 32).primary({ constraintName: 'decommission_pkey' });
    t.timestamp('planned_at', { useTz: true }).notNullable();
    t.string('status', 24).notNullable().defaultTo('awaiting_approval');
    t.string('requested_by', 64)
      .notNullable()
      .references('name')
      .inTable('operators')
      .withKeyName('decommission_requested_by_fkey');
    t.string('approved_by', 64)
      .nullable()
      .references('name')
      .inTable('operators')
      .withKeyName('decommission_approved_by_fkey');
    t.jsonb('gate').nullable();
    t.timestamp('gate_checked_at', { useTz: true }).nullable();
    t.timestamp('completed_at', { useTz: true }).nullable();
    t.timestamps(true, true, false);
    t.check(`id = 'legacy-ecp'`, [], 'decommission_singleton_check');
    t.check(
      `status in ('awaiting_approval','scheduled','blocked','running','completed','cancelled')`,
      [],
      'decommission_status_check',
    );
    t.check(`approved_by is null or approved_by <> requested_by`, [], 'decommission_four_eyes_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('decommission');
}
