import type { Db } from '../db/connection';
import type { CommandClaims, SwitchBackRequestArgs } from '../domain/commands';
import type { Role } from '../domain/operators';
import { DECOMMISSION_ID } from './decommission';
import { appendEvent } from './events';
import { requireRole } from './operator-store';

/** What the switch-back request (and version 1's role check) needs of PostgreSQL. */
export interface ApprovalStore {
  /**
   * A verified switch-back request → its event, if the folder is live and legacy is not being switched off;
   * otherwise the reason it cannot be. Idempotent for the run that recorded it; a command id serves one run.
   */
  recordSwitchBackRequest(
    c: CommandClaims<SwitchBackRequestArgs>,
    workflowId: string,
    runId: string,
  ): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Refuses (a domain error) an unknown operator or one without the role. */
  requireRole(name: string, role: Role): Promise<void>;
}

export function createApprovalStore(db: Db): ApprovalStore {
  return {
    async recordSwitchBackRequest(c, workflowId, runId) {
      const key = `command:${c.id}`;
      return db.transaction(async (trx) => {
        const prior = await trx('events').where({ idempotency_key: key }).first('run_id');
        if (prior)
          return prior.run_id === runId
            ? { ok: true as const }
            : { ok: false as const, reason: `command ${c.id} was used already` };
        const decommission = await trx('decommission').where({ id: DECOMMISSION_ID }).first('status');
        if (decommission && ['running', 'completed'].includes(decommission.status))
          return {
            ok: false as const,
            reason: `legacy ECP is ${decommission.status === 'running' ? 'being switched off' : 'decommissioned'}: no folder can go back to it`,
          };
        // The folder's row is held until the event is written: a move of it cannot begin meanwhile.
        const f = await trx('folders').where({ code: c.args.folderCode }).forUpdate().first('placement');
        if (!f) return { ok: false as const, reason: `folder ${c.args.folderCode} is not in the catalog` };
        if (f.placement !== 'live')
          return {
            ok: false as const,
            reason: `folder ${c.args.folderCode} is ${f.placement}, not live: only a live folder can be switched back`,
          };
        await appendEvent(trx, {
          key,
          actor: c.operator,
          entityType: 'folder',
          entityId: c.args.folderCode,
          from: 'live',
          to: 'rollback_requested',
          reason: c.args.reason,
          workflowId,
          runId,
          credentialId: c.credentialId,
          source: c.source,
          data: { command: c.id },
        });
        return { ok: true as const };
      });
    },
    requireRole: (name, role) => requireRole(db, name, role),
  };
}
