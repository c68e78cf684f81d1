import type { Knex } from 'knex';

/** A platform-wide switch: a decommissioned legacy ECP is read-only (no intake anywhere). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('sim_legacy').createTable('platform', (t) => {
    t.boolean('singleton').primary({ constraintName: 'sim_legacy_platform_pkey' }).defaultTo(true);
    t.boolean('read_only').notNullable().defaultTo(false);
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('singleton', [], 'sim_legacy_platform_singleton_check');
  });
  await knex('sim_legacy.platform').insert({ singleton: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('sim_legacy').dropTable('platform');
}
