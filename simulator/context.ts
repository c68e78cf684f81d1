import type { Knex } from 'knex';
import type { Faults } from './faults';

/** What the simulator's routes and its SFTP server share. */
export interface SimContext {
  db: Knex;
  faults: Faults;
  /** The key users' credentials are derived from (credentials.ts). */
  credentialKey: Buffer;
}
