import { createHash } from 'node:crypto';
import net from 'node:net';
import type { Knex } from 'knex';
import ssh2 from 'ssh2';
import { HttpError } from './http/errors';

// ssh2 is CommonJS whose `utils` Node's ESM loader cannot name: the default export has it.
const { utils } = ssh2;

/**
 * The SFTP set-up a user registers (FAQ C.22: SFTP key registration, IP address registration): public keys and
 * source addresses. Client Connect then reports the user's key and address as registered.
 */
export const fingerprintOf = (wire: Buffer) =>
  `SHA256:${createHash('sha256').update(wire).digest('base64').replace(/=+$/, '')}`;

/** An address as the server sees it: IPv4 written plainly even when it came as IPv4-mapped IPv6. */
export const plainIp = (ip: string) => ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

/** A public key in OpenSSH's one-line form (`ssh-ed25519 AAAA… comment`), or the reason it is not one. */
export function parsePublicKey(text: string): { type: string; wire: Buffer } | { problem: string } {
  const parsed = utils.parseKey(text.trim());
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error)
    return {
      problem:
        'publicKey is not an SSH public key: give the one line of the .pub file (ssh-ed25519 AAAA… or ssh-rsa AAAA…)',
    };
  if (key.isPrivateKey())
    return {
      problem: 'publicKey is a private key: never send it anywhere; register the .pub file beside it',
    };
  return { type: key.type, wire: key.getPublicSSH() };
}

export async function registerSftp(
  db: Knex,
  email: string,
  publicKey: string,
  ip: string,
): Promise<{ email: string; fingerprint: string; keyType: string; ip: string }> {
  const key = parsePublicKey(publicKey);
  if ('problem' in key) throw new HttpError(400, 'bad_request', key.problem);
  const address = plainIp(ip.trim());
  if (!net.isIP(address))
    throw new HttpError(400, 'bad_request', `ip '${ip.slice(0, 60)}' is not an IP address`);
  if (
    !(await db('sim_ecp2.cc_users').where({ email }).first('email')) ||
    !(await db('sim_ecp2.logins').where({ email }).first('email'))
  ) {
    throw new HttpError(
      404,
      'unknown_user',
      `${email} is not a Client Connect user: import a directory that lists them first`,
    );
  }
  const fingerprint = fingerprintOf(key.wire);
  await db.transaction(async (trx) => {
    await trx('sim_ecp2.sftp_keys')
      .insert({ email, fingerprint, key_type: key.type, public_key: key.wire })
      .onConflict(['email', 'fingerprint'])
      .ignore();
    await trx('sim_ecp2.sftp_ips').insert({ email, ip: address }).onConflict(['email', 'ip']).ignore();
  });
  return { email, fingerprint, keyType: key.type, ip: address };
}

/** The user's registered keys (SSH wire format), if they come from one of their registered addresses; else none. */
export async function keysFor(db: Knex, email: string, fromIp: string): Promise<Buffer[]> {
  const registered = await db('sim_ecp2.sftp_ips')
    .where({ email })
    .andWhereRaw('ip = ?::inet', [plainIp(fromIp)])
    .first('email');
  if (!registered) return [];
  return db('sim_ecp2.sftp_keys').where({ email }).pluck('public_key');
}
