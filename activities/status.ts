import type { HealthStore } from '../stores/health-store';

export interface StatusDeps {
  health: HealthStore;
}

/**
 * The smoke workflow's activity: one read of PostgreSQL. The smoke workflow is unsigned (anyone who reaches
 * Temporal may start it), so it writes nothing — least of all to the audit trail.
 */
export function createStatusActivities({ health }: StatusDeps) {
  return {
    async databaseClock(): Promise<string> {
      return health.clock();
    },
  };
}
