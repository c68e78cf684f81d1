import { Context } from '@temporalio/activity';
import type { Db } from '../db/connection';
import type { CommandClaims, RepairRequestArgs } from '../domain/commands';
import { InputError } from '../domain/errors';
import type { PlatformName } from '../domain/intake-rules';
import { PlatformRefusal, type PlatformGateway } from '../platform/gateway';
import { DECOMMISSION_ID } from '../stores/decommission';
import { appendEvent, runKey } from '../stores/events';
import { runningIn } from './reconcile';

/**
 * A supervised repair (issue 18, `folder repair CODE --to legacy|live`): for a folder stuck in
 * `cutting_over`/`rolling_back` with no workflow moving it, or with a drift open. Requested by one operator,
 * approved by another (the switch-back's machine, four eyes included); then both platforms are driven to the
 * chosen side, never both open, and the record follows.
 */
export function createRepairActivities({ db, gateway }: { db: Db; gateway: PlatformGateway }) {
  return {
    /** A verified repair request → its event, if there is something to repair; otherwise the reason there is not. */
    async recordRepairRequest(input: { command: CommandClaims<RepairRequestArgs>; workflowId: string; runId: string }): Promise<{ ok: true } | { ok: false; reason: string }> {
      const { command: c, workflowId, runId } = input;
      const code = c.args.folderCode;
      const key = `command:${c.id}`;
      const prior = await db('events').where({ idempotency_key: key }).first('run_id');
      if (prior) return prior.run_id === runId ? { ok: true } : { ok: false, reason: `command ${c.id} was used already` };
      const reason = await repairRefusal(db, code, c.args.to, runningIn(Context.current().client));
      if (reason) return { ok: false, reason };
      const f = await db('folders').where({ code }).first('placement');
      await appendEvent(db, {
        key, actor: c.operator, entityType: 'folder', entityId: code, from: f.placement, to: 'repair_requested', reason: `to ${c.args.to}: ${c.args.reason}`,
        workflowId, runId, credentialId: c.credentialId, source: c.source, data: { command: c.id, to: c.args.to },
      });
      return { ok: true };
    },

    /**
     * Both platforms to `to`, each step idempotent (a retry repeats it harmlessly), in an order that never has
     * both open: the side being left is closed (or frozen, then drained) before the other opens. Then the record:
     * placement, stale runs closed, an event. The reconciler's next pass resolves the drift it had open.
     */
    async repairFolder(input: { folderCode: string; to: 'legacy' | 'live'; actor: string; reason: string; workflowId: string; runId: string }): Promise<{ outcome: 'succeeded' | 'refused'; failure: string | null }> {
      const { folderCode: code, to } = input;
      const refusal = await repairRefusal(db, code, to, runningIn(Context.current().client), { approved: true });
      if (refusal) return { outcome: 'refused', failure: refusal };
      // Claim the folder, as a move does: a run row of its own (no move begins while it runs; the reconciler
      // leaves the folder alone), and the stale runs it ends, all under the folder's lock.
      const claimed = await db.transaction(async (trx) => {
        const f = await trx('folders').where({ code }).forUpdate().first('placement');
        const mine = await trx('folder_runs').where({ workflow_id: input.workflowId, run_id: input.runId }).first('id');
        if (!mine) {
          const other = await trx('folder_runs').where({ folder_code: code, status: 'running' }).whereNot({ kind: 'repair' }).pluck('id');
          await trx('folder_runs').insert({ folder_code: code, kind: 'repair', workflow_id: input.workflowId, run_id: input.runId, step: `to_${to}` });
          if (other.length) await trx('folder_runs').whereIn('id', other).update({ status: 'failed', finished_at: trx.fn.now(), failure: `ended by the repair in ${input.workflowId}` });
        }
        return f.placement as string;
      });
      const [leave, go]: [PlatformName, PlatformName] = to === 'legacy' ? ['ecp2', 'legacy'] : ['legacy', 'ecp2'];
      let moved: number;
      const fail = async (failure: string) => {
        await db('folder_runs').where({ workflow_id: input.workflowId, run_id: input.runId }).update({ status: 'failed', finished_at: db.fn.now(), failure });
        return { outcome: 'refused' as const, failure };
      };
      try {
        const state = await gateway.folderState(leave, code).catch((err) => (err instanceof PlatformRefusal && err.status === 404 ? null : Promise.reject(err)));
        const present = Boolean(state?.exists);
        if (present && state!.intake === 'open') await gateway.freeze(leave, code); // waits for submissions in flight (I3)
        // Files: a stuck move is undone (what its drain handed over goes back); otherwise what is pending on the
        // side being left follows the folder, as in a move's drain.
        const undoing = (to === 'legacy' && claimed === 'cutting_over') || (to === 'live' && claimed === 'rolling_back');
        if (undoing) moved = (await gateway.handBack(go, code)).returned;
        else moved = present ? ((await gateway.handOver(leave, code))?.handedOver ?? 0) : 0;
        if (present) await gateway.disable(leave, code);
        await gateway.enable(go, code);
        const [here, there] = await Promise.all([gateway.probe(go, code), present ? gateway.probe(leave, code) : { accepts: false }]);
        if (!here.accepts || there.accepts) return fail(`after the repair ${go} ${here.accepts ? 'accepts' : 'refuses'} and ${leave} ${there.accepts ? 'accepts' : 'refuses'}: look at both platforms (the reconciler reports it)`);
      } catch (err) {
        if (err instanceof PlatformRefusal) return fail(`the platform refused: ${err.message} (the reconciler reports where the folder is)`);
        throw err;
      }
      await db.transaction(async (trx) => {
        const before = await trx('folders').where({ code }).forUpdate().first('placement');
        await trx('folders').where({ code }).update({
          placement: to, placement_changed_at: trx.fn.now(), updated_at: trx.fn.now(), live_since: to === 'live' ? trx.fn.now() : null,
        });
        await trx('folder_runs').where({ workflow_id: input.workflowId, run_id: input.runId }).update({ status: 'succeeded', finished_at: trx.fn.now(), step: 'done' });
        await appendEvent(trx, {
          key: runKey(input.workflowId, input.runId, 'repaired'), actor: input.actor, entityType: 'folder', entityId: code, from: before.placement, to,
          reason: `${input.reason}; ${moved} pending file(s) moved to ${go === 'ecp2' ? 'ECP 2.0' : 'legacy'}`, workflowId: input.workflowId, runId: input.runId,
        });
      });
      return { outcome: 'succeeded', failure: null };
    },
  };
}

