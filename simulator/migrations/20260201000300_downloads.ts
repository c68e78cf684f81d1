import type { Knex } from 'knex';

/**
 * Files HKEX puts in download folders for participants to fetch (FAQ C.21: ECP 2.0 keeps legacy's downloads and
 * adds SFTP), per platform: for every user who sees the folder, or for one participant's users only. Nothing a
 * participant submitted is ever here (FAQ C.26).
 */
export async function up(knex: Knex): Promise<void> {
  for (const s of ['sim_legacy', 'sim_ecp2']) {
    await knex.raw(`create table ${s}.downloads (
       id bigserial constraint ${s}_downloads_pkey primary key,
       folder_code varchar(16) not null constraint ${s}_downloads_folder_fkey references ${s}.folders (code),
       participant varchar(5),
       filename text not null,
       sha256 varchar(64) not null,
       size integer not null,
       content bytea not null,
       placed_at timestamptz not null default now())`);
    // One file of a name per folder and addressee (everyone, or one participant).
    await knex.raw(
      `create unique index ${s}_downloads_file_key on ${s}.downloads (folder_code, coalesce(participant, ''), filename)`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const s of ['sim_ecp2', 'sim_legacy']) await knex.raw(`drop table ${s}.downloads`);
}
