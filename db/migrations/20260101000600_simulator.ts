import type { Knex } from 'knex';

/**
 * Made the platform simulator's schemas (sim_legacy, sim_ecp2) until the simulator got a migration set of its
 * own (simulator/migrations), run only where a simulator runs. Kept by name because knex lists applied
 * migrations by name; it creates nothing now. Databases that ran it earlier keep those schemas, and the
 * simulator's set adopts them (it creates only what is missing). Nothing is dropped by a production migration:
 * on the embedded stack and in docker-compose the simulator's data lives in those schemas of the same database,
 * and a migration here cannot tell whether a simulator still uses them.
 */
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}
