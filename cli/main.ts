import { Command, CommanderError } from 'commander';
import { isDomainError } from '../domain/errors';
import { registerBatchCommands } from './commands/batch';
import { registerDbCommands } from './commands/db';
import { registerDecommissionCommands } from './commands/decommission';
import { registerDirectoryCommands } from './commands/directory';
import { registerDemoCommand } from './commands/demo';
import { registerDevCommands } from './commands/dev';
import { registerFolderCommands } from './commands/folders';
import { registerOperatorCommands } from './commands/operator';
import { registerParticipantCommands } from './commands/participant';
import { registerReadSideCommands } from './commands/read-side';
import { registerServeCommands } from './commands/serve';
import { registerSimulatorCommands } from './commands/simulator';
import { registerHealthCommand } from './commands/health';
import { registerReconcileCommand } from './commands/reconcile';
import { registerLoginCommands } from './commands/login';
import { registerReadinessCommand } from './commands/batch';
import { setTokenFile } from './context';
import { withFlags } from './flags';

/**
 * `ecp-cutover`. Importing it runs nothing (scripts/docs.ts reads it to write docs/cli.md): cli/entry.ts runs it.
 * This is the only place that exits: commands throw, and the error's class picks the exit
 * code — 2 for bad input or a refusal by a rule (DomainError), 1 for anything unexpected.
 */
export const program = new Command('ecp-cutover')
  .description('Moves submission folders from legacy ECP to ECP 2.0 on Temporal.')
  .option('--debug', 'show stack traces of unexpected errors')
  .option(
    '--token-file <file>',
    'the credential for the control API (else ECP_CUTOVER_TOKEN, else the one `login` kept)',
  )
  .hook('preAction', (_this, action) => {
    setTokenFile((action.optsWithGlobals() as { tokenFile?: string }).tokenFile);
  })
  .showHelpAfterError(false)
  .exitOverride();
program.configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? '' : s) });

registerDevCommands(program);
registerDemoCommand(program);
registerDbCommands(program);
registerOperatorCommands(program);
registerLoginCommands(program);
registerFolderCommands(program);
registerBatchCommands(program);
registerDirectoryCommands(program);
registerParticipantCommands(program);
registerReadinessCommand(program);
registerReadSideCommands(program);
registerDecommissionCommands(program);
registerReconcileCommand(program);
registerHealthCommand(program);
registerServeCommands(program);
registerSimulatorCommands(program);

export async function run(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    // A command that reports a failure without throwing (`health`) sets process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err, argv.includes('--debug'));
  }
}

function report(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0; // --help, --version
    process.stderr.write(`error: ${err.message.replace(/^error: /, '')} (run 'ecp-cutover --help')\n`);
    return 2;
  }
  if (isDomainError(err)) {
    // The API speaks of its fields; the operator typed flags.
    process.stderr.write(`error: ${withFlags(err.message)} (${err.code})\n`);
    return 2;
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
    process.stderr.write(
      `error: ${(err as Error).message}: is the stack up? start it with 'ecp-cutover dev up' or check DATABASE_URL / SIMULATOR_URL (unavailable)\n`,
    );
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message} (unexpected)\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  else process.stderr.write('run again with --debug for details\n');
  return 1;
}
