import type { Knex } from 'knex';

/**
 * The platform simulator's own schemas, one per platform (sim_legacy, sim_ecp2). They stand for the
 * platforms' databases: the cutover never reads them, it goes through the simulator's HTTP admin API.
 */
export const SIM_SCHEMAS = ['sim_legacy', 'sim_ecp2'] as const;

export async function up(knex: Knex): Promise<void> {
  for (const s of SIM_SCHEMAS) {
    await knex.schema.createSchema(s);
    await knex.schema.withSchema(s).createTable('folders', (t) => {
      t.string('code', 16).primary({ constraintName: `${s}_folders_pkey` });
      t.string('cc_function', 32).nullable();
      t.text('filename_pattern').notNullable().defaultTo('');
      /** open: accepts submissions; frozen: refuses them during a cutover; closed: not on this platform. */
      t.string('intake', 8).notNullable();
      t.boolean('visible').notNullable();
      t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check(`intake in ('open','frozen','closed')`, [], `${s}_folders_intake_check`);
    });
    await knex.schema.withSchema(s).createTable('submissions', (t) => {
      t.bigIncrements('id', { primaryKey: false });
      t.primary(['id'], { constraintName: `${s}_submissions_pkey` });
      t.string('folder_code', 16).notNullable().references('code').inTable(`${s}.folders`).withKeyName(`${s}_submissions_folder_fkey`);
      t.string('participant', 5).notNullable();
      t.text('user_email').notNullable();
      t.text('filename').notNullable();
      t.date('input_date').notNullable();
      t.string('sha256', 64).notNullable();
      t.integer('size').notNullable();
      t.binary('content').notNullable();
      /** pending → processed on legacy; handed_over when a drain moved it to ECP 2.0. */
      t.string('status', 12).notNullable().defaultTo('processed');
      t.string('handed_over_from', 16).nullable();
      t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('processed_at', { useTz: true }).nullable();
      // FAQ C.25: the same filename again overwrites.
      t.unique(['folder_code', 'participant', 'filename'], { indexName: `${s}_submissions_file_key` });
      t.check(`status in ('pending','processed','handed_over')`, [], `${s}_submissions_status_check`);
    });
    await knex.raw(`create index ${s}_submissions_pending_idx on ${s}.submissions (folder_code) where status = 'pending'`);
    // Every intake attempt, accepted or refused: for I1/I3 checks and the decommission quiet period.
    await knex.schema.withSchema(s).createTable('intake_log', (t) => {
      t.bigIncrements('id', { primaryKey: false });
      t.primary(['id'], { constraintName: `${s}_intake_log_pkey` });
      t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.string('folder_code', 16).notNullable();
      t.string('participant', 5).notNullable();
      t.text('filename').notNullable();
      t.boolean('accepted').notNullable();
      t.string('code', 8).nullable();
      t.string('sha256', 64).nullable();
      t.index(['folder_code', 'at'], `${s}_intake_log_folder_idx`);
    });
    // ECP 2.0 access comes from Client Connect functions (FAQ B.5); legacy had its own credentials (FAQ A.1).
    await knex.schema.withSchema(s).createTable('user_functions', (t) => {
      t.text('user_email').notNullable();
      t.string('function', 32).notNullable();
      t.primary(['user_email', 'function'], { constraintName: `${s}_user_functions_pkey` });
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const s of [...SIM_SCHEMAS].reverse()) await knex.raw(`drop schema ${s} cascade`);
}
