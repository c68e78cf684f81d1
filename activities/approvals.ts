import { ApplicationFailure } from '@temporalio/activity';
import type { CommandClaims, SwitchBackRequestArgs } from '../domain/commands';
import { isDomainError } from '../domain/errors';
import type { Role } from '../domain/operators';
import type { ApprovalStore } from '../stores/approval-store';
import type { EventStore } from '../stores/event-store';
import { runKey } from '../stores/events';

export interface ApprovalDeps {
  approvals: ApprovalStore;
  events: EventStore;
}

/** Activities of the switch-back request and the audit trail. */
export function createApprovalActivities({ approvals, events }: ApprovalDeps) {
  return {
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
      await events.append({ ...input, key: runKey(input.workflowId, input.runId, input.key) });
    },

    /** A verified switch-back request → its event, if the folder is live; otherwise the reason it cannot be. */
    async recordSwitchBackRequest(input: {
      command: CommandClaims<SwitchBackRequestArgs>;
      workflowId: string;
      runId: string;
    }): Promise<{ ok: true } | { ok: false; reason: string }> {
      return approvals.recordSwitchBackRequest(input.command, input.workflowId, input.runId);
    },

    // Version 1 of the switch-back and batch workflows (workflows/v1) still call this.
    async checkOperatorRole(input: { name: string; role: Role }): Promise<void> {
      try {
        await approvals.requireRole(input.name, input.role);
      } catch (err) {
        if (isDomainError(err))
          throw ApplicationFailure.create({ message: err.message, type: 'NotAllowed', nonRetryable: true });
        throw err;
      }
    },
  };
}
