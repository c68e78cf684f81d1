import { describe, expect, it } from 'vitest';
import { classifyDrift, type FolderRecord } from '../../domain/drift';
import type { Placement } from '../../domain/placement';

type State = Parameters<typeof classifyDrift>[1];
const open: State = { exists: true, intake: 'open', visible: true };
const closed: State = { exists: true, intake: 'closed', visible: false };
const frozen: State = { exists: true, intake: 'frozen', visible: true };
const hiddenOpen: State = { exists: true, intake: 'open', visible: false };
const rec = (placement: Placement, extra: Partial<FolderRecord> = {}): FolderRecord => ({
  code: 'SD1',
  placement,
  retiredAt: null,
  ...extra,
});
const kinds = (r: FolderRecord, legacy: State, ecp2: State) =>
  classifyDrift(r, legacy, ecp2).map((d) => d.kind);

describe('classifyDrift: the record against both platforms', () => {
  it('finds nothing where the platforms are where the record says', () => {
    expect(kinds(rec('legacy'), open, closed)).toEqual([]);
    expect(kinds(rec('scheduled'), open, closed)).toEqual([]);
    expect(kinds(rec('live'), closed, open)).toEqual([]);
    expect(kinds(rec('new_on_2_0'), null, open)).toEqual([]);
    expect(kinds(rec('retired'), open, null)).toEqual([]); // retired by the catalog, not yet closed by its batch
    expect(kinds(rec('retired', { retiredAt: '2022-06-06T00:00:00Z' }), closed, null)).toEqual([]);
    // Retiring: its batch closes legacy first and records the retirement after, so closed is fine too.
    expect(kinds(rec('retired'), closed, null)).toEqual([]);
  });

  it('closes the side the record does not name when both accept (I1), and nothing else is acted on', () => {
    expect(classifyDrift(rec('live'), open, open)).toEqual([
      expect.objectContaining({ kind: 'open_on_both', close: 'legacy' }),
    ]);
    expect(classifyDrift(rec('legacy'), open, open)).toEqual([
      expect.objectContaining({ kind: 'open_on_both', close: 'ecp2' }),
    ]);
    // Stuck in flight, legacy was frozen first: ECP 2.0 opened before its time.
    expect(classifyDrift(rec('cutting_over'), open, open)[0]).toMatchObject({
      kind: 'open_on_both',
      close: 'ecp2',
    });
    for (const [r, l, e] of [
      [rec('legacy'), frozen, closed],
      [rec('live'), open, closed],
      [rec('live'), closed, closed],
      [rec('cutting_over'), frozen, closed],
    ] as const) {
      expect(classifyDrift(r, l, e).every((d) => d.close === undefined)).toBe(true);
    }
  });

  it('names every other difference', () => {
    expect(kinds(rec('legacy'), frozen, closed)).toEqual(['closed_where_recorded']);
    expect(kinds(rec('live'), closed, closed)).toEqual(['closed_where_recorded']);
    expect(kinds(rec('live'), { ...open!, visible: false }, closed)).toEqual(['open_on_wrong_side']);
    expect(kinds(rec('live'), null, null)).toEqual(['missing_on_platform']);
    expect(kinds(rec('live'), { ...closed!, visible: true }, open)).toEqual(['legacy_visibility']);
    expect(kinds(rec('legacy'), hiddenOpen, closed)).toEqual(['legacy_visibility']);
    expect(
      kinds(rec('retired', { retiredAt: '2022-06-06T00:00:00Z' }), { ...closed!, visible: true }, null),
    ).toEqual(['legacy_visibility']);
    // Retired and closed, yet a platform takes it.
    expect(kinds(rec('retired', { retiredAt: '2022-06-06T00:00:00Z' }), hiddenOpen, null)).toEqual([
      'open_on_wrong_side',
    ]);
    // Terminated mid-move: no workflow, whatever the platforms say.
    expect(kinds(rec('cutting_over'), frozen, closed)).toEqual(['stuck_in_flight']);
    expect(kinds(rec('rolling_back'), closed, frozen)).toEqual(['stuck_in_flight']);
  });
});
