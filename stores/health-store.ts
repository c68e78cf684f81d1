import type { Db } from '../db/connection';

/** Is PostgreSQL there: the health checks of the servers, and the smoke workflow's one read. */
export interface HealthStore {
  ping(): Promise<void>;
  /** The database's own clock (ISO instant). */
  clock(): Promise<string>;
}

export function createHealthStore(db: Db): HealthStore {
  return {
    async ping() {
      await db.raw('select 1');
    },
    async clock() {
      const { rows } = await db.raw<{ rows: { now: Date }[] }>('select now() as now');
      return rows[0].now.toISOString();
    },
  };
}
