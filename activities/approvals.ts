import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/connection';
import type { CommandClaims, SwitchBackRequestArgs } from '../domain/commands';
import { isDomainError } from '../domain/errors';
import type { Role } from '../domain/operators';
import { appendEvent, runKey } from '../stores/events';
import { DECOMMISSION_ID } from '../stores/decommission';
import { requireRole } from '../stores/operator-store';

/** Activities of the switch-back request and the audit trail. */
export function createApprovalActivities({ db }: { db: Db }) {
  return {
    /** One event, written once per key (a retried activity adds nothing). */
    async recordEvent(input: {
      entityType: 'folder' | 'batch' | 'decommission';
      entityId: string;
      actor: string;
      from: string | null;
      to: string | null;
      reason: string | null;
      workflowId: string;
      runId: string;
      key: string;
    }): Promise<void> {
      await appendEvent(db, { ...input, key: runKey(input.workflowId, input.runId, input.key) });
    },

    /** A verified switch-back request → its event, if the folder is live; otherwise the reason it cannot be. */
    async recordSwitchBackRequest(input: { command: CommandClaims<SwitchBackRequestArgs>; workflowId: string; runId: string }): Promise<{ ok: true } | { ok: false; reason: string }> {
      const { command: c, workflowId, runId } = input;
      const key = `command:${c.id}`;
      return db.transaction(async (trx) => {
        const prior = await trx('events').where({ idempotency_key: key }).first('run_id');
        if (prior) return prior.run_id === runId ? { ok: true as const } : { ok: false as const, reason: `command ${c.id} was used already` };
        const decommission = await trx('decommission').where({ id: DECOMMISSION_ID }).first('status');
        if (decommission && ['running', 'completed'].includes(decommission.status)) return { ok: false as const, reason: `legacy ECP is ${decommission.status === 'running' ? 'being switched off' : 'decommissioned'}: no folder can go back to it` };
        const f = await trx('folders').where({ code: c.args.folderCode }).forUpdate().first('placement');
        if (!f) return { ok: false as const, reason: `folder ${c.args.folderCode} is not in the catalog` };
        if (f.placement !== 'live') return { ok: false as const, reason: `folder ${c.args.folderCode} is ${f.placement}, not live: only a live folder can be switched back` };
        await appendEvent(trx, {
          key, actor: c.operator, entityType: 'folder', entityId: c.args.folderCode, from: 'live', to: 'rollback_requested', reason: c.args.reason,
          workflowId, runId, credentialId: c.credentialId, source: c.source, data: { command: c.id },
        });
        return { ok: true as const };
      });
    },

    // Version 1 of the switch-back and batch workflows (workflows/v1) still call this.
    async checkOperatorRole(input: { name: string; role: Role }): Promise<void> {
      try {
        await requireRole(db, input.name, input.role);
      } catch (err) {
        if (isDomainError(err)) throw ApplicationFailure.create({ message: err.message, type: 'NotAllowed', nonRetryable: true });
        throw err;
      }
    },
  };
}
