import type { Placement } from './placement';

/**
 * A folder's runs (`folder_runs`): the moves (a cutover, a switch-back) and a supervised repair's claim. One
 * definition of each list, which the database's check constraints are tested against (migrations.test.ts).
 */
export const RUN_KINDS = ['cutover', 'rollback'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
/** Every kind a `folder_runs` row may have: the moves, and a supervised repair's claim (activities/repair.ts). */
export const FOLDER_RUN_KINDS = [...RUN_KINDS, 'repair'] as const;
/** A run ends succeeded or compensated (`failed` is kept for a run that could not even be compensated). */
export const RUN_STATUSES = ['running', 'succeeded', 'compensated', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One move of one folder, as the workflow running it names it (what its activities write under). */
export interface RunRef {
  folderCode: string;
  kind: RunKind;
  batchId: string | null;
  workflowId: string;
  runId: string;
  actor: string;
}

/** Where each kind of move starts, goes through, and ends (or falls back to). */
export const MOVES: Record<RunKind, { during: Placement; success: Placement; failure: Placement }> = {
  cutover: { during: 'cutting_over', success: 'live', failure: 'legacy' },
  rollback: { during: 'rolling_back', success: 'legacy', failure: 'live' },
};

/** What a run's record says of how far it went (a retried attempt asks): `targetEnabled` once the enable was recorded. */
export interface RunProgress {
  status: string;
  step: string | null;
  targetEnabled: boolean;
}

/** Whether a run is being, or has been, put back: from there only its compensations may touch the platforms. */
export function puttingBack(p: RunProgress | null | undefined): boolean {
  return (
    !!p && (p.status === 'compensated' || p.step === 'compensating' || String(p.step).startsWith('undo:'))
  );
}

/**
 * Whether an earlier attempt took the move as far as enabling the target (or finished it): from there the source
 * may be disabled already, so it is not frozen again, and the steps from the enable on (each idempotent) are what
 * is left. The enable's record is kept (the freeze window's end, first write wins) even when a retry repeats an
 * earlier step; the source is disabled only after it is written.
 */
export function pastTheFreeze(p: RunProgress | null | undefined): boolean {
  return !!p && !puttingBack(p) && (p.targetEnabled || p.status === 'succeeded');
}
