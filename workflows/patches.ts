/**
 * Patch ids (`patched()`), one place. A workflow whose history began before a patch replays the code it
 * began with; remove a patch (`deprecatePatch`, then delete the old branch) only once no such workflow is open.
 */

/** The batch, switch-back and decommission workflows became interpreters of pure lifecycle machines. */
export const LIFECYCLE_MACHINE_PATCH = 'lifecycle-machine';
