import type { Knex } from 'knex';

/**
 * The two simulated platforms, one schema each (sim_legacy, sim_ecp2): folders, submissions, the intake log,
 * legacy's read-only switch, Client Connect's users and functions. They stand for the platforms' own databases;
 * the cutover never reads them, it goes through the simulator's HTTP admin API.
 *
 * These tables were made by the production migrations 20260101000600, 0700 and 1000 until the simulator got a
 * migration set of its own. Databases that ran those keep the tables (nothing is dropped: on the embedded stack
 * and in docker-compose the simulator's data lives there, and a production migration cannot tell whether a
 * simulator still uses it), so this migration is idempotent: it creates only what is missing, and adopts what
 * is there, including the columns 1000 added.
 */
export const PLATFORM_SCHEMAS = ['sim_legacy', 'sim_ecp2'] as const;

const platformTables = (s: string) => [
  `create schema if not exists ${s}`,
  `create table if not exists ${s}.folders (
     code varchar(16) constraint ${s}_folders_pkey primary key,
     cc_function varchar(32),
     filename_pattern text not null default '',
     -- open: accepts submissions; frozen: refuses them during a cutover; closed: not on this platform
     intake varchar(8) not null constraint ${s}_folders_intake_check check (intake in ('open','frozen','closed')),
     visible boolean not null,
     changed_at timestamptz not null default now())`,
  `alter table ${s}.folders add column if not exists direction varchar(8) not null default 'submit'`,
  `alter table ${s}.folders add column if not exists input_date_meaning text not null default ''`,
  `alter table ${s}.folders add column if not exists retired boolean not null default false`,
  `create table if not exists ${s}.submissions (
     id bigserial constraint ${s}_submissions_pkey primary key,
     folder_code varchar(16) not null constraint ${s}_submissions_folder_fkey references ${s}.folders (code),
     participant varchar(5) not null,
     user_email text not null,
     filename text not null,
     input_date date not null,
     sha256 varchar(64) not null,
     size integer not null,
     content bytea not null,
     -- pending → processed on legacy; handed_over when a drain moved it to the other platform
     status varchar(12) not null default 'processed' constraint ${s}_submissions_status_check check (status in ('pending','processed','handed_over')),
     handed_over_from varchar(16),
     received_at timestamptz not null default now(),
     processed_at timestamptz,
     -- FAQ C.25: the same filename again overwrites
     constraint ${s}_submissions_file_key unique (folder_code, participant, filename))`,
  `create index if not exists ${s}_submissions_pending_idx on ${s}.submissions (folder_code) where status = 'pending'`,
  // Every intake attempt, accepted or refused: for I1/I3 checks and the decommission's quiet period.
  `create table if not exists ${s}.intake_log (
     id bigserial constraint ${s}_intake_log_pkey primary key,
     at timestamptz not null default now(),
     folder_code varchar(16) not null,
     participant varchar(5) not null,
     filename text not null,
     accepted boolean not null,
     code varchar(8),
     sha256 varchar(64))`,
  `create index if not exists ${s}_intake_log_folder_idx on ${s}.intake_log (folder_code, at)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const s of PLATFORM_SCHEMAS) for (const sql of platformTables(s)) await knex.raw(sql);
  // A decommissioned legacy ECP is read-only: no intake anywhere.
  await knex.raw(`create table if not exists sim_legacy.platform (
     singleton boolean default true constraint sim_legacy_platform_pkey primary key constraint sim_legacy_platform_singleton_check check (singleton),
     read_only boolean not null default false,
     changed_at timestamptz not null default now())`);
  await knex.raw('insert into sim_legacy.platform (singleton) values (true) on conflict do nothing');
  // Client Connect (ECP 2.0's source of users and functions, FAQ B.4–B.7): a user may serve several participants (B.14).
  await knex.raw(`create table if not exists sim_ecp2.cc_users (
     participant_code varchar(5) not null,
     email text not null,
     role varchar(8) not null constraint sim_ecp2_cc_users_role_check check (role in ('admin','operator')),
     sftp_key_registered boolean not null default false,
     ip_registered boolean not null default false,
     changed_at timestamptz not null default now(),
     constraint sim_ecp2_cc_users_pkey primary key (participant_code, email))`);
  await knex.raw('create index if not exists sim_ecp2_cc_users_email_idx on sim_ecp2.cc_users (email)');
  await knex.raw(`create table if not exists sim_ecp2.user_functions (
     user_email text not null,
     function varchar(32) not null,
     constraint sim_ecp2_user_functions_pkey primary key (user_email, function))`);
}

export async function down(knex: Knex): Promise<void> {
  for (const s of [...PLATFORM_SCHEMAS].reverse()) await knex.raw(`drop schema if exists ${s} cascade`);
}
