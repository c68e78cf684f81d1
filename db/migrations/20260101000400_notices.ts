import type { Knex } from 'knex';

// As they were when this migration was written (20260101000800 changed them).
const NOTICE_KINDS = [
  'batch_announced',
  'batch_reminder',
  'folders_live',
  'folder_switched_back',
  'readiness_action_needed',
  'decommission_scheduled',
  'decommission_reminder',
  'legacy_decommissioned',
] as const;

export async function up(knex: Knex): Promise<void> {
  // The outbox. I6: the idempotency key (kind, subject, participant) is unique, so a retried fan-out
  // activity cannot queue a second copy.
  await knex.schema.createTable('notices', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'notices_pkey' });
    t.string('kind', 32).notNullable();
    t.string('subject_id', 64).notNullable();
    t.string('participant_code', 5)
      .notNullable()
      .references('code')
      .inTable('participants')
      .withKeyName('notices_participant_fkey');
    t.specificType('recipients', 'text[]').notNullable();
    t.text('subject').notNullable();
    t.text('body_text').notNullable();
    t.jsonb('folders').notNullable().defaultTo('[]');
    t.string('status', 12).notNullable().defaultTo('queued');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true }).nullable();
    t.text('message_id').nullable();
    t.unique(['kind', 'subject_id', 'participant_code'], { indexName: 'notices_idempotency_key' });
    t.check(`kind in (${NOTICE_KINDS.map((k) => `'${k}'`).join(',')})`, [], 'notices_kind_check');
    t.check(`status in ('queued','sending','sent','failed')`, [], 'notices_status_check');
    t.index(['participant_code', 'id'], 'notices_participant_idx');
  });
  await knex.raw(
    `create index notices_pending_idx on notices (next_attempt_at) where status in ('queued','sending')`,
  );

  await knex.schema.createTable('notice_attempts', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'notice_attempts_pkey' });
    t.bigInteger('notice_id')
      .notNullable()
      .references('id')
      .inTable('notices')
      .onDelete('CASCADE')
      .withKeyName('notice_attempts_notice_fkey');
    t.timestamp('attempted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('outcome', 8).notNullable();
    t.text('smtp_response').nullable();
    t.text('message_id').nullable();
    t.check(`outcome in ('sent','failed')`, [], 'notice_attempts_outcome_check');
    t.index(['notice_id'], 'notice_attempts_notice_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notice_attempts');
  await knex.schema.dropTable('notices');
}
