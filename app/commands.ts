import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Workflow,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { defaultPayloadConverter, type UpdateDefinition } from '@temporalio/common';
import type { CommandAction, SignedCommand } from '../domain/commands';
import { ConflictError } from '../domain/errors';
import { refusalsAsDomainErrors } from './temporal-errors';
import type { AppDeps, Operator } from './context';

const sign = <A>(
  deps: AppDeps,
  op: Operator,
  action: CommandAction,
  workflowId: string,
  runId: string | null,
  args: A,
): SignedCommand<A> =>
  deps.signer.sign({
    action,
    workflowId,
    runId,
    operator: op.name,
    roles: op.roles,
    credentialId: op.credentialId,
    source: op.source,
    args,
  });

/**
 * Starts a workflow with a signed command as its only input. A start whose answer is lost (a timeout after the
 * server accepted it) is resolved by looking: the workflow that exists carries the command's id in its memo,
 * so a retry finds its own start rather than a stranger's.
 */
export async function startWithCommand<A>(
  deps: AppDeps,
  op: Operator,
  action: CommandAction,
  workflow: Workflow,
  options: Omit<WorkflowStartOptions, 'args' | 'taskQueue' | 'memo'> & { workflowId: string },
  args: A,
  hints: { alreadyStarted: string },
): Promise<{ handle: WorkflowHandle; command: SignedCommand<A> }> {
  const command = sign(deps, op, action, options.workflowId, null, args);
  // Each call is bounded, so that an unreachable Temporal is reported within about COMMAND_TIMEOUT.
  const perAttemptMs = Math.max(1000, deps.config.commandTimeoutMs / 4);
  const bounded = <T>(fn: () => Promise<T>) =>
    deps.temporal.connection.withDeadline(Date.now() + perAttemptMs, fn);
  const mine = async () => {
    try {
      const d = await bounded(() => deps.temporal.workflow.getHandle(options.workflowId).describe());
      return d.memo?.command === command.id;
    } catch {
      return false;
    }
  };
  let policy = options.workflowIdReusePolicy ?? WorkflowIdReusePolicy.REJECT_DUPLICATE;
  let squatterEnded = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await bounded(() =>
        deps.temporal.workflow.start(workflow, {
          ...options,
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          args: [{ command }],
          memo: { command: command.id },
          workflowIdReusePolicy: policy,
        }),
      );
      return { handle, command };
    } catch (err) {
      if (await mine()) return { handle: deps.temporal.workflow.getHandle(options.workflowId), command };
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // The id is held by a run the control API did not start (no command signed with our key): it never
        // blocks the real operation. It is recorded, ended if it still runs, and the start goes on.
        if (squatterEnded || !(await endSquatter(deps, op, options.workflowId, action)))
          throw new ConflictError(hints.alreadyStarted, { cause: err });
        squatterEnded = true;
        policy = WorkflowIdReusePolicy.ALLOW_DUPLICATE;
        continue;
      }
      if (attempt >= 2) throw err;
    }
  }
}

/**
 * Looks at the latest run of a fixed workflow id: if its start carries no command signed with the control
 * API's key, it was started by hand (`temporal workflow start -w decommission-legacy-ecp ...`). Such a run is
 * recorded in the audit trail (by whom it was found, never what it carried) and, if it still runs, terminated.
 * Returns whether the id was held by such a run.
 */
async function endSquatter(
  deps: AppDeps,
  op: Operator,
  workflowId: string,
  action: CommandAction,
): Promise<boolean> {
  const handle = deps.temporal.workflow.getHandle(workflowId);
  const d = await handle.describe();
  const { history } = await deps.temporal.workflowService.getWorkflowExecutionHistory({
    namespace: deps.temporal.options.namespace,
    execution: { workflowId, runId: d.runId },
    maximumPageSize: 1,
  });
  const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  let input: unknown = null;
  try {
    input = payload ? defaultPayloadConverter.fromPayload(payload) : null;
  } catch {
    // not our encoding: not ours
  }
  if (deps.signer.isOurs((input as { command?: unknown } | null)?.command)) return false;
  const running = d.status.name === 'RUNNING';
  if (running)
    await handle.terminate(
      `not started by the control API (no signed command): ended so that ${action} by ${op.name} can start`,
    );
  await deps.stores.events.append({
    key: `unverified-run:${workflowId}:${d.runId}`,
    actor: op.name,
    entityType: 'system',
    entityId: workflowId,
    from: d.status.name.toLowerCase(),
    to: running ? 'unverified_run_terminated' : 'unverified_run_replaced',
    reason: `a run of ${workflowId} (type ${d.type}) that the control API did not start held the id: ${running ? 'terminated' : 'replaced'} so that ${action} could start`,
    workflowId,
    runId: d.runId,
    credentialId: op.credentialId,
    source: op.source,
  });
  return true;
}

/**
 * Waits until a started workflow has recorded its command (the event keyed by the command id), or has
 * refused it (the workflow closed with a reason). A worker that does not pick the workflow up in time is an
 * error, not a "yes": the command may still take effect later, and the message says how to look.
 */
export async function awaitRecorded(
  deps: AppDeps,
  handle: WorkflowHandle,
  commandId: string,
  what: string,
  look: string,
  reasonOf: (result: unknown) => string | null,
): Promise<void> {
  const deadline = Date.now() + deps.config.commandTimeoutMs;
  for (;;) {
    if ((await deps.stores.events.idOf(`command:${commandId}`)) !== undefined) return;
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') {
      const reason =
        d.status.name === 'COMPLETED'
          ? reasonOf(await handle.result())
          : `${what} ended ${d.status.name.toLowerCase()}`;
      throw new ConflictError(reason ?? `${what} was not recorded`);
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what} was handed to Temporal but is not recorded yet (is a worker running?): ${look}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sends one signed Update to the current run of a workflow; a refusal comes back as one clear line. */
export async function updateWithCommand<R, A>(
  deps: AppDeps,
  op: Operator,
  action: CommandAction,
  workflowId: string,
  def: UpdateDefinition<R, [SignedCommand<A>]>,
  args: A,
  what: string,
  notFound: string,
): Promise<R> {
  const handle = deps.temporal.workflow.getHandle(workflowId);
  return refusalsAsDomainErrors(
    what,
    async () => {
      const { runId } = await handle.describe();
      const command = sign(deps, op, action, workflowId, runId, args);
      return deps.temporal.workflow
        .getHandle(workflowId, runId)
        .executeUpdate(def, { args: [command], updateId: command.id });
    },
    { notFound },
  );
}
