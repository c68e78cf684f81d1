import { InputError } from './errors';
import { field } from './fields';
import type { Placement } from './placement';

/** What a supervised repair of one folder is decided on (issue 18, `POST /api/folders/{code}/repair`). */
export interface RepairFacts {
  code: string;
  /** Null: the folder is not in the catalog. */
  placement: Placement | null;
  /** The decommission's status, or null if none was ever scheduled. */
  decommission: string | null;
  /** A move (cutover, switch-back) of the folder still running in Temporal, by workflow id; null if none. */
  movingBy: string | null;
  /** The unfinished batch that plans the folder, if any. */
  plannedIn: string | null;
  openDrifts: number;
}

export type RepairTarget = 'legacy' | 'live';

/** A move a workflow recorded as running. */
export interface RecordedRun {
  workflowId: string;
  runId: string;
}

/** The record a repair is decided on (a store reads it); whether its running moves still run is Temporal's to say. */
export type RepairRecord = Omit<RepairFacts, 'movingBy'> & { runningMoves: RecordedRun[] };

/** A repair goes to one of the two sides; anything else is the operator's typo. */
export function repairTarget(to: string): RepairTarget {
  if (to !== 'legacy' && to !== 'live') throw new InputError(`${field('to')} ${to}: say legacy or live`);
  return to;
}

/**
 * Why the record alone refuses a repair (null: it does not) — asked before Temporal is asked whether a move
 * runs: the folder must exist and move between legacy and ECP 2.0, and legacy must still exist for `legacy`.
 */
export function refusalOnRecord(f: Omit<RepairFacts, 'movingBy'>, to: RepairTarget): string | null {
  if (!f.placement) return `folder ${f.code} is not in the catalog`;
  if (f.placement === 'retired' || f.placement === 'new_on_2_0')
    return `folder ${f.code} is ${f.placement}: a repair moves a folder between legacy and ECP 2.0 only`;
  if (to === 'legacy' && (f.decommission === 'running' || f.decommission === 'completed')) {
    return `legacy ECP is ${f.decommission === 'running' ? 'being switched off' : 'decommissioned'}: nothing can be repaired to it`;
  }
  return null;
}

/**
 * Why a folder cannot be repaired (null: it can): what the record refuses; a move that still runs; a folder
 * that is not stuck (in flight with no workflow moving it) goes back only where its record says, not while a
 * batch plans it, and only with a drift open. Once approved, the drift that justified the request may have
 * cleared meanwhile: the repair still holds.
 */
export function refusalOfRepair(
  f: RepairFacts,
  to: RepairTarget,
  opts: { approved?: boolean } = {},
): string | null {
  const onRecord = refusalOnRecord(f, to);
  if (onRecord) return onRecord;
  if (f.movingBy) return `folder ${f.code} is being moved by ${f.movingBy} right now: wait for it to end`;
  const stuck = f.placement === 'cutting_over' || f.placement === 'rolling_back';
  if (!stuck) {
    // Not stuck: a repair puts the platforms back where the record says; moving a folder is a batch's or a switch-back's.
    const recorded = f.placement === 'live' ? 'live' : 'legacy';
    if (to !== recorded)
      return `folder ${f.code} is recorded as ${f.placement}: a repair puts its platforms back there (${field('to')} ${recorded}); to move it, plan a batch or request a switch-back`;
    if (f.plannedIn)
      return `folder ${f.code} is planned in batch ${f.plannedIn}: abort that batch or let it run first`;
  }
  if (opts.approved) return null;
  if (!stuck && f.openDrifts === 0)
    return `folder ${f.code} is ${f.placement} with no drift open: nothing to repair (see 'ecp-cutover reconcile')`;
  return null;
}

/**
 * Why a folder cannot be repaired (null: it can), from its record: refused on the record alone, Temporal is not
 * asked; otherwise `isRunning` tells, move by move, whether one still runs, and refusalOfRepair decides.
 */
export async function repairRefusal(
  record: RepairRecord,
  to: string,
  isRunning: (run: RecordedRun) => Promise<boolean>,
  opts: { approved?: boolean } = {},
): Promise<string | null> {
  const target = repairTarget(to);
  const { runningMoves, ...facts } = record;
  const onRecord = refusalOnRecord(facts, target);
  if (onRecord) return onRecord;
  let movingBy: string | null = null;
  for (const run of runningMoves) {
    if (await isRunning(run)) {
      movingBy = run.workflowId;
      break;
    }
  }
  return refusalOfRepair({ ...facts, movingBy }, target, opts);
}
