import type { Knex } from 'knex';

/** FAQ B.11: at most 20 users (admins and operators) per firm. */
export const MAX_USERS_PER_PARTICIPANT = 20;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('participants', (t) => {
    t.string('code', 5).primary({ constraintName: 'participants_pkey' });
    t.text('name_en').notNullable();
    t.text('name_zh').notNullable().defaultTo('');
    t.specificType('user_types', 'text[]').notNullable();
    t.specificType('emails', 'text[]').notNullable();
    t.string('language', 8).notNullable().defaultTo('both');
    t.timestamps(true, true, false);
    t.check(`code ~ '^[0-9]{5}$'`, [], 'participants_code_check');
    t.check(`language in ('en','zh-Hant','both')`, [], 'participants_language_check');
  });
  await knex.raw('create index participants_user_types_idx on participants using gin (user_types)');

  await knex.schema.createTable('users', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'users_pkey' });
    t.string('participant_code', 5)
      .notNullable()
      .references('code')
      .inTable('participants')
      .onDelete('CASCADE')
      .withKeyName('users_participant_fkey');
    t.text('email').notNullable();
    t.string('role', 8).notNullable();
    t.specificType('functions', 'text[]').notNullable().defaultTo('{}');
    t.boolean('sftp_key_registered').notNullable().defaultTo(false);
    t.boolean('ip_registered').notNullable().defaultTo(false);
    t.unique(['participant_code', 'email'], { indexName: 'users_participant_email_key' });
    t.check(`role in ('admin','operator')`, [], 'users_role_check');
  });
  await knex.raw(`
    create function users_limit_per_participant() returns trigger language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(hashtext('users:' || new.participant_code));
      if (select count(*) from users where participant_code = new.participant_code) > ${MAX_USERS_PER_PARTICIPANT} then
        raise exception 'participant % would have more than ${MAX_USERS_PER_PARTICIPANT} users (FAQ B.11)', new.participant_code
          using errcode = 'check_violation', constraint = 'users_max_per_participant';
      end if;
      return null;
    end $$;
    create constraint trigger users_max_per_participant after insert or update of participant_code on users
      for each row execute function users_limit_per_participant();
  `);

  // Folders a participant submitted by SFTP on legacy: readiness then also needs EU_ECPSFTP with key and IP.
  await knex.schema.createTable('participant_sftp_folders', (t) => {
    t.string('participant_code', 5)
      .notNullable()
      .references('code')
      .inTable('participants')
      .onDelete('CASCADE')
      .withKeyName('participant_sftp_folders_participant_fkey');
    t.string('folder_code', 16)
      .notNullable()
      .references('code')
      .inTable('folders')
      .withKeyName('participant_sftp_folders_folder_fkey');
    t.primary(['participant_code', 'folder_code'], { constraintName: 'participant_sftp_folders_pkey' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('participant_sftp_folders');
  await knex.schema.dropTable('users');
  await knex.raw('drop function users_limit_per_participant()');
  await knex.schema.dropTable('participants');
}
