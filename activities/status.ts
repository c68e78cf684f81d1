import type { Db } from '../db/connection';
import { appendEvent, runKey } from '../stores/events';

export interface StatusDeps {
  db: Db;
}

/** The smoke workflow's activity: one event, written once per workflow run. */
export function createStatusActivities({ db }: StatusDeps) {
  return {
    async recordSystemEvent(input: { reason: string; workflowId: string; runId: string }): Promise<number> {
      const key = runKey(input.workflowId, input.runId, 'smoke');
      await appendEvent(db, { key, actor: 'worker', entityType: 'system', entityId: 'smoke', reason: input.reason, workflowId: input.workflowId, runId: input.runId });
      return (await db('events').where({ idempotency_key: key }).first('id')).id as number;
    },
  };
}
