import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The system's OpenSSH client (Debian's openssh-client, scripts/install-openssh-client.sh), as a participant runs it:
 * a key made with ssh-keygen, and `sftp -b` in batch mode (it stops at the first command that fails, and exits
 * non-zero). No user configuration, no agent, no known_hosts of the developer's.
 */
export const workDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-sftp-'));

export async function newKey(dir: string, name: string): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = path.join(dir, name);
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', privateKey]);
  return { privateKey, publicKey: `${privateKey}.pub` };
}

export interface SftpRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function sftpBatch(opts: {
  port: number;
  user: string;
  key: string;
  commands: string[];
  dir: string;
  bindAddress?: string;
}): Promise<SftpRun> {
  const batch = path.join(opts.dir, `batch-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(batch, opts.commands.join('\n') + '\n');
  const args = [
    '-F',
    '/dev/null',
    '-b',
    batch,
    '-i',
    opts.key,
    '-P',
    String(opts.port),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    `UserKnownHostsFile=${path.join(opts.dir, 'known_hosts')}`,
    '-o',
    `LogLevel=${process.env.SFTP_DEBUG ? 'DEBUG3' : 'ERROR'}`,
    '-o',
    'ConnectTimeout=10',
    '-o',
    `User=${opts.user}`,
    ...(opts.bindAddress ? ['-o', `BindAddress=${opts.bindAddress}`] : []),
    '127.0.0.1',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sftp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) =>
      process.env.SFTP_DEBUG ? fs.appendFileSync(process.env.SFTP_DEBUG, d) : (stderr += d),
    );
    // A session the server leaves hanging fails the test that waits for it, not the whole run.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code: code ?? -1, stdout, stderr })));
  });
}
