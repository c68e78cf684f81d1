import type { Knex } from 'knex';

/**
 * The authenticated control plane: operators' tokens (stored only as a slow hash), and the views the public
 * portal reads — it is granted nothing else (db/grants.ts). A batch is public once approved: the list below is
 * PUBLIC_BATCH_STATUSES of domain/batch-lifecycle.ts as it stood when this was written (the migration test
 * checks the view against it).
 */
const PUBLIC = [
  'approved',
  'announced',
  'blocked_on_readiness',
  'running',
  'paused',
  'aborting',
  'completed',
  'completed_with_failures',
  'aborted',
];
const inPublic = `(${PUBLIC.map((s) => `'${s}'`).join(',')})`;

export async function up(knex: Knex): Promise<void> {
  // The workflow run a batch (or the decommission) belongs to: a reset run of the same workflow may not write
  // its status, nor start its folders (stores/batch-store.ts, stores/run-store.ts).
  await knex.schema.alterTable('batches', (t) => t.string('run_id', 64).nullable());
  await knex.schema.alterTable('decommission', (t) => t.string('run_id', 64).nullable());
  await knex.schema.createTable('operator_tokens', (t) => {
    t.string('id', 32).primary({ constraintName: 'operator_tokens_pkey' });
    t.string('operator', 64)
      .notNullable()
      .references('name')
      .inTable('operators')
      .withKeyName('operator_tokens_operator_fkey');
    /** scrypt$N$r$p$salt$hash: the token itself is shown once and never stored. */
    t.text('secret_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('created_by', 64).notNullable();
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.index(['operator'], 'operator_tokens_operator_idx');
  });
  // OIDC mode: an operator name is bound to one identity of the provider (issuer + subject) the first time it is
  // seen, so that a name a user may edit at the provider cannot be taken over (four eyes compares names).
  await knex.schema.createTable('oidc_identities', (t) => {
    t.string('name', 64)
      .primary({ constraintName: 'oidc_identities_pkey' })
      .references('name')
      .inTable('operators')
      .withKeyName('oidc_identities_name_fkey');
    t.string('issuer', 255).notNullable();
    t.string('subject', 255).notNullable();
    t.timestamp('bound_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['issuer', 'subject'], { indexName: 'oidc_identities_subject_key' });
  });
  // `operator revoke` blocks the name too: in OIDC mode there is no token of ours to revoke.
  await knex.schema.alterTable('operators', (t) => t.timestamp('blocked_at', { useTz: true }).nullable());

  await knex.raw('create schema portal');
  await knex.raw(`create view portal.batches as
    select id, name, planned_at, status from public.batches where status in ${inPublic}`);
  await knex.raw(`create view portal.batch_folders as
    select bf.batch_id, bf.folder_code, bf.status, bf.active from public.batch_folders bf join portal.batches b on b.id = bf.batch_id`);
  await knex.raw(`create view portal.folders as
    select f.code, f.name_en, f.name_zh, f.market, f.direction, f.placement, f.live_since,
           b.id as planned_batch, b.planned_at as planned_at
    from public.folders f
    left join portal.batch_folders bf on bf.folder_code = f.code and bf.active
    left join portal.batches b on b.id = bf.batch_id`);
  await knex.raw(`create view portal.appendix as
    select f.code, f.name_en, f.name_zh, f.market, f.live_since,
           (select r.batch_id from public.folder_runs r where r.folder_code = f.code and r.kind = 'cutover' and r.status = 'succeeded' order by r.id desc limit 1) as batch_id
    from public.folders f where f.placement = 'live'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema portal cascade');
  await knex.schema.alterTable('operators', (t) => t.dropColumn('blocked_at'));
  await knex.schema.dropTable('oidc_identities');
  await knex.schema.dropTable('operator_tokens');
  await knex.schema.alterTable('decommission', (t) => t.dropColumn('run_id'));
  await knex.schema.alterTable('batches', (t) => t.dropColumn('run_id'));
}
