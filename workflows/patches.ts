/**
 * Patch ids (`patched()`), one place. A workflow whose history began before a patch replays the code it
 * began with; remove a patch (`deprecatePatch`, then delete the old branch) only once no such workflow is open.
 */

/** The batch, switch-back and decommission workflows became interpreters of pure lifecycle machines. */
export const LIFECYCLE_MACHINE_PATCH = 'lifecycle-machine';

/** Workflows of version 1 (workflows/v1) refuse every Update from now on: theirs carry an operator's name, unsigned. */
export const V1_UNSIGNED_UPDATES_REFUSED = 'v1-unsigned-updates-refused';

/** A folder queued to start when its batch stops, pauses or halts is not started (the machine is told). */
export const SKIP_UNWANTED_STARTS = 'skip-unwanted-starts';

/**
 * Before compensating, a move asks what is recorded: a final write that committed but whose acknowledgement was
 * lost leaves the run "succeeded", and then there is nothing to put back (issue 18).
 */
export const RECORDED_OUTCOME_BEFORE_COMPENSATING = 'recorded-outcome-before-compensating';

/** A batch's end tells every firm concerned each of its folders' outcome (moved, not moved, retired: issue 26). */
export const OUTCOME_NOTICES = 'outcome-notices';

/** An effect that fails for good on its data is decided by the lifecycle machine (issue 23), not a failed workflow. */
export const DATA_ERRORS_DECIDED = 'data-errors-decided';

/**
 * The drain runs first as a local activity, inside the workflow task, for a few seconds at most: a folder with
 * nothing in flight (most) moves in one workflow task, without the activity's round trip through the server; files
 * still in flight then go to the drain as a normal activity, which waits for the rest of the budget and hands
 * them over (issue 27).
 */
export const DRAIN_LOCALLY_FIRST = 'drain-locally-first';

/**
 * A move's last four steps (enable the target, verify, disable the source, record the outcome) run as one local
 * activity, `completeMove`: three fewer hand-offs between the worker's activities and the workflow per folder
 * (issue 27). The compensations are unchanged.
 */
export const ONE_STEP_FROM_ENABLE = 'one-step-from-enable';

/**
 * A move that finds itself cancelled before its first step asks the record before calling itself refused. When a
 * cancellation reaches the server while a whole move runs in one workflow task, the server refuses that task's
 * completion (the cancellation is new to it) and the workflow starts over already cancelled, while the
 * platforms and the record hold what the first attempt did: it is settled from the record (done, or put back).
 */
export const CANCELLED_START_ASKS_THE_RECORD = 'cancelled-start-asks-the-record';

/**
 * The freeze and the drain's local attempt run as one local activity, `freezeAndDrain`: one hand-off less per
 * folder, inside the freeze window (issue 27). The drain's compensation is pushed only when the drain activity,
 * which may hand files over, runs: the local attempt hands nothing over.
 */
export const FREEZE_AND_DRAIN_AS_ONE = 'freeze-and-drain-as-one';

/**
 * A whole move runs as one local activity, `moveAtOnce`, in one attempt: one hand-off between the worker's
 * activities and the workflow per folder instead of three, none inside the freeze window (issue 27). It says where
 * it stopped; files still in flight go to the drain activity, a failure a retry could help goes on step by step
 * from there, and the compensations are those of the steps tried.
 */
export const MOVE_AT_ONCE = 'move-at-once';
