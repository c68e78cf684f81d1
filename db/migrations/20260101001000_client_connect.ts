import type { Knex } from 'knex';

/**
 * FAQ fidelity, second pass (issue 17). Its parts for the platform simulator (Client Connect's users, the
 * folders' direction, Input Date meaning and retirement on the simulated platforms) moved to the simulator's own
 * migration set (simulator/migrations; see 20260101000600_simulator).
 *
 * A retired folder is closed and hidden on legacy with the batch that says so (`batch plan --retire`), or at the
 * decommission: `batch_retires` keeps each batch's retirements (at most one unfinished per folder, as
 * batch_folders does for moves), `folders.retired_at` says when it happened. The public views
 * learn the retirement, the appendix learns the direction (submission and download folders are listed apart)
 * and the batch of a folder moved before this tool existed (`db seed --as-of`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('folders', (t) => t.timestamp('retired_at', { useTz: true }).nullable());
  await knex.schema.createTable('batch_retires', (t) => {
    t.string('batch_id', 32)
      .notNullable()
      .references('id')
      .inTable('batches')
      .onDelete('CASCADE')
      .withKeyName('batch_retires_batch_fkey');
    t.string('folder_code', 16)
      .notNullable()
      .references('code')
      .inTable('folders')
      .withKeyName('batch_retires_folder_fkey');
    /** pending → retired | refused (the platform said no); not_retired: the batch ended before its start. */
    t.string('status', 16).notNullable().defaultTo('pending');
    t.text('failure').nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.primary(['batch_id', 'folder_code'], { constraintName: 'batch_retires_pkey' });
    t.check(`status in ('pending','retired','refused','not_retired')`, [], 'batch_retires_status_check');
  });
  await knex.raw(
    'create unique index batch_retires_one_active_idx on batch_retires (folder_code) where active',
  );
  // New columns go last: `create or replace view` keeps the ones before.
  await knex.raw(`create or replace view portal.folders as
    select f.code, f.name_en, f.name_zh, f.market, f.direction, f.placement, f.live_since,
           b.id as planned_batch, b.planned_at as planned_at,
           f.retired_at, rb.id as retire_batch, rb.planned_at as retire_at
    from public.folders f
    left join portal.batch_folders bf on bf.folder_code = f.code and bf.active
    left join portal.batches b on b.id = bf.batch_id
    left join public.batch_retires br on br.folder_code = f.code and (br.active or br.status = 'retired')
    left join portal.batches rb on rb.id = br.batch_id`);
  await knex.raw(`create or replace view portal.appendix as
    select f.code, f.name_en, f.name_zh, f.market, f.live_since,
           coalesce(
             (select r.batch_id from public.folder_runs r where r.folder_code = f.code and r.kind = 'cutover' and r.status = 'succeeded' order by r.id desc limit 1),
             (select bf.batch_id from public.batch_folders bf join public.batches b on b.id = bf.batch_id where bf.folder_code = f.code and bf.status = 'live' order by b.planned_at desc limit 1)
           ) as batch_id,
           f.direction
    from public.folders f where f.placement = 'live'`);
}

export async function down(knex: Knex): Promise<void> {
  // Views cannot drop columns: put back the ones of 20260101000900.
  await knex.raw('drop view portal.appendix');
  await knex.raw('drop view portal.folders');
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
  await knex.schema.dropTable('batch_retires');
  await knex.schema.alterTable('folders', (t) => t.dropColumn('retired_at'));
}
