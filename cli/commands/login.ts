import type { Command } from 'commander';
import fs from 'node:fs';
import { loadConfig } from '../../config/config';
import { InputError } from '../../domain/errors';
import { credentialsFile, login } from '../api-client';

/** `login` / `logout`: keep (or forget) the CLI's credential for the control API. */
export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description(
      'sign in to the control API with your token (read from --token-file or standard input) and keep it for the CLI (mode 0600)',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const file = (cmd.optsWithGlobals() as { tokenFile?: string }).tokenFile;
      const token = (file ? fs.readFileSync(file, 'utf8') : await stdin()).trim();
      if (!token)
        throw new InputError(
          'no token given: pipe it in (ecp-cutover login < token-file) or pass --token-file',
        );
      const me = await login(token, loadConfig().ECP_CUTOVER_API_URL);
      console.log(
        `signed in as ${me.name} (${me.roles.join(', ') || 'no role'}); the credential is kept in ${me.file}`,
      );
    });
  program
    .command('logout')
    .description('forget the credential that login kept')
    .action(() => {
      fs.rmSync(credentialsFile(), { force: true });
      console.log('signed out');
    });
}

async function stdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('token: ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n')[0];
}
