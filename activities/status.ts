import type { Db } from '../db/connection';

export interface StatusDeps {
  db: Db;
}

/** Activities that write the migration status and the audit trail to PostgreSQL. */
export function createStatusActivities({ db }: StatusDeps) {
  return {
    async recordSystemEvent(input: { reason: string; workflowId: string; runId: string }): Promise<number> {
      // Idempotent on (workflow, run): a retried activity finds the row it wrote before.
      return db.transaction(async (trx) => {
        const existing = await trx('events')
          .where({ entity_type: 'system', workflow_id: input.workflowId, run_id: input.runId })
          .first('id');
        if (existing) return existing.id as number;
        const [row] = await trx('events')
          .insert({
            actor: 'worker',
            entity_type: 'system',
            entity_id: 'smoke',
            reason: input.reason,
            workflow_id: input.workflowId,
            run_id: input.runId,
          })
          .returning('id');
        return row.id as number;
      });
    },
  };
}
