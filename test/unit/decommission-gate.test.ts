import { describe, expect, it } from 'vitest';
import { decommissionGate, type GateFacts } from '../../domain/decommission-gate';

const now = new Date('2022-12-30T10:00:00Z');
const DAY = 86_400_000;
/** A legacy platform that is ready to go: everything moved and quiet for 15 days. */
const ready: GateFacts = {
  foldersNotMoved: [],
  unfinishedBatches: [],
  pendingSwitchBacks: [],
  openDrifts: new Map(),
  lastLegacyAcceptance: new Date(now.getTime() - 15 * DAY).toISOString(),
  quietPeriodMs: 14 * DAY,
  now,
};
const item = (f: Partial<GateFacts>, name: string) =>
  decommissionGate({ ...ready, ...f }).items.find((i) => i.item === name)!;

describe('decommissionGate: the facts in, each item and the verdict out', () => {
  it('passes when every item passes, each saying why', () => {
    const gate = decommissionGate(ready);
    expect(gate.pass).toBe(true);
    expect(gate.items.map((i) => [i.item, i.pass, i.detail])).toEqual([
      ['folders', true, 'every folder is live, retired or born on ECP 2.0'],
      ['batches', true, 'no batch unfinished'],
      ['switch_backs', true, 'no switch-back pending'],
      ['drift', true, 'no drift open (last reconciler pass)'],
      [
        'quiet_period',
        true,
        'last submission accepted on legacy at 2022-12-15T10:00:00.000Z (360 h ago; needs 336 h)',
      ],
    ]);
  });

  it('fails on each fact alone, naming what blocks it', () => {
    const cases: [Partial<GateFacts>, string, string][] = [
      [{ foldersNotMoved: ['SD3', 'SMMRPT'] }, 'folders', '2 folder(s) not moved: SD3, SMMRPT'],
      [
        {
          unfinishedBatches: [
            { id: 'B2', status: 'running' },
            { id: 'B3', status: 'awaiting_approval' },
          ],
        },
        'batches',
        'unfinished: B2 (running), B3 (awaiting_approval)',
      ],
      [{ pendingSwitchBacks: ['SD1'] }, 'switch_backs', 'switch-back awaiting approval: SD1'],
      [
        { openDrifts: new Map([['SD2', ['open_on_wrong_side', 'legacy_visibility']]]) },
        'drift',
        "drift open on SD2 (open_on_wrong_side, legacy_visibility): see 'ecp-cutover reconcile'",
      ],
      [
        { lastLegacyAcceptance: new Date(now.getTime() - 3 * DAY).toISOString() },
        'quiet_period',
        'last submission accepted on legacy at 2022-12-27T10:00:00.000Z (72 h ago; needs 336 h)',
      ],
    ];
    for (const [facts, name, detail] of cases) {
      const gate = decommissionGate({ ...ready, ...facts });
      expect(gate.pass, name).toBe(false);
      expect(
        gate.items.filter((i) => !i.pass).map((i) => [i.item, i.detail]),
        name,
      ).toEqual([[name, detail]]);
    }
  });

  it('lists ten folders or drifts at most', () => {
    const codes = Array.from({ length: 12 }, (_, i) => `F${String(i).padStart(2, '0')}`);
    expect(item({ foldersNotMoved: codes }, 'folders').detail).toBe(
      `12 folder(s) not moved: ${codes.slice(0, 10).join(', ')}, …`,
    );
    expect(item({ openDrifts: new Map(codes.map((c) => [c, ['stuck_in_flight']])) }, 'drift').detail).toMatch(
      /^drift open on F00 \(stuck_in_flight\), .*F09 \(stuck_in_flight\), …: see/,
    );
  });

  it('counts a legacy that never accepted anything as quiet, and the quiet period to the millisecond', () => {
    expect(item({ lastLegacyAcceptance: null }, 'quiet_period')).toEqual({
      item: 'quiet_period',
      pass: true,
      detail: 'legacy never accepted a submission',
    });
    expect(
      item({ lastLegacyAcceptance: new Date(now.getTime() - 14 * DAY).toISOString() }, 'quiet_period').pass,
    ).toBe(true);
    expect(
      item({ lastLegacyAcceptance: new Date(now.getTime() - 14 * DAY + 1).toISOString() }, 'quiet_period')
        .pass,
    ).toBe(false);
  });
});