/**
 * Why a folder cannot be repaired (null: it can): it must exist and move between legacy and ECP 2.0; it must
 * be stuck (in flight with no workflow moving it) or have a drift open; legacy must still exist for `legacy`.
 */
export async function repairRefusal(db: Db, code: string, to: string, isRunning: (run: { workflowId: string; runId: string }) => Promise<boolean>, opts: { approved?: boolean } = {}): Promise<string | null> {
  if (to !== 'legacy' && to !== 'live') throw new InputError(`--to ${to}: say legacy or live`);
  const f = await db('folders').where({ code }).first('placement');
  if (!f) return `folder ${code} is not in the catalog`;
  if (['retired', 'new_on_2_0'].includes(f.placement)) return `folder ${code} is ${f.placement}: a repair moves a folder between legacy and ECP 2.0 only`;
  const decommission = await db('decommission').where({ id: DECOMMISSION_ID }).first('status');
  if (to === 'legacy' && decommission && ['running', 'completed'].includes(decommission.status)) return `legacy ECP is ${decommission.status === 'running' ? 'being switched off' : 'decommissioned'}: nothing can be repaired to it`;
  const runs: { workflow_id: string; run_id: string }[] = await db('folder_runs').where({ folder_code: code, status: 'running' }).whereNot({ kind: 'repair' }).select('workflow_id', 'run_id');
  for (const r of runs) if (await isRunning({ workflowId: r.workflow_id, runId: r.run_id })) return `folder ${code} is being moved by ${r.workflow_id} right now: wait for it to end`;
  const stuck = ['cutting_over', 'rolling_back'].includes(f.placement);
  if (!stuck) {
    // Not stuck: a repair puts the platforms back where the record says; moving a folder is a batch's or a switch-back's.
    const recorded = f.placement === 'live' ? 'live' : 'legacy';
    if (to !== recorded) return `folder ${code} is recorded as ${f.placement}: a repair puts its platforms back there (--to ${recorded}); to move it, plan a batch or request a switch-back`;
    const plan = await db('batch_folders').where({ folder_code: code, active: true }).first('batch_id');
    if (plan) return `folder ${code} is planned in batch ${plan.batch_id}: abort that batch or let it run first`;
  }
  // Once approved, the drift that justified the request may have been resolved meanwhile: the repair still holds.
  if (opts.approved) return null;
  const drifts = await db('drifts').where({ folder_code: code }).whereNull('resolved_at').count({ n: '*' }).first();
  if (!stuck && Number(drifts?.n) === 0) return `folder ${code} is ${f.placement} with no drift open: nothing to repair (see 'ecp-cutover reconcile')`;
  return null;
}
