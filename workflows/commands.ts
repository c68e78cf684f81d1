import type { UpdateDefinition } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createSecurityActivities } from '../activities/security';
import type { CommandAction, CommandClaims, SignedCommand } from '../domain/commands';
import { refused, type Interpreter } from './interpreter';

const security = proxyLocalActivities<ReturnType<typeof createSecurityActivities>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', maximumInterval: '5s', nonRetryableErrorTypes: ['ForgedCommand'] },
});

/** The reason a forged command was refused, or rethrows anything else. */
function forgery(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === 'ForgedCommand') return cause.message;
  throw err;
}

/**
 * Verifies a signed command (an activity: the key stays out of workflow code and history) for this workflow
 * run; returns its claims, or throws the refusal. Used for the start command and for every Update.
 */
export async function verified<A>(
  command: SignedCommand<A>,
  action: CommandAction,
  opts: { update: boolean },
): Promise<CommandClaims<A>> {
  const { workflowId, runId } = workflowInfo();
  try {
    return (await security.verifyCommand({
      command,
      action,
      workflowId,
      runId: opts.update ? runId : undefined,
    })) as CommandClaims<A>;
  } catch (err) {
    throw refused(`${action} refused: ${forgery(err)}`, 'forbidden');
  }
}

/**
 * An Update that carries a signed command. The synchronous validator refuses, without a trace in the
 * history, what the claims already show to be wrong (another workflow, a command seen before, a transition
 * the machine refuses); the handler verifies the signature first, then applies the verified command and
 * answers with the new state once its writes are done.
 */
export function commandUpdates<S, C, E, V>(it: Interpreter<S, C, E>, view: (s: S) => V, seen: Set<string>) {
  return <A>(
    def: UpdateDefinition<V, [SignedCommand<A>]>,
    action: CommandAction,
    toCommand: (claims: CommandClaims<A>) => C,
  ): void => register(it, view, seen, def, action, toCommand);
}

function register<S, C, E, V, A>(
  it: Interpreter<S, C, E>,
  view: (s: S) => V,
  seen: Set<string>,
  def: UpdateDefinition<V, [SignedCommand<A>]>,
  action: CommandAction,
  toCommand: (claims: CommandClaims<A>) => C,
): void {
  const claimed = (command: SignedCommand<A>): C => {
    const { workflowId, runId } = workflowInfo();
    if (!command || typeof command !== 'object' || command.action !== action)
      throw refused(`${action} refused: not a ${action} command`, 'forbidden');
    if (command.workflowId !== workflowId || command.runId !== runId)
      throw refused(`${action} refused: the command is for another workflow or run`, 'forbidden');
    if (seen.has(command.id)) throw refused(`${action} refused: command ${command.id} was applied already`);
    try {
      return toCommand(command);
    } catch (err) {
      throw refused(
        `${action} refused: the command's arguments are malformed (${err instanceof Error ? err.message : 'unreadable'})`,
      );
    }
  };
  setHandler(
    def,
    async (command) => {
      const claims = await verified(command, action, { update: true });
      if (seen.has(claims.id)) throw refused(`${action} refused: command ${claims.id} was applied already`);
      seen.add(claims.id);
      return view(await it.command(toCommand(claims as CommandClaims<A>)));
    },
    { validator: (command) => it.check(claimed(command)) },
  );
}
