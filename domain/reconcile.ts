import type { Drift, DriftKind } from './drift';
import type { PlatformName } from './intake-rules';

/**
 * The reconciler's decisions (issue 18), fed facts: which folders a pass leaves for the next one, which drift
 * episodes open and resolve, which alert episodes open and resolve, and the mail each episode sends. Which
 * drift a folder has is domain/drift.ts; reading the platforms, closing "open on both" and mailing are the
 * activities' (activities/reconcile-pass.ts), the SQL the store's (stores/reconcile.ts).
 */
export type ReconcileTrigger = 'schedule' | 'on_demand' | 'drill';

/** A folder's record and its running moves, read in one statement (a consistent snapshot). */
export interface FolderSnapshot {
  placement: string;
  retiredAt: string | null;
  runs: { workflowId: string; runId: string }[];
}

const PLATFORM_NAMES: Record<PlatformName, string> = { legacy: 'legacy', ecp2: 'ECP 2.0' };

/** Two snapshots say the same (field by field, runs in order). */
export const sameRecord = (a: FolderSnapshot | null, b: FolderSnapshot | null) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * A folder is left for the next pass when a move of it still runs in Temporal, or its record changed while
 * its platforms were read (a batch moving it): what was read may be half old, half new.
 */
export const leaveForNextPass = (before: FolderSnapshot, after: FolderSnapshot | null, moving: boolean) =>
  moving || !sameRecord(before, after);

/** A drift as this pass records it: with what was done about it. */
export interface Finding {
  kind: DriftKind;
  detail: string;
  /** `closed_<platform>` (open on both, closed at once), `close_failed`, or null: nothing done. */
  action: string | null;
}

/** The drift found, with the outcome of closing it if it was one to close (null: not closed). */
export function finding(d: Drift, closing: { ok: true } | { ok: false; error: string } | null): Finding {
  if (!d.close || !closing) return { kind: d.kind, detail: d.detail, action: null };
  if (closing.ok) return { kind: d.kind, detail: d.detail, action: `closed_${d.close}` };
  return {
    kind: d.kind,
    detail: `${d.detail} (closing ${PLATFORM_NAMES[d.close]} failed: ${closing.error})`,
    action: 'close_failed',
  };
}

export interface OpenEpisode {
  id: number;
  kind: DriftKind;
  detail: string;
}

/**
 * A folder's drift episodes after a pass: a finding of a kind not open opens one (at most one open per folder
 * and kind); "open on both", once closed, is over — it opens and resolves at once; an open one no longer
 * found resolves.
 */
export interface EpisodeChanges {
  /** Episodes to open; `resolvedAt` set for one that is over as soon as it opens. */
  open: (Finding & { resolvedAt: Date | null })[];
  resolve: OpenEpisode[];
}

export function episodeChanges(open: OpenEpisode[], found: Finding[], now: Date): EpisodeChanges {
  return {
    open: found
      .filter((d) => !open.some((o) => o.kind === d.kind))
      .map((d) => ({ ...d, resolvedAt: d.action?.startsWith('closed_') ? now : null })),
    resolve: open.filter((o) => !found.some((d) => d.kind === o.kind)),
  };
}

export const ALERT_KINDS = [
  'folder_compensated',
  'folder_failed',
  'batch_blocked',
  'decommission_blocked',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** The other conditions the platform team is told of, as they stand. */
export interface AlertFacts {
  /** Runs failed or compensated with no later successful run of their folder. */
  unsettledRuns: {
    id: number;
    folderCode: string;
    kind: string;
    status: 'compensated' | 'failed';
    failure: string | null;
    batchId: string | null;
  }[];
  blockedBatches: string[];
  decommissionBlocked: boolean;
}

/** An alert episode: what it is, and what it is about (at most one open per subject). */
export interface AlertCondition {
  kind: AlertKind;
  subject: string;
  detail: string;
}

export function alertConditions(f: AlertFacts): AlertCondition[] {
  return [
    ...f.unsettledRuns.map((r): AlertCondition => ({
      kind: r.status === 'failed' ? 'folder_failed' : 'folder_compensated',
      subject: `run:${r.id}`,
      detail: `the ${r.kind} of ${r.folderCode}${r.batchId ? ` (batch ${r.batchId})` : ''} was ${r.status}: ${r.failure ?? 'no reason recorded'}`,
    })),
    ...f.blockedBatches.map((id): AlertCondition => ({
      kind: 'batch_blocked',
      subject: `batch:${id}`,
      detail: `batch ${id} is blocked on readiness: see 'ecp-cutover readiness ${id}'`,
    })),
    ...(f.decommissionBlocked
      ? [
          {
            kind: 'decommission_blocked' as const,
            subject: 'decommission',
            detail:
              "the decommission of legacy ECP is blocked by its gate: see 'ecp-cutover decommission status'",
          },
        ]
      : []),
  ];
}

/** Alert episodes to open (a condition whose subject has none open) and to resolve (open, no longer a condition). */
export interface AlertChanges {
  open: AlertCondition[];
  /** Ids of the open episodes that resolve. */
  resolve: number[];
}

export function alertChanges(open: { id: number; subject: string }[], now: AlertCondition[]): AlertChanges {
  return {
    open: now.filter((a) => !open.some((o) => o.subject === a.subject)),
    resolve: open.filter((o) => !now.some((a) => a.subject === o.subject)).map((o) => o.id),
  };
}
