import type { Knex } from 'knex';

/**
 * Least privilege in PostgreSQL. Migrations run as the owner; each process connects as its own role with
 * only what it needs (API_DATABASE_URL, WORKER_DATABASE_URL, PORTAL_DATABASE_URL):
 *
 * - `ecp_api` (the control API): reads everything; writes the directory, registers operators it has verified
 *   (OIDC), notes a token's last use, appends events. It never writes a batch, a folder or a notice: the
 *   workflows do, through the worker.
 * - `ecp_worker`: reads everything; writes folders, batches, runs, notices, the decommission and the
 *   reconciler's drifts and passes; appends events.
 * - `ecp_portal`: reads the public views of schema `portal`, nothing else.
 *
 * Nobody but the owner may update, delete or truncate the audit trail (`events`); a trigger refuses
 * updates and deletes even to the owner. Applied after every migration, so new tables get their grants;
 * a role that does not exist (a production database whose administrator has not created it yet) is skipped.
 */
export const DB_ROLES = { api: 'ecp_api', worker: 'ecp_worker', portal: 'ecp_portal' } as const;
export type DbRole = keyof typeof DB_ROLES;

const WRITES: Record<Exclude<DbRole, 'portal'>, Record<string, string>> = {
  api: {
    participants: 'insert, update, delete',
    users: 'insert, update, delete',
    participant_sftp_folders: 'insert, update, delete',
    operators: 'insert',
    operator_tokens: 'update (last_used_at)',
    oidc_identities: 'insert',
    console_sessions: 'insert, update, delete',
    events: 'insert',
  },
  worker: {
    folders: 'update',
    batches: 'insert, update',
    batch_folders: 'insert, update',
    batch_retires: 'insert, update',
    batch_readiness: 'insert, update',
    folder_runs: 'insert, update',
    notices: 'insert, update',
    notice_attempts: 'insert',
    decommission: 'insert, update',
    drifts: 'insert, update',
    reconcile_passes: 'insert',
    alerts: 'insert, update',
    rehearsals: 'insert, update',
    rehearsal_folders: 'insert, update',
    events: 'insert',
  },
};

export async function applyGrants(knex: Knex): Promise<string[]> {
  const existing = new Set<string>(
    await knex('pg_roles').whereIn('rolname', Object.values(DB_ROLES)).pluck('rolname'),
  );
  const applied: string[] = [];
  for (const [key, role] of Object.entries(DB_ROLES) as [DbRole, string][]) {
    if (!existing.has(role)) continue;
    const db = await knex.raw('select current_database() as name');
    const database = db.rows[0].name as string;
    await knex.raw('grant connect on database ?? to ??', [database, role]);
    await knex.raw('revoke all on all tables in schema public from ??', [role]);
    await knex.raw('revoke all on all sequences in schema public from ??', [role]);
    await knex.raw('revoke all on schema public from ??', [role]);
    await knex.raw('revoke all on all tables in schema portal from ??', [role]);
    await knex.raw('revoke all on schema portal from ??', [role]);
    if (key === 'portal') {
      await knex.raw('grant usage on schema portal to ??', [role]);
      await knex.raw('grant select on all tables in schema portal to ??', [role]);
      continue;
    }
    await knex.raw('grant usage on schema portal to ??', [role]);
    await knex.raw('grant select on all tables in schema portal to ??', [role]);
    await knex.raw('grant usage on schema public to ??', [role]);
    await knex.raw('grant select on all tables in schema public to ??', [role]);
    await knex.raw('grant usage on all sequences in schema public to ??', [role]);
    for (const [table, privileges] of Object.entries(WRITES[key])) {
      await knex.raw(`grant ${privileges} on ?? to ??`, [table, role]);
    }
    // The worker has no business with operators' credentials.
    if (key === 'worker')
      await knex.raw('revoke select on operator_tokens, oidc_identities, console_sessions from ??', [role]);
    applied.push(role);
  }
  return applied;
}

/**
 * Creates (or re-keys) the three login roles: for the embedded stack and the tests, run as a superuser.
 * Roles belong to the whole PostgreSQL cluster, not to one database.
 */
export async function ensureDbRoles(admin: Knex, passwords: Record<DbRole, string>): Promise<void> {
  for (const [key, role] of Object.entries(DB_ROLES) as [DbRole, string][]) {
    const exists = await admin('pg_roles').where({ rolname: role }).first('rolname');
    // Passwords are random hex from our own code; quoted as a literal, never interpolated from input.
    if (!/^[0-9a-f]{16,}$/.test(passwords[key]))
      throw new Error(`the password for ${role} must be random hex`);
    await admin.raw(`${exists ? 'alter' : 'create'} role ?? with login password '${passwords[key]}'`, [role]);
  }
}

/** The same URL, as another user. */
export function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}
