import { ApplicationFailure } from '@temporalio/workflow';
import { malformedStart, type CommandAction, type SignedCommand } from '../domain/commands';
import { cleanText } from '../domain/text';

/**
 * The start command of a workflow the control API starts, or the run fails at once (non-retryably) with
 * what is wrong: a start by hand with no command or a malformed one never builds state, never writes, and
 * never leaves a run whose task fails for ever.
 */
export function startCommand<A>(input: unknown, action: CommandAction): SignedCommand<A> {
  const problem = malformedStart(input, action);
  if (problem)
    throw ApplicationFailure.nonRetryable(
      `${action} refused: ${problem} (only the control API starts this workflow)`,
      'ForgedCommand',
    );
  return (input as { command: SignedCommand<A> }).command;
}

/**
 * A text argument of a command by the edge's rule (domain/text.ts): no NUL, no control character but tab, no
 * bidirectional override, no lone surrogate, at most `max` characters, NFC. A bad one refuses the command.
 */
/** What is wrong with a switch-back's or repair's request text (its folder code and reason), or null. */
export function requestTextProblem(a: { folderCode: string; reason: string }): string | null {
  try {
    textArg(a.folderCode, 'the folder code', 64);
    textArg(a.reason, 'the reason');
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function textArg(v: unknown, what: string, max = 1000): string {
  const r = cleanText(v, { max, min: 1 });
  if (!r.ok) throw new TypeError(`${what} ${r.problem}`);
  return r.text;
}
