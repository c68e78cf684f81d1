import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ConflictError, NotAllowedError, NotFoundError } from '../domain/errors';

/**
 * Turns Temporal's refusals into domain errors (exit code 2) with the message a person needs: an Update's
 * validator or handler explains itself; a duplicate start or a missing workflow gets a next step.
 */
export async function refusalsAsDomainErrors<T>(
  what: string,
  fn: () => Promise<T>,
  hints: { alreadyStarted?: string; notFound?: string } = {},
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      let cause: unknown = err.cause;
      while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
      const message = `${what} refused: ${cause instanceof Error ? cause.message : err.message}`;
      // The workflow says whether this operator may not (a role, four eyes) or nobody may, in this state.
      if (cause instanceof ApplicationFailure && cause.type === 'Conflict')
        throw new ConflictError(message, { cause: err });
      throw new NotAllowedError(message, { cause: err });
    }
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new ConflictError(hints.alreadyStarted ?? `${what}: already running`, { cause: err });
    if (err instanceof WorkflowNotFoundError)
      throw new NotFoundError(hints.notFound ?? `${what}: no such workflow`, { cause: err });
    throw err;
  }
}
