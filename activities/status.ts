import type { EventStore } from '../stores/event-store';
import { runKey } from '../stores/events';

export interface StatusDeps {
  events: EventStore;
}

/** The smoke workflow's activity: one event, written once per workflow run. */
export function createStatusActivities({ events }: StatusDeps) {
  return {
    async recordSystemEvent(input: { reason: string; workflowId: string; runId: string }): Promise<number> {
      const key = runKey(input.workflowId, input.runId, 'smoke');
      await events.append({ key, actor: 'worker', entityType: 'system', entityId: 'smoke', reason: input.reason, workflowId: input.workflowId, runId: input.runId });
      const id = await events.idOf(key);
      if (id === undefined) throw new Error(`event ${key} is not in the audit trail after it was appended`);
      return id;
    },
  };
}
