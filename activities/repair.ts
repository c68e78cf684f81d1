import { Context } from '@temporalio/activity';
import type { CommandClaims, RepairRequestArgs } from '../domain/commands';
import type { PlatformName } from '../domain/intake-rules';
import { PlatformRefusal, type PlatformGateway } from '../platform/gateway';
import type { EventStore } from '../stores/event-store';
import { repairRefusal } from '../domain/repair-policy';
import type { RepairStore } from '../stores/repair-store';
import { runningIn } from './reconcile';

export interface RepairDeps {
  repairs: RepairStore;
  events: EventStore;
  gateway: PlatformGateway;
}

/**
 * A supervised repair (issue 18, `folder repair CODE --to legacy|live`): for a folder stuck in
 * `cutting_over`/`rolling_back` with no workflow moving it, or with a drift open. Requested by one operator,
 * approved by another (the switch-back's machine, four eyes included); then both platforms are driven to the
 * chosen side, never both open, and the record follows. Whether it may is domain/repair-policy.ts.
 */
export function createRepairActivities({ repairs, events, gateway }: RepairDeps) {
  return {
    /** A verified repair request → its event, if there is something to repair; otherwise the reason there is not. */
    async recordRepairRequest(input: {
      command: CommandClaims<RepairRequestArgs>;
      workflowId: string;
      runId: string;
    }): Promise<{ ok: true } | { ok: false; reason: string }> {
      const { command: c, workflowId, runId } = input;
      const code = c.args.folderCode;
      const key = `command:${c.id}`;
      const prior = await events.runOf(key);
      if (prior !== undefined)
        return prior === runId ? { ok: true } : { ok: false, reason: `command ${c.id} was used already` };
      const reason = await repairRefusal(
        await repairs.record(code),
        c.args.to,
        runningIn(Context.current().client),
      );
      if (reason) return { ok: false, reason };
      await events.append({
        key,
        actor: c.operator,
        entityType: 'folder',
        entityId: code,
        from: (await repairs.placementOf(code))!,
        to: 'repair_requested',
        reason: `to ${c.args.to}: ${c.args.reason}`,
        workflowId,
        runId,
        credentialId: c.credentialId,
        source: c.source,
        data: { command: c.id, to: c.args.to },
      });
      return { ok: true };
    },

    /**
     * Both platforms to `to`, each step idempotent (a retry repeats it harmlessly), in an order that never has
     * both open: the side being left is closed (or frozen, then drained) before the other opens. Then the record:
     * placement, stale runs closed, an event. The reconciler's next pass resolves the drift it had open.
     */
    async repairFolder(input: {
      folderCode: string;
      to: 'legacy' | 'live';
      actor: string;
      reason: string;
      workflowId: string;
      runId: string;
    }): Promise<{ outcome: 'succeeded' | 'refused'; failure: string | null }> {
      const { folderCode: code, to } = input;
      const run = { workflowId: input.workflowId, runId: input.runId };
      const refusal = await repairRefusal(
        await repairs.record(code),
        to,
        runningIn(Context.current().client),
        { approved: true },
      );
      if (refusal) return { outcome: 'refused', failure: refusal };
      const claimed = await repairs.claim(code, to, run);
      const [leave, go]: [PlatformName, PlatformName] =
        to === 'legacy' ? ['ecp2', 'legacy'] : ['legacy', 'ecp2'];
      let moved: number;
      const fail = async (failure: string) => {
        await repairs.fail(run, failure);
        return { outcome: 'refused' as const, failure };
      };
      try {
        const state = await gateway
          .folderState(leave, code)
          .catch((err) =>
            err instanceof PlatformRefusal && err.status === 404 ? null : Promise.reject(err),
          );
        const present = Boolean(state?.exists);
        if (present && state!.intake === 'open') await gateway.freeze(leave, code); // waits for submissions in flight (I3)
        // Files: a stuck move is undone (what its drain handed over goes back); otherwise what is pending on the
        // side being left follows the folder, as in a move's drain.
        const undoing =
          (to === 'legacy' && claimed === 'cutting_over') || (to === 'live' && claimed === 'rolling_back');
        if (undoing) moved = (await gateway.handBack(go, code)).returned;
        else moved = present ? ((await gateway.handOver(leave, code))?.handedOver ?? 0) : 0;
        if (present) await gateway.disable(leave, code);
        await gateway.enable(go, code);
        const [here, there] = await Promise.all([
          gateway.probe(go, code),
          present ? gateway.probe(leave, code) : { accepts: false },
        ]);
        if (!here.accepts || there.accepts)
          return fail(
            `after the repair ${go} ${here.accepts ? 'accepts' : 'refuses'} and ${leave} ${there.accepts ? 'accepts' : 'refuses'}: look at both platforms (the reconciler reports it)`,
          );
      } catch (err) {
        if (err instanceof PlatformRefusal)
          return fail(`the platform refused: ${err.message} (the reconciler reports where the folder is)`);
        throw err;
      }
      await repairs.complete({
        ...run,
        code,
        to,
        actor: input.actor,
        reason: `${input.reason}; ${moved} pending file(s) moved to ${go === 'ecp2' ? 'ECP 2.0' : 'legacy'}`,
      });
      return { outcome: 'succeeded', failure: null };
    },
  };
}
