import type { Knex } from 'knex';

/**
 * Participants log in (FAQ A.1, A.3, A.15). Per platform: each user's login (ECP 2.0: the Client Connect login
 * ID, which is the user's registered email address, with a password hash and a TOTP secret; legacy: a login ID of
 * its own and a password hash), the failed attempts that lock it, and the sessions it opened (only a hash of
 * each session token). Folders learn their English name, for the participants' folder list.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence sim_legacy.login_id_seq');
  for (const s of ['sim_legacy', 'sim_ecp2']) {
    const loginId =
      s === 'sim_legacy' ? `default ('L' || lpad(nextval('sim_legacy.login_id_seq')::text, 6, '0'))` : '';
    await knex.raw(`create table ${s}.logins (
       email text constraint ${s}_logins_pkey primary key,
       login_id text not null ${loginId} constraint ${s}_logins_login_id_key unique,
       -- scrypt; null until the credentials are issued (simulator credentials)
       password_hash text,
       ${s === 'sim_ecp2' ? 'totp_secret text, last_otp_step bigint,' : ''}
       issued_at timestamptz,
       locked_at timestamptz,
       created_at timestamptz not null default now())`);
    await knex.raw(`create table ${s}.login_failures (
       email text not null constraint ${s}_login_failures_email_fkey references ${s}.logins (email) on delete cascade,
       at timestamptz not null default now())`);
    await knex.raw(`create index ${s}_login_failures_idx on ${s}.login_failures (email, at)`);
    await knex.raw(`create table ${s}.sessions (
       token_hash varchar(64) constraint ${s}_sessions_pkey primary key,
       email text not null constraint ${s}_sessions_email_fkey references ${s}.logins (email) on delete cascade,
       created_at timestamptz not null default now(),
       expires_at timestamptz not null)`);
    await knex.raw(`create index ${s}_sessions_email_idx on ${s}.sessions (email)`);
    await knex.raw(`alter table ${s}.folders add column name text not null default ''`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const s of ['sim_ecp2', 'sim_legacy']) {
    await knex.raw(`alter table ${s}.folders drop column name`);
    for (const t of ['sessions', 'login_failures', 'logins']) await knex.raw(`drop table ${s}.${t}`);
  }
  await knex.raw('drop sequence sim_legacy.login_id_seq');
}
