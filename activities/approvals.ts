import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/connection';
import { isDomainError } from '../domain/errors';
import { requireRole, type Role } from '../stores/operator-store';

/** Activities behind the four-eyes Updates: role checks against the database, and the audit trail. */
export function createApprovalActivities({ db }: { db: Db }) {
  return {
    async checkOperatorRole(input: { name: string; role: Role }): Promise<void> {
      try {
        await requireRole(db, input.name, input.role);
      } catch (err) {
        if (isDomainError(err)) throw ApplicationFailure.create({ message: err.message, type: 'NotAllowed', nonRetryable: true });
        throw err;
      }
    },

    /** One event, written once per key (a retried activity adds nothing). */
    async recordEvent(input: {
      entityType: 'folder' | 'batch' | 'decommission';
      entityId: string;
      actor: string;
      from: string | null;
      to: string | null;
      reason: string | null;
      workflowId: string;
      runId: string;
      key: string;
    }): Promise<void> {
      await db('events')
        .insert({
          actor: input.actor, entity_type: input.entityType, entity_id: input.entityId, from_state: input.from, to_state: input.to,
          reason: input.reason, workflow_id: input.workflowId, run_id: input.runId, idempotency_key: `${input.workflowId}/${input.runId}/${input.key}`,
        })
        .onConflict('idempotency_key')
        .ignore();
    },
  };
}
