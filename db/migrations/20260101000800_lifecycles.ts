import type { Knex } from 'knex';

/**
 * The lifecycle machines (domain/*-lifecycle.ts): a batch may be `aborting` while started folders finish; a
 * batch called off after its announcement tells firms (`batch_cancelled`); queued announcements of a stopped
 * batch are `withdrawn`, never sent. Events carry the verified operator's credential id and where the
 * command came from, and operators' administration is an event too.
 *
 * The lists are written out here, as they were when this migration was written; test/integration/
 * migrations.test.ts checks that the constraints in the database equal the lists the code uses.
 */
const list = (values: string[]) => values.map((v) => `'${v}'`).join(',');
const BATCH = [
  'awaiting_approval',
  'approved',
  'announced',
  'blocked_on_readiness',
  'running',
  'paused',
  'aborting',
  'completed',
  'completed_with_failures',
  'aborted',
  'rejected',
  'expired',
];
const BATCH_BEFORE = [
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
];
const KINDS = [
  'batch_announced',
  'batch_reminder',
  'folders_live',
  'batch_cancelled',
  'folder_switched_back',
  'readiness_action_needed',
  'decommission_scheduled',
  'decommission_reminder',
  'legacy_decommissioned',
];
const KINDS_BEFORE = KINDS.filter((k) => k !== 'batch_cancelled');
const NOTICE_STATUS = ['queued', 'sending', 'sent', 'failed', 'withdrawn'];
const NOTICE_STATUS_BEFORE = NOTICE_STATUS.filter((s) => s !== 'withdrawn');
const ENTITIES = ['folder', 'batch', 'participant', 'notice', 'decommission', 'system', 'operator'];
const ENTITIES_BEFORE = ENTITIES.filter((e) => e !== 'operator');

async function check(knex: Knex, table: string, name: string, column: string, values: string[]) {
  await knex.raw(`alter table ?? drop constraint ??`, [table, name]);
  await knex.raw(`alter table ?? add constraint ?? check (?? in (${list(values)}))`, [table, name, column]);
}

export async function up(knex: Knex): Promise<void> {
  await check(knex, 'batches', 'batches_status_check', 'status', BATCH);
  await check(knex, 'notices', 'notices_kind_check', 'kind', KINDS);
  await check(knex, 'notices', 'notices_status_check', 'status', NOTICE_STATUS);
  await check(knex, 'events', 'events_entity_type_check', 'entity_type', ENTITIES);
  await knex.schema.alterTable('events', (t) => {
    t.string('credential_id', 64).nullable();
    t.string('source', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('credential_id');
    t.dropColumn('source');
  });
  await check(knex, 'events', 'events_entity_type_check', 'entity_type', ENTITIES_BEFORE);
  await check(knex, 'notices', 'notices_status_check', 'status', NOTICE_STATUS_BEFORE);
  await check(knex, 'notices', 'notices_kind_check', 'kind', KINDS_BEFORE);
  await check(knex, 'batches', 'batches_status_check', 'status', BATCH_BEFORE);
}
