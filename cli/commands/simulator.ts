import type { Command } from 'commander';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { DEFAULT_CATALOG } from '../../db/catalog-path';
import { InputError, NotFoundError } from '../../domain/errors';
import { createLog } from '../../observability/log';
import { printJson } from '../context';
import { parsePort, untilSignal } from './serve';

/**
 * `ecp-cutover simulator`: the reference platform simulator (legacy ECP and ECP 2.0), a long-running process
 * of its own. Host-local: it needs the host's configuration (its database, its admin credential).
 */
export function registerSimulatorCommands(program: Command): void {
  const simulator = program
    .command('simulator')
    .description('serve the reference platform simulator (legacy ECP and ECP 2.0)')
    .option('--port <n>', 'port (default: the port of SIMULATOR_URL)')
    .option('--processing-delay <ms>', 'how long legacy takes to process a file', '500')
    .option('--catalog <file>', 'the folder catalog the platforms start from', DEFAULT_CATALOG)
    .option('--sftp-port <n>', "ECP 2.0's SFTP port (default SIMULATOR_SFTP_PORT)")
    .option(
      '--rehearsal',
      "also serve the platforms' rehearsal environment (batch rehearse), with its state in REHEARSAL_DATABASE_URL (made if missing)",
    )
    .option(
      '--rehearsal-port <n>',
      "the rehearsal environment's port (default: the port of REHEARSAL_PLATFORM_URL)",
    )
    .action(
      async (opts: {
        port?: string;
        processingDelay: string;
        catalog: string;
        sftpPort?: string;
        rehearsal?: boolean;
        rehearsalPort?: string;
      }) => {
        const config = loadConfig();
        if (!fs.existsSync(opts.catalog))
          throw new InputError(
            `catalog file ${opts.catalog} not found: pass --catalog with the path of a folders.csv`,
          );
        const [{ createDb }, { simulatorAdminToken }, { startSimulator }, { newHostKey }] = await Promise.all(
          [
            import('../../db/connection'),
            import('../../security/command-signing'),
            import('../../simulator/server'),
            import('../../simulator/sftp/server'),
          ],
        );
        const { ensureDatabase } = await import('../../db/connection');
        const adminToken = simulatorAdminToken(config);
        const simLog = createLog(config, 'simulator');
        if (!adminToken)
          throw new InputError(
            `the simulator needs its admin credential: set SIMULATOR_ADMIN_TOKEN, or start the embedded stack with 'ecp-cutover dev up' (it writes ${config.simulatorTokenFile})`,
          );
        // The simulator stands for the platforms, a system of its own: the owner's URL, for its own schemas.
        const pool = createDb(config.DATABASE_URL, { max: 20 });
        // The rehearsal environment beside the live one (issue 28): the same platforms over a database of their own.
        if (opts.rehearsal) await ensureDatabase(config.rehearsalDatabaseUrl);
        const rehearsalPool = opts.rehearsal ? createDb(config.rehearsalDatabaseUrl, { max: 5 }) : undefined;
        const sim = await startSimulator({
          db: pool,
          port: parsePort(opts.port, Number(new URL(config.SIMULATOR_URL).port)),
          processingDelayMs: Number(opts.processingDelay),
          host: config.LISTEN_HOST,
          adminToken,
          catalog: opts.catalog,
          sftp: {
            port: parsePort(opts.sftpPort, config.SIMULATOR_SFTP_PORT),
            hostKey: hostKey(config.simulatorSftpHostKeyFile, newHostKey),
          },
          log: (line) => simLog.error(line),
          ...(rehearsalPool
            ? {
                rehearsal: {
                  db: rehearsalPool,
                  port: parsePort(opts.rehearsalPort, Number(new URL(config.REHEARSAL_PLATFORM_URL).port)),
                },
              }
            : {}),
        });
        simLog.info(
          { url: sim.url, sftp: sim.sftp?.url, rehearsal: sim.rehearsal?.url },
          `platform simulator on ${sim.url}, ECP 2.0's SFTP on ${sim.sftp?.url}${sim.rehearsal ? `, rehearsal environment on ${sim.rehearsal.url}` : ''}`,
        );
        await untilSignal();
        await sim.close();
        await pool.destroy();
        await rehearsalPool?.destroy();
      },
    );

  simulator
    .command('credentials')
    .argument('<email>', "the user's email address (as in the imported directory)")
    .description(
      "a user's login on the embedded stack's simulated platforms: login ID, password and (ECP 2.0) the TOTP secret",
    )
    .option(
      '--platform <platform>',
      'ecp2 (Client Connect login ID, password, one-time password) or legacy (its own login)',
      'ecp2',
    )
    .option('--json', '{ "loginId", "password", "totpSecret" } (no totpSecret on legacy)')
    .option('--otp', 'print only the one-time password valid now (ECP 2.0)')
    .action(async (email: string, opts: { platform: string; json?: boolean; otp?: boolean }) => {
      const platform = platformOf(opts.platform);
      if (opts.otp && platform !== 'ecp2')
        throw new InputError('--otp: legacy ECP has no one-time password; drop --otp or say --platform ecp2');
      const creds = await simulatorAdmin<{ loginId: string; password: string; totpSecret?: string }>(
        'GET',
        `/${platform}/admin/credentials/${encodeURIComponent(emailOf(email))}`,
      );
      if (opts.otp) return console.log(await generateOtp(creds.totpSecret!));
      if (opts.json) return printJson(creds);
      console.log(`${platform === 'ecp2' ? 'ECP 2.0 (Client Connect)' : 'legacy ECP'} login of ${email}`);
      console.log(`  login ID     ${creds.loginId}\n  password     ${creds.password}`);
      if (creds.totpSecret)
        console.log(
          `  TOTP secret  ${creds.totpSecret}  (base32, 6 digits every 30 s; now: ${await generateOtp(creds.totpSecret)})`,
        );
    });

  simulator
    .command('sftp-key')
    .argument('<email>', "the user's email address (their Client Connect login ID)")
    .description(
      "registers a user's SFTP public key and source address on the embedded stack's ECP 2.0 (FAQ C.22)",
    )
    .requiredOption('--public-key <file>', 'the public key file (e.g. ~/.ssh/id_ed25519.pub)')
    .option('--ip <addr>', 'the address the user connects from', '127.0.0.1')
    .option('--json', '{ "email", "fingerprint", "keyType", "ip" }')
    .action(async (email: string, opts: { publicKey: string; ip: string; json?: boolean }) => {
      const address = emailOf(email);
      if (!net.isIP(opts.ip))
        throw new InputError(`--ip '${opts.ip.slice(0, 60)}' is not an IP address (e.g. 127.0.0.1)`);
      if (!fs.existsSync(opts.publicKey) || !fs.statSync(opts.publicKey).isFile())
        throw new InputError(
          `--public-key ${opts.publicKey} is not a file: give the .pub file of an SSH key (ssh-keygen -t ed25519 makes one)`,
        );
      if (fs.statSync(opts.publicKey).size > 16_384)
        throw new InputError(`--public-key ${opts.publicKey} is too large to be a public key`);
      const done = await simulatorAdmin<{ email: string; fingerprint: string; keyType: string; ip: string }>(
        'PUT',
        `/ecp2/admin/users/${encodeURIComponent(address)}/sftp`,
        { publicKey: fs.readFileSync(opts.publicKey, 'utf8'), ip: opts.ip },
      );
      if (opts.json) return printJson(done);
      const config = loadConfig();
      console.log(`registered ${done.keyType} key ${done.fingerprint} for ${done.email}, from ${done.ip}`);
      console.log(
        `  sftp -P ${config.SIMULATOR_SFTP_PORT} -i <its private key> -o User=${done.email} 127.0.0.1   (the user must hold EU_ECPSFTP)`,
      );
    });
}

