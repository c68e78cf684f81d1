import type { Knex } from 'knex';

/**
 * SFTP on ECP 2.0 (FAQ C.21–C.22): the public keys and the source addresses each user registered. A user logs in
 * over SFTP with one of their keys, from one of their addresses, if they hold EU_ECPSFTP (FAQ B.6).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table sim_ecp2.sftp_keys (
     email text not null constraint sim_ecp2_sftp_keys_email_fkey references sim_ecp2.logins (email) on delete cascade,
     -- SHA256:… as ssh-keygen -l prints it; the key itself in SSH wire format
     fingerprint text not null,
     key_type text not null,
     public_key bytea not null,
     registered_at timestamptz not null default now(),
     constraint sim_ecp2_sftp_keys_pkey primary key (email, fingerprint))`);
  await knex.raw(`create table sim_ecp2.sftp_ips (
     email text not null constraint sim_ecp2_sftp_ips_email_fkey references sim_ecp2.logins (email) on delete cascade,
     ip inet not null,
     registered_at timestamptz not null default now(),
     constraint sim_ecp2_sftp_ips_pkey primary key (email, ip))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table sim_ecp2.sftp_ips');
  await knex.raw('drop table sim_ecp2.sftp_keys');
}
