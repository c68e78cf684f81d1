import type { Placement } from './placement';
import type { PlatformName } from './intake-rules';
import type { FolderState } from '../platform/gateway';

/**
 * Drift: a folder whose platforms are not where its record (folders.placement) says. The reconciler
 * (activities/reconcile-pass.ts) reads both platforms through the gateway and classifies every difference here, a pure
 * function of the record and the two states. Only "open on both" is acted on at once — it breaks I1, and
 * closing the side the record does not name is always safe (the record's side stays open, nothing in flight
 * is lost: a closed folder keeps its files). Every other drift is recorded, shown and alerted, never "fixed":
 * which side is right is a person's decision (`folder repair`, four eyes: activities/repair.ts).
 */
export const DRIFT_KINDS = [
  /** I1: both platforms accept submissions. Closed at once on the side the record does not name. */
  'open_on_both',
  /** The platform the record names does not accept submissions (and the other does not either): participants are refused everywhere. */
  'closed_where_recorded',
  /** The platform the record does not name accepts submissions, the recorded one does not. */
  'open_on_wrong_side',
  /** I2: legacy shows the folder though it moved, or hides it though it did not. */
  'legacy_visibility',
  /** The recorded platform does not have the folder at all. */
  'missing_on_platform',
  /** In `cutting_over` / `rolling_back` with no workflow moving it (terminated from the Temporal UI, say). */
  'stuck_in_flight',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface Drift {
  kind: DriftKind;
  detail: string;
  /** The one automatic correction: close this platform (open on both, the side the record does not name). */
  close?: PlatformName;
}

/** A folder's record, for a folder nothing is moving right now (the reconciler leaves moving ones for later). */
export interface FolderRecord {
  code: string;
  placement: Placement;
  /** Retired folders: when legacy closed them for good (null: not yet, they still take submissions on legacy). */
  retiredAt: string | null;
}

type State = Pick<FolderState, 'exists' | 'intake' | 'visible'>;
const ABSENT: State = { exists: false, intake: 'closed', visible: false };

/** Which platform should accept the folder's submissions, by its record (null: neither, or in flight). */
export function recordedSide(r: FolderRecord): PlatformName | null {
  switch (r.placement) {
    case 'legacy':
    case 'scheduled':
      return 'legacy';
    case 'live':
    case 'new_on_2_0':
      return 'ecp2';
    case 'retired':
      return r.retiredAt ? null : 'legacy';
    default:
      return null; // cutting_over, rolling_back: frozen on purpose while it moves
  }
}

export function classifyDrift(r: FolderRecord, legacyState: State | null, ecp2State: State | null): Drift[] {
  const legacy = legacyState ?? ABSENT;
  const ecp2 = ecp2State ?? ABSENT;
  // Nothing moves this folder (the reconciler checked): in flight means stuck.
  const stuck = r.placement === 'cutting_over' || r.placement === 'rolling_back';
  // Retired by the catalog, its batch not yet through: legacy is about to close, open or closed is fine.
  const retiring = r.placement === 'retired' && !r.retiredAt;
  const drifts: Drift[] = [];
  const side = recordedSide(r);
  const bothOpen = legacy.intake === 'open' && ecp2.intake === 'open';
  if (bothOpen) {
    // Close the side the record does not name; stuck (or retired and closed), the move froze legacy first, so
    // ECP 2.0 opened before its time: close ECP 2.0 unless the record says it is the one.
    const close: PlatformName = side === 'ecp2' ? 'legacy' : 'ecp2';
    drifts.push({
      kind: 'open_on_both',
      detail: `open on legacy and on ECP 2.0 while the record says ${r.placement}: closing ${close === 'ecp2' ? 'ECP 2.0' : 'legacy'}`,
      close,
    });
  }
  if (stuck) {
    drifts.push({
      kind: 'stuck_in_flight',
      detail: `${r.placement} with no workflow moving it (legacy ${legacy.intake}, ECP 2.0 ${ecp2.intake}): repair it with 'ecp-cutover folder repair ${r.code} --to legacy|live'`,
    });
  }
  if (side && !bothOpen && !retiring) {
    const [mine, other, otherName] = side === 'legacy' ? [legacy, ecp2, 'ECP 2.0'] : [ecp2, legacy, 'legacy'];
    const name = side === 'legacy' ? 'legacy' : 'ECP 2.0';
    if (!mine.exists)
      drifts.push({
        kind: 'missing_on_platform',
        detail: `${name} has no folder ${r.code} though the record says ${r.placement}`,
      });
    else if (mine.intake !== 'open' && other.intake === 'open')
      drifts.push({
        kind: 'open_on_wrong_side',
        detail: `${otherName} accepts submissions and ${name} (${mine.intake}) does not, though the record says ${r.placement}`,
      });
    else if (mine.intake !== 'open')
      drifts.push({
        kind: 'closed_where_recorded',
        detail: `${name} is ${mine.intake} and ${otherName} ${other.exists ? other.intake : 'has no such folder'}: participants are refused everywhere`,
      });
  }
  if (!side && !stuck && !bothOpen) {
    // Retired and closed: no platform should take it.
    const open = [
      legacy.intake === 'open' ? 'legacy' : null,
      ecp2.intake === 'open' ? 'ECP 2.0' : null,
    ].filter(Boolean);
    if (open.length)
      drifts.push({
        kind: 'open_on_wrong_side',
        detail: `${open.join(' and ')} accepts submissions though ${r.code} is retired`,
      });
  }
  // I2: hidden on legacy means moved. Retired folders once closed are hidden too; stuck or retiring, either is
  // fine. Closing legacy (open on both) hides it too: nothing more to say then.
  const closingLegacy = drifts.some((d) => d.close === 'legacy');
  if (!stuck && !retiring && legacy.exists && !closingLegacy) {
    const shouldShow = side === 'legacy';
    if (legacy.visible !== shouldShow)
      drifts.push({
        kind: 'legacy_visibility',
        detail: `legacy ${legacy.visible ? 'shows' : 'hides'} ${r.code} though the record says ${r.placement}`,
      });
  }
  return drifts;
}
