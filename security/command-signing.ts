import { createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  COMMAND_MAX_AGE_MS,
  START_COMMAND_MAX_AGE_MS,
  type CommandClaims,
  type SignedCommand,
} from '../domain/commands';
import { InputError } from '../domain/errors';

/**
 * Signs and verifies workflow commands (domain/commands.ts) with HMAC-SHA256. The key is shared by the
 * control API (which signs, after verifying the operator) and the workers (which verify); nothing else
 * holds it — not the CLI, not the portal, not Temporal.
 */
export interface CommandSigner {
  sign<A>(
    claims: Omit<CommandClaims<A>, 'v' | 'id' | 'issuedAt'> & { id?: string; issuedAt?: string },
  ): SignedCommand<A>;
  /** Whether `command` carries this key's signature (whatever its age or target): a start the control API made. */
  isOurs(command: unknown): boolean;
  /** A key for another purpose (the console's session seals), derived from this one with HKDF: never the key itself. */
  deriveKey(purpose: string): Buffer;
}

export class ForgedCommand extends Error {
  override readonly name = 'ForgedCommand';
}

/** JSON with object keys sorted at every level, so the same claims always give the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const mac = (key: Buffer, claims: CommandClaims) =>
  createHmac('sha256', key).update(canonicalJson(claims)).digest('base64url');

export function createCommandSigner(key: Buffer): CommandSigner {
  return {
    sign(claims) {
      const full = {
        ...claims,
        v: 1 as const,
        id: claims.id ?? randomUUID(),
        issuedAt: claims.issuedAt ?? new Date().toISOString(),
      } as CommandClaims<never>;
      return { ...full, sig: mac(key, full) };
    },
    isOurs(command) {
      if (!command || typeof command !== 'object' || typeof (command as SignedCommand).sig !== 'string')
        return false;
      const { sig, ...claims } = command as SignedCommand;
      const want = Buffer.from(mac(key, claims as CommandClaims));
      const got = Buffer.from(sig);
      return want.length === got.length && timingSafeEqual(want, got);
    },
    deriveKey: (purpose) =>
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `ecp-cutover:${purpose}`, 32)),
  };
}

/**
 * The claims of a command if its signature is the key's and it is for this workflow (and run), this action,
 * and fresh at `now`; otherwise ForgedCommand with the reason.
 */
export function verifyCommand(
  key: Buffer,
  command: unknown,
  expect: { action: string; workflowId: string; runId?: string | null; now: number },
): CommandClaims {
  if (!command || typeof command !== 'object') throw new ForgedCommand('no signed command');
  const { sig, ...claims } = command as SignedCommand;
  if (typeof sig !== 'string' || claims.v !== 1)
    throw new ForgedCommand('the command carries no signature of the control API');
  const want = Buffer.from(mac(key, claims as CommandClaims));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got))
    throw new ForgedCommand('the command was not signed by the control API');
  if (claims.action !== expect.action)
    throw new ForgedCommand(`the command is a ${claims.action}, not a ${expect.action}`);
  if (claims.workflowId !== expect.workflowId)
    throw new ForgedCommand(`the command is for ${claims.workflowId}, not ${expect.workflowId}`);
  if (expect.runId !== undefined && claims.runId !== expect.runId)
    throw new ForgedCommand('the command is for another run of this workflow');
  const age = expect.now - Date.parse(claims.issuedAt);
  const maxAge = expect.runId === undefined ? START_COMMAND_MAX_AGE_MS : COMMAND_MAX_AGE_MS;
  if (!(age >= -COMMAND_MAX_AGE_MS && age <= maxAge))
    throw new ForgedCommand(
      `the command was issued at ${claims.issuedAt}, too long ago (or ahead) to be used now`,
    );
  return claims as CommandClaims;
}

/** At least 32 random bytes, written as hex (64 characters or more) or as strict base64; nothing else. */
export function parseCommandKey(text: string, from: string): Buffer {
  const t = text.trim();
  let key: Buffer | null = null;
  if (/^([0-9a-fA-F]{2}){32,}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^(?:[A-Za-z0-9+/]{4}){10,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(t))
    key = Buffer.from(t, 'base64');
  if (!key || key.length < 32)
    throw new InputError(
      `the command-signing key in ${from} is not 32 or more random bytes in hex or base64: make one with 'openssl rand -hex 32'`,
    );
  return key;
}

/** The key from COMMAND_SIGNING_KEY, or the file COMMAND_SIGNING_KEY_FILE names (the embedded stack's by default). */
export function loadCommandKey(config: { COMMAND_SIGNING_KEY?: string; commandKeyFile: string }): Buffer {
  if (config.COMMAND_SIGNING_KEY) return parseCommandKey(config.COMMAND_SIGNING_KEY, 'COMMAND_SIGNING_KEY');
  try {
    return parseCommandKey(fs.readFileSync(config.commandKeyFile, 'utf8'), config.commandKeyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(
        `no command-signing key at ${config.commandKeyFile}: set COMMAND_SIGNING_KEY_FILE (or COMMAND_SIGNING_KEY), or start the embedded stack with 'ecp-cutover dev up', which creates one`,
      );
    }
    throw err;
  }
}

/** Creates a secret file (32 random bytes, hex, mode 0600) if it does not exist: the embedded stack's secrets. */
export function ensureSecretFile(file: string): void {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
}

/** The platforms' admin credential: SIMULATOR_ADMIN_TOKEN, or the embedded stack's file, or none. */
export function simulatorAdminToken(config: {
  SIMULATOR_ADMIN_TOKEN?: string;
  simulatorTokenFile: string;
}): string | undefined {
  if (config.SIMULATOR_ADMIN_TOKEN) return config.SIMULATOR_ADMIN_TOKEN;
  try {
    return fs.readFileSync(config.simulatorTokenFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
