import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import ssh2, { type AuthContext, type Connection } from 'ssh2';
import { SFTP_FUNCTION } from '../../domain/intake-rules';
import { userAccess } from '../access';
import { keysFor, plainIp } from '../sftp-keys';
import { serveSftp } from './session';

/**
 * ECP 2.0's SFTP channel (FAQ C.21–C.22), in the simulator's process on a port of its own. A user logs in with
 * their Client Connect login ID (their email address) and a public key they registered, from an address they
 * registered, and only if they hold EU_ECPSFTP (FAQ B.6) and their login is not locked. Public keys only: no
 * password, no keyboard-interactive. Only the `sftp` subsystem: no shell, no exec, no forwarding.
 */
export interface SftpServer {
  port: number;
  close(): Promise<void>;
}

/** A new host key (ed25519, OpenSSH format), for a state directory's first start or a test's. */
// ssh2 is CommonJS whose `utils` and `Server` Node's ESM loader cannot name: the default export has them.
const { Server, utils } = ssh2;

export const newHostKey = () => utils.generateKeyPairSync('ed25519').private;

export async function startSftp(
  db: Knex,
  opts: { port?: number; host?: string; hostKey: string; log?: (line: string) => void },
): Promise<SftpServer> {
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [opts.hostKey], ident: 'ECP2-SFTP-simulator' }, (client, info) => {
    clients.add(client);
    const from = plainIp(info.ip);
    let email: string | null = null;
    client.on('authentication', (ctx) => {
      authenticate(db, ctx, from).then(
        (who) => {
          if (!who) return ctx.reject(['publickey']);
          email = who;
          ctx.accept();
        },
        (err: Error) => {
          opts.log?.(`sftp: authentication of ${ctx.username.slice(0, 100)} failed: ${err.message}`);
          ctx.reject(['publickey']);
        },
      );
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        // Only the sftp subsystem: ssh2 refuses every request nobody listens for (shell, exec, pty, …).
        session.on('sftp', (acceptSftp) => serveSftp(db, email!, acceptSftp()));
      });
      client.on('tcpip', (_accept, reject) => reject());
    });
    client.on('error', () => undefined); // a client that goes away mid-handshake is not our failure
    client.on('close', () => clients.delete(client));
  });
  server.on('error', (err: Error) => opts.log?.(`sftp: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const c of clients) c.end();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * The user a public-key login is for, or null: a Client Connect login ID, not locked, holding EU_ECPSFTP, from a
 * registered address, with a registered key — and, once the client signs, a valid signature by that key.
 */
async function authenticate(db: Knex, ctx: AuthContext, from: string): Promise<string | null> {
  if (ctx.method !== 'publickey') return null;
  const email = ctx.username.trim().toLowerCase();
  if (email.length > 254) return null;
  const login = await db('sim_ecp2.logins').where({ login_id: email }).first('email', 'locked_at');
  if (!login || login.locked_at) return null;
  const access = await userAccess(db, login.email);
  if (!access.functions.includes(SFTP_FUNCTION) || access.memberOf.length === 0) return null;
  const offered = ctx.key.data;
  const key = (await keysFor(db, login.email, from)).find(
    (k) => k.length === offered.length && timingSafeEqual(k, offered),
  );
  if (!key) return null;
  if (!ctx.signature) return login.email; // the client asks whether this key would do; it signs next
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) return null;
  return (Array.isArray(parsed) ? parsed[0] : parsed).verify(ctx.blob!, ctx.signature, ctx.hashAlgo)
    ? login.email
    : null;
}
