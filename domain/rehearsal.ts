import { createHash } from 'node:crypto';
import { formatHk } from './time';

/**
 * A rehearsal of a batch (issue 28): its folder moves run now, through the same workflows and activities,
 * against the platforms' rehearsal environment, and the result is bound to the exact plan it rehearsed.
 *
 * The binding is the plan as the batch's row holds it — its folders, the retired folders it closes, the
 * planned instant, the failure policy and concurrency — and the move options it runs with (the freeze
 * window's bound, the drain timeout, the attempts per step): a canonical JSON of them (keys in a fixed order,
 * lists sorted, the instant in UTC) hashed with SHA-256. A reschedule changes the instant, so a rehearsal of
 * the old plan no longer matches, exactly as the approval is voided. (The readiness limit of a plan is not
 * kept on the batch's row, so it is not part of the binding.)
 */
export interface RehearsedPlan {
  batchId: string;
  folders: string[];
  retire: string[];
  /** The planned instant, any ISO form: it is bound in UTC to the millisecond. */
  plannedAt: string;
  failurePolicy: 'continue' | 'halt';
  concurrency: number;
  moveOptions: { freezeWindowMaxMs: number; drainTimeoutMs: number; maxAttempts?: number };
}

/** The plan in one canonical form: the same plan always gives the same text, whatever order it was given in. */
export function canonicalPlan(p: RehearsedPlan): string {
  const sorted = (xs: readonly string[]) => [...new Set(xs.map((x) => x.trim().toUpperCase()))].sort();
  const at = new Date(p.plannedAt);
  if (Number.isNaN(at.getTime())) throw new Error(`the plan's instant '${p.plannedAt}' is not an instant`);
  return JSON.stringify({
    batchId: p.batchId,
    folders: sorted(p.folders),
    retire: sorted(p.retire),
    plannedAt: at.toISOString(),
    failurePolicy: p.failurePolicy,
    concurrency: p.concurrency,
    moveOptions: {
      freezeWindowMaxMs: p.moveOptions.freezeWindowMaxMs,
      drainTimeoutMs: p.moveOptions.drainTimeoutMs,
      maxAttempts: p.moveOptions.maxAttempts ?? null,
    },
  });
}

/** SHA-256 (hex) of the canonical plan: what a rehearsal and an approval are bound to. */
export const planHash = (p: RehearsedPlan): string =>
  createHash('sha256').update(canonicalPlan(p)).digest('hex');

export type RehearsalStatus = 'running' | 'succeeded' | 'failed';
export type RehearsalFolderStatus = 'pending' | 'running' | 'succeeded' | 'compensated' | 'refused';

/** A rehearsal as the approval sees it. */
export interface RehearsalSummary {
  id: string;
  status: RehearsalStatus;
  planHash: string;
  startedAt: Date;
  finishedAt: Date | null;
  failure: string | null;
  freezeMedianMs: number | null;
  freezeMaxMs: number | null;
}

/** A rehearsal succeeded when every folder of the batch moved (live on the rehearsal platforms). */
export function rehearsalOutcome(
  folders: readonly { status: RehearsalFolderStatus; code: string; failure: string | null }[],
): { status: 'succeeded' | 'failed'; failure: string | null } {
  const bad = folders.filter((f) => f.status !== 'succeeded');
  if (bad.length === 0) return { status: 'succeeded', failure: null };
  return {
    status: 'failed',
    failure: bad.map((f) => `${f.code} ${f.status}${f.failure ? `: ${f.failure}` : ''}`).join('; '),
  };
}

/**
 * With REQUIRE_REHEARSAL set (`withinMs`), why an approval of the plan `hash` is refused, or null: it needs a
 * rehearsal of this very plan that succeeded and started no longer than `withinMs` before `now`.
 */
export function rehearsalRefusal(
  batchId: string,
  hash: string,
  latest: RehearsalSummary | undefined,
  withinMs: number | null,
  now: Date,
  within: string,
): string | null {
  if (withinMs === null) return null;
  const how = `run 'ecp-cutover batch rehearse ${batchId}' and approve after it succeeds`;
  if (!latest)
    return `approval of batch ${batchId} refused: REQUIRE_REHEARSAL=${within} asks for a successful rehearsal of this plan in the last ${within}, and there is none: ${how}`;
  if (latest.planHash !== hash)
    return `approval of batch ${batchId} refused: REQUIRE_REHEARSAL=${within}: the plan changed since its latest rehearsal ${latest.id} (a reschedule voids it): ${how}`;
  if (latest.status !== 'succeeded') {
    return `approval of batch ${batchId} refused: REQUIRE_REHEARSAL=${within}: the latest rehearsal of this plan, ${latest.id}, ${latest.status === 'running' ? 'is still running' : `failed (${latest.failure ?? 'no reason'})`}: ${how}`;
  }
  if (now.getTime() - latest.startedAt.getTime() > withinMs) {
    return `approval of batch ${batchId} refused: REQUIRE_REHEARSAL=${within}: the latest successful rehearsal of this plan, ${latest.id}, was at ${formatHk(latest.startedAt)}, more than ${within} ago: ${how}`;
  }
  return null;
}

/** One line for the approve page and `batch approve`: the latest rehearsal of this plan, or that there is none. */
export function rehearsalLine(latest: RehearsalSummary | undefined, hash: string): string {
  if (!latest) return 'rehearsal: none of this plan';
  if (latest.planHash !== hash)
    return `rehearsal: none of this plan (the latest, ${latest.id} at ${formatHk(latest.startedAt)}, rehearsed an earlier plan)`;
  const freeze =
    latest.freezeMedianMs === null
      ? 'no freeze window'
      : `freeze windows median ${latest.freezeMedianMs} ms, max ${latest.freezeMaxMs} ms`;
  return `rehearsal: ${latest.id} at ${formatHk(latest.startedAt)}: ${latest.status}${latest.failure ? ` (${latest.failure})` : ''}; ${freeze}`;
}
