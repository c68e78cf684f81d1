import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Db } from '../db/connection';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../domain/errors';
import { isRole, OPERATOR_NAME, ROLES, type Role } from '../domain/operators';
import { newToken } from '../security/tokens';
import { appendEvent } from './events';

export type { Role };

export { OPERATOR_NAME };

/** Refuses an unknown operator or one without the role, with a message that says what to do. */
export async function requireRole(db: Db, name: string, role: Role): Promise<void> {
  const roles: string[] = await db('operator_roles').where({ operator: name }).pluck('role');
  if (roles.length === 0) {
    const known = await db('operators').where({ name }).first('name');
    if (!known)
      throw new NotFoundError(
        `unknown operator '${name}': add one with 'ecp-cutover operator add ${name} --role ${role}'`,
      );
  }
  if (!roles.includes(role))
    throw new NotAllowedError(
      `operator '${name}' does not hold the ${role} role (has: ${roles.join(', ') || 'none'})`,
    );
}

export function parseRoles(raw: string): Role[] {
  const roles = raw
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = roles.filter((r) => !isRole(r));
  if (roles.length === 0 || bad.length)
    throw new InputError(`--role '${raw}' must be one or more of ${ROLES.join(', ')}, separated by commas`);
  return [...new Set(roles)] as Role[];
}

/** Who runs a host-local administration command, for the audit trail. */
export const osUser = () => {
  try {
    return os.userInfo().username.slice(0, 64);
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
};

/**
 * Adds an operator with roles and makes their token (shown once). Host-local administration: it needs the
 * database's owner credentials, like `db migrate`; no API endpoint grants roles. An operator who holds roles
 * already is refused: revoke first, then add again.
 */
export async function addOperator(
  db: Db,
  name: string,
  roles: Role[],
  by = osUser(),
): Promise<{ name: string; roles: Role[]; token: string; tokenId: string }> {
  if (!OPERATOR_NAME.test(name))
    throw new InputError(
      `operator name '${name}' must be lower-case letters, digits, '.', '_' or '-' (at most 64)`,
    );
  const t = await newToken();
  await db.transaction(async (trx) => {
    const held = await trx('operator_roles').where({ operator: name }).pluck('role');
    if (held.length)
      throw new ConflictError(
        `operator ${name} exists with roles ${held.join(', ')}: 'ecp-cutover operator revoke ${name}' first, then add again`,
      );
    await trx('operators').insert({ name }).onConflict('name').merge({ blocked_at: null });
    await trx('operator_roles').insert(roles.map((role) => ({ operator: name, role })));
    await trx('operator_tokens').insert({
      id: t.id,
      operator: name,
      secret_hash: t.secretHash,
      created_by: by,
    });
    await appendEvent(trx, {
      key: `operator:${t.id}:added`,
      actor: by,
      entityType: 'operator',
      entityId: name,
      to: 'added',
      reason: `roles ${roles.join(', ')}`,
      credentialId: t.id,
      source: 'host',
      data: { roles },
    });
  });
  return { name, roles, token: t.token, tokenId: t.id };
}

/** Ends every token of an operator at once, takes their roles away and blocks the name (OIDC mode too). */
export async function revokeOperator(db: Db, name: string, by = osUser()): Promise<{ tokens: number }> {
  return db.transaction(async (trx) => {
    if (!(await trx('operators').where({ name }).first('name')))
      throw new NotFoundError(`no operator ${name}`);
    const tokens = await trx('operator_tokens')
      .where({ operator: name })
      .whereNull('revoked_at')
      .update({ revoked_at: trx.fn.now() })
      .returning('id');
    const roles = await trx('operator_roles').where({ operator: name }).del().returning('role');
    await trx('operators').where({ name }).update({ blocked_at: trx.fn.now() });
    await appendEvent(trx, {
      // A one-off administration command (never retried by a machine): a fresh key each time.
      key: `operator:${name}:revoked:${randomUUID()}`,
      actor: by,
      entityType: 'operator',
      entityId: name,
      to: 'revoked',
      reason: `${tokens.length} token(s) revoked; roles removed: ${roles.map((r: { role: string }) => r.role).join(', ') || 'none'}`,
      source: 'host',
    });
    return { tokens: tokens.length };
  });
}

export interface TokenRow {
  operator: string;
  secretHash: string;
  revokedAt: Date | null;
}

/** Operators as signing in reads them: their tokens, their roles, whether they are blocked, their OIDC identities. */
export interface OperatorStore {
  /** The roles an operator holds now (none for an unknown name), by name. */
  rolesOf(name: string): Promise<Role[]>;
  /** Its roles if the operator is known (it may hold none), undefined for an unknown name. */
  known(name: string): Promise<{ roles: Role[] } | undefined>;
  /** A token by its id (the part before its secret), or undefined. */
  tokenById(id: string): Promise<TokenRow | undefined>;
  noteTokenUse(id: string): Promise<void>;
  /** Whether the name was blocked by `operator revoke` (an unknown name is not blocked). */
  isBlocked(name: string): Promise<boolean>;
  /** The operator exists and is not blocked. */
  isActive(name: string): Promise<boolean>;
  /**
   * Binds an operator name to an identity of the provider the first time it is seen (registering the name
   * without roles), and answers the subject the name is bound to — another identity's if it was taken.
   */
  bindOidcName(
    name: string,
    issuer: string,
    subject: string,
  ): Promise<{ boundTo: { issuer: string; subject: string } | undefined; subjectsName: string | undefined }>;
}

export function createOperatorStore(db: Db): OperatorStore {
  const rolesOf = async (name: string) =>
    ((await db('operator_roles').where({ operator: name }).orderBy('role').pluck('role')) as string[]).filter(
      isRole,
    );
  return {
    rolesOf,
    async known(name) {
      const roles = await rolesOf(name);
      if (roles.length === 0 && !(await db('operators').where({ name }).first('name'))) return undefined;
      return { roles };
    },
    async tokenById(id) {
      const r = await db('operator_tokens').where({ id }).first('operator', 'secret_hash', 'revoked_at');
      return r ? { operator: r.operator, secretHash: r.secret_hash, revokedAt: r.revoked_at } : undefined;
    },
    async noteTokenUse(id) {
      await db('operator_tokens').where({ id }).update({ last_used_at: db.fn.now() });
    },
    async isBlocked(name) {
      return Boolean((await db('operators').where({ name }).first('blocked_at'))?.blocked_at);
    },
    async isActive(name) {
      const r = await db('operators').where({ name }).first('blocked_at');
      return Boolean(r && !r.blocked_at);
    },
    async bindOidcName(name, issuer, subject) {
      const bound = await db('oidc_identities').where({ name }).first('issuer', 'subject');
      if (bound) return { boundTo: bound, subjectsName: undefined };
      const other = await db('oidc_identities').where({ issuer, subject }).first('name');
      if (other) return { boundTo: undefined, subjectsName: other.name };
      await db('operators').insert({ name }).onConflict('name').ignore();
      await db('oidc_identities').insert({ name, issuer, subject }).onConflict('name').ignore();
      return {
        boundTo: await db('oidc_identities').where({ name }).first('issuer', 'subject'),
        subjectsName: undefined,
      };
    },
  };
}
