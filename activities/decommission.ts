import { ApplicationFailure } from '@temporalio/activity';
import type { CommandClaims, DecommissionScheduleArgs } from '../domain/commands';
import { decommissionGate } from '../domain/decommission-gate';
import { PlatformRefusal, type PlatformGateway } from '../platform/gateway';
import { StaleRunError } from '../stores/batch-store';
import { DECOMMISSION_ID, type DecommissionChange, type DecommissionStore } from '../stores/decommission';
import type { EventStore } from '../stores/event-store';
import { runKey } from '../stores/events';

export interface DecommissionDeps {
  decommission: DecommissionStore;
  events: EventStore;
  gateway: PlatformGateway;
}

/** Activities of the decommission workflow: its row in PostgreSQL, the gate, and switching legacy off. */
export function createDecommissionActivities({ decommission, events, gateway }: DecommissionDeps) {
  return {
    /** A verified schedule → the decommission row (awaiting approval) and its event; refused once legacy is off. */
    async recordDecommissionRequest(input: {
      command: CommandClaims<DecommissionScheduleArgs>;
      workflowId: string;
      runId: string;
    }): Promise<{ ok: true } | { ok: false; reason: string }> {
      return decommission.recordRequest(input.command, input.workflowId, input.runId);
    },
    /** Status (and plan) of the decommission, with its event, in one transaction; keyed against retries. */
    async setDecommission(input: DecommissionChange): Promise<void> {
      try {
        await decommission.setStatus(input);
      } catch (err) {
        // Another run's write (a reset workflow): refused for good, nothing written.
        if (err instanceof StaleRunError)
          throw ApplicationFailure.create({ message: err.message, type: 'StaleRun', nonRetryable: true });
        throw err;
      }
    },
    /** The gate (domain/decommission-gate.ts) on the stored facts and legacy's last acceptance; kept on the row. */
    async checkDecommissionGate(input: { quietPeriodMs: number }) {
      const now = new Date();
      const stored = await decommission.gateFacts();
      const gate = decommissionGate({
        ...stored,
        lastLegacyAcceptance: await gateway.lastLegacyAcceptance(),
        quietPeriodMs: input.quietPeriodMs,
        now,
      });
      await decommission.saveGate(gate.items);
      return gate;
    },
    /** The switch-off itself, through the platform port; idempotent, recorded as an event. */
    async switchOffLegacy(input: { workflowId: string; runId: string }): Promise<{ openFolders: number }> {
      const row = await decommission.current();
      if (!row || row.runId !== input.runId || row.status !== 'running') {
        throw ApplicationFailure.create({
          message: `legacy is switched off only by the run that recorded the decommission and marked it running (found ${row ? `${row.status} in run ${row.runId}` : 'none'})`,
          type: 'StaleRun',
          nonRetryable: true,
        });
      }
      // The retired folders no batch retired close as retired (3003, never "submit on ECP 2.0"), then the rest.
      const retiring = await decommission.retiredNotClosed();
      for (const code of retiring) {
        await gateway.retireLegacy(code).catch((err: unknown) => {
          if (!(err instanceof PlatformRefusal)) throw err; // a folder legacy never had: nothing to retire
        });
      }
      const r = await gateway.decommissionLegacy();
      await decommission.markRetired(retiring);
      if (r.openFolders !== 0)
        throw new Error(`legacy still shows ${r.openFolders} folder(s) after the switch-off`);
      await events.append({
        key: runKey(input.workflowId, input.runId, 'switch-off'),
        actor: 'system',
        entityType: 'decommission',
        entityId: DECOMMISSION_ID,
        from: 'running',
        to: 'legacy_read_only',
        reason: 'intake off for every folder, every folder hidden, platform read-only',
        workflowId: input.workflowId,
        runId: input.runId,
      });
      return r;
    },
  };
}
