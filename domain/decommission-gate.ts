import type { GateItem } from './decommission-lifecycle';
import type { DriftKind } from './drift';

/** What the decommission gate is decided on, read by whoever asks (the workflow's activity, the app layer). */
export interface GateFacts {
  /** Folders neither live, retired nor born on ECP 2.0, by code. */
  foldersNotMoved: string[];
  unfinishedBatches: { id: string; status: string }[];
  /** Folders whose switch-back was requested and not yet decided: it would need legacy after it is gone. */
  pendingSwitchBacks: string[];
  /** Drift the reconciler found open, by folder: a platform not where the record says. */
  openDrifts: Map<string, DriftKind[]>;
  /** The last submission legacy accepted (asked of the platform), or null if it never accepted one. */
  lastLegacyAcceptance: string | null;
  quietPeriodMs: number;
  now: Date;
}

const firstTen = (codes: string[]) => `${codes.slice(0, 10).join(', ')}${codes.length > 10 ? ', …' : ''}`;

/**
 * The decommission gate. FAQ E.30 says only that legacy is switched off once every submission folder has moved;
 * the rest is this tool's: every folder live, retired or born on ECP 2.0 (download folders included); no batch
 * unfinished; no switch-back pending; no drift open; legacy has accepted no submission for the quiet period.
 * Each item says why it passes or not; the gate passes when all do.
 */
export function decommissionGate(f: GateFacts): { pass: boolean; items: GateItem[] } {
  const left = f.foldersNotMoved;
  const drifts = [...f.openDrifts];
  const last = f.lastLegacyAcceptance;
  const quietFor = last ? f.now.getTime() - new Date(last).getTime() : Infinity;
  const items: GateItem[] = [
    {
      item: 'folders',
      pass: left.length === 0,
      detail: left.length
        ? `${left.length} folder(s) not moved: ${firstTen(left)}`
        : 'every folder is live, retired or born on ECP 2.0',
    },
    {
      item: 'batches',
      pass: f.unfinishedBatches.length === 0,
      detail: f.unfinishedBatches.length
        ? `unfinished: ${f.unfinishedBatches.map((b) => `${b.id} (${b.status})`).join(', ')}`
        : 'no batch unfinished',
    },
    {
      item: 'switch_backs',
      pass: f.pendingSwitchBacks.length === 0,
      detail: f.pendingSwitchBacks.length
        ? `switch-back awaiting approval: ${f.pendingSwitchBacks.join(', ')}`
        : 'no switch-back pending',
    },
    {
      item: 'drift',
      pass: drifts.length === 0,
      detail: drifts.length
        ? `drift open on ${firstTen(drifts.map(([code, kinds]) => `${code} (${kinds.join(', ')})`))}: see 'ecp-cutover reconcile'`
        : 'no drift open (last reconciler pass)',
    },
    {
      item: 'quiet_period',
      pass: quietFor >= f.quietPeriodMs,
      detail: last
        ? `last submission accepted on legacy at ${new Date(last).toISOString()} (${Math.floor(quietFor / 3_600_000)} h ago; needs ${Math.round(f.quietPeriodMs / 3_600_000)} h)`
        : 'legacy never accepted a submission',
    },
  ];
  return { pass: items.every((i) => i.pass), items };
}
