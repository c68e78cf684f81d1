import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/ecp-cutover.mjs', import.meta.url));
/** The CLI's config directory in tests: never the developer's own (a `login` there would leak in). */
const CONFIG_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-cli-config-'));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `ecp-cutover` binary as a user would, with extra environment variables. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, XDG_CONFIG_HOME: CONFIG_HOME, ECP_CUTOVER_TOKEN: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * The CLI as an operator uses it: signed in with their own token (the one `--as NAME` in the arguments
 * names, so that a test reads like the command an operator types); no token for a name without one.
 */
export function operatorCli(env: NodeJS.ProcessEnv, tokens: Record<string, string>) {
  return (...args: string[]) => {
    const i = args.indexOf('--as');
    const name = i >= 0 ? args[i + 1] : undefined;
    return runCli(args, {
      ...env,
      ECP_CUTOVER_TOKEN: name ? (tokens[name] ?? '') : (env.ECP_CUTOVER_TOKEN ?? ''),
    });
  };
}
