import type { Knex } from 'knex';

/**
 * Made legacy's read-only switch in the simulator's schema; that is the simulator's own migration set's now
 * (simulator/migrations). Kept by name, creates nothing: see 20260101000600_simulator.
 */
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}