/** The SFTP host key of this state directory: made on the first start, the same after (clients pin it). */
function hostKey(file: string, make: () => string): string {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, make(), { mode: 0o600, flag: 'wx' });
  }
  return fs.readFileSync(file, 'utf8');
}

const platformOf = (raw: string) => {
  if (raw !== 'ecp2' && raw !== 'legacy')
    throw new InputError(`--platform '${raw.slice(0, 20)}' must be ecp2 or legacy`);
  return raw;
};

function emailOf(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!/^[^\s@/\x00-\x1f\x7f]{1,64}@[^\s@/\x00-\x1f\x7f]{1,190}$/.test(email))
    throw new InputError(`'${raw.slice(0, 60)}' is not an email address`);
  return email;
}

async function generateOtp(secret: string): Promise<string> {
  const { generate } = await import('otplib');
  return generate({ secret });
}

/**
 * A call to the simulator's admin API with this host's admin credential (SIMULATOR_ADMIN_TOKEN, or the one
 * `dev up` wrote). Its refusals are the command's: a 4xx is bad input (exit 2) with the simulator's message.
 */
export async function simulatorAdmin<T>(
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const config = loadConfig();
  const { simulatorAdminToken } = await import('../../security/command-signing');
  const token = simulatorAdminToken(config);
  if (!token)
    throw new InputError(
      `no admin credential for the simulator: set SIMULATOR_ADMIN_TOKEN, or start the embedded stack with 'ecp-cutover dev up' (it writes ${config.simulatorTokenFile})`,
    );
  const res = await fetch(config.SIMULATOR_URL + path, {
    method,
    signal: AbortSignal.timeout(10_000),
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((err: Error) => {
    throw new Error(
      `the simulator at ${config.SIMULATOR_URL} did not answer (${err.message}): is the stack up? start it with 'ecp-cutover dev up'`,
      { cause: err },
    );
  });
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status === 404) throw new NotFoundError(String(answer.message ?? 'not found'));
  if (res.status >= 400 && res.status < 500)
    throw new InputError(`the simulator refused: ${String(answer.message ?? res.statusText)}`);
  if (!res.ok) throw new Error(`the simulator failed (${res.status}): ${String(answer.message ?? '')}`);
  return answer as T;
}
