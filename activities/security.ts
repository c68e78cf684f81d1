import { ApplicationFailure } from '@temporalio/activity';
import { ForgedCommand, verifyCommand } from '../security/command-signing';

/**
 * Verifies the signed commands workflows receive (domain/commands.ts). The key lives here, in the worker,
 * and in the control API: never in workflow code, inputs or history.
 */
export function createSecurityActivities({ commandKey }: { commandKey: Buffer }) {
  return {
    /** The command's claims, if it was signed with the key for this workflow (and, for an Update, this run) and is fresh. */
    async verifyCommand(input: { command: unknown; action: string; workflowId: string; runId?: string }) {
      try {
        return verifyCommand(commandKey, input.command, {
          action: input.action,
          workflowId: input.workflowId,
          runId: input.runId,
          now: Date.now(),
        });
      } catch (err) {
        if (err instanceof ForgedCommand)
          throw ApplicationFailure.create({
            message: err.message,
            type: 'ForgedCommand',
            nonRetryable: true,
          });
        throw err;
      }
    },
  };
}
