import type { Knex } from 'knex';

/**
 * A batch's end tells every firm concerned each of its folders' outcome — moved, not moved, retired — in one
 * notice of kind `batch_outcome` (issue 26). The list is written out as it is now; test/integration/
 * migrations.test.ts checks that the constraint equals the list the code uses.
 */
const list = (values: string[]) => values.map((v) => `'${v}'`).join(',');
const KINDS_BEFORE = [
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
const KINDS = [...KINDS_BEFORE, 'batch_outcome'];

async function kinds(knex: Knex, values: string[]) {
  await knex.raw('alter table notices drop constraint notices_kind_check');
  await knex.raw(`alter table notices add constraint notices_kind_check check (kind in (${list(values)}))`);
}

export async function up(knex: Knex): Promise<void> {
  await kinds(knex, KINDS);
}

export async function down(knex: Knex): Promise<void> {
  await knex('notice_attempts')
    .whereIn('notice_id', knex('notices').where({ kind: 'batch_outcome' }).select('id'))
    .del();
  await knex('notices').where({ kind: 'batch_outcome' }).del();
  await kinds(knex, KINDS_BEFORE);
}
