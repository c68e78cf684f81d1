import type { Knex } from 'knex';
import { PLACEMENTS } from '../../domain/placement';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('folders', (t) => {
    t.string('code', 16).primary({ constraintName: 'folders_pkey' });
    t.text('name_en').notNullable();
    t.text('name_zh').notNullable();
    t.text('market').notNullable();
    t.text('hkex_entity').notNullable().defaultTo('');
    t.string('direction', 8).notNullable();
    t.specificType('user_types', 'text[]').notNullable();
    t.string('cc_function', 32).nullable();
    t.text('filename_pattern').notNullable().defaultTo('');
    t.text('input_date_meaning').notNullable().defaultTo('');
    t.boolean('sftp').notNullable().defaultTo(false);
    t.text('provenance').notNullable().defaultTo('');
    t.string('proposed_batch', 16).nullable();
    t.string('placement', 16).notNullable();
    t.timestamp('placement_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('live_since', { useTz: true }).nullable();
    t.text('last_failure').nullable();
    t.timestamps(true, true, false);
    t.check(`placement in (${PLACEMENTS.map((p) => `'${p}'`).join(',')})`, [], 'folders_placement_check');
    t.check(`direction in ('submit','download','both')`, [], 'folders_direction_check');
    t.index(['placement'], 'folders_placement_idx');
    t.index(['market'], 'folders_market_idx');
  });

  await knex.schema.createTable('operators', (t) => {
    t.string('name', 64).primary({ constraintName: 'operators_pkey' });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`name ~ '^[a-z][a-z0-9_.-]*$'`, [], 'operators_name_check');
  });
  await knex.schema.createTable('operator_roles', (t) => {
    t.string('operator', 64)
      .notNullable()
      .references('name')
      .inTable('operators')
      .onDelete('CASCADE')
      .withKeyName('operator_roles_operator_fkey');
    t.string('role', 16).notNullable();
    t.primary(['operator', 'role'], { constraintName: 'operator_roles_pkey' });
    t.check(`role in ('planner','approver','support')`, [], 'operator_roles_role_check');
  });

  // The audit trail: append-only (a trigger refuses UPDATE and DELETE).
  await knex.schema.createTable('events', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'events_pkey' });
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('actor', 64).notNullable();
    t.string('entity_type', 16).notNullable();
    t.string('entity_id', 64).notNullable();
    t.string('from_state', 32).nullable();
    t.string('to_state', 32).nullable();
    t.text('reason').nullable();
    t.string('workflow_id', 255).nullable();
    t.string('run_id', 64).nullable();
    t.jsonb('data').nullable();
    /** Set by activities (workflow, run, step): a retried activity cannot write the same event twice. */
    t.string('idempotency_key', 255).nullable();
    t.unique(['idempotency_key'], { indexName: 'events_idempotency_key' });
    t.check(
      `entity_type in ('folder','batch','participant','notice','decommission','system')`,
      [],
      'events_entity_type_check',
    );
    t.index(['entity_type', 'entity_id', 'id'], 'events_entity_idx');
  });
  await knex.raw(`
    create function events_append_only() returns trigger language plpgsql as $$
    begin raise exception 'events is append-only (% refused)', tg_op; end $$;
    create trigger events_append_only before update or delete on events
      for each row execute function events_append_only();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('events');
  await knex.raw('drop function events_append_only()');
  await knex.schema.dropTable('operator_roles');
  await knex.schema.dropTable('operators');
  await knex.schema.dropTable('folders');
}
