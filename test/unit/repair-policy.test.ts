import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors';
import { refusalOfRepair, refusalOnRecord, repairTarget, type RepairFacts } from '../../domain/repair-policy';

/** A live folder with a drift open and nothing else going on: repairable back to live. */
const f = (over: Partial<RepairFacts> = {}): RepairFacts => ({
  code: 'SD2',
  placement: 'live',
  decommission: null,
  movingBy: null,
  plannedIn: null,
  openDrifts: 1,
  ...over,
});

describe('the repair policy: facts in, the refusal (or null) out', () => {
  it('takes only legacy or live as the side to repair to', () => {
    expect(repairTarget('legacy')).toBe('legacy');
    expect(repairTarget('live')).toBe('live');
    expect(() => repairTarget('ecp2')).toThrow(InputError);
    expect(() => repairTarget('ecp2')).toThrow('`to` ecp2: say legacy or live');
  });

  it('allows a drifted folder back where its record says, and a stuck one to either side', () => {
    expect(refusalOfRepair(f(), 'live')).toBeNull();
    expect(refusalOfRepair(f({ placement: 'legacy' }), 'legacy')).toBeNull();
    for (const placement of ['cutting_over', 'rolling_back'] as const) {
      for (const to of ['legacy', 'live'] as const)
        expect(refusalOfRepair(f({ placement, openDrifts: 0 }), to), `${placement} → ${to}`).toBeNull();
    }
  });

  it('refuses on the record alone, before anyone asks Temporal', () => {
    expect(refusalOnRecord(f({ placement: null }), 'live')).toBe('folder SD2 is not in the catalog');
    expect(refusalOnRecord(f({ placement: 'retired' }), 'legacy')).toBe(
      'folder SD2 is retired: a repair moves a folder between legacy and ECP 2.0 only',
    );
    expect(refusalOnRecord(f({ placement: 'new_on_2_0' }), 'live')).toBe(
      'folder SD2 is new_on_2_0: a repair moves a folder between legacy and ECP 2.0 only',
    );
    expect(refusalOnRecord(f({ placement: 'cutting_over', decommission: 'running' }), 'legacy')).toBe(
      'legacy ECP is being switched off: nothing can be repaired to it',
    );
    expect(refusalOnRecord(f({ placement: 'cutting_over', decommission: 'completed' }), 'legacy')).toBe(
      'legacy ECP is decommissioned: nothing can be repaired to it',
    );
    // To ECP 2.0 a decommission is no obstacle; neither is one that is only scheduled.
    expect(refusalOnRecord(f({ placement: 'cutting_over', decommission: 'completed' }), 'live')).toBeNull();
    expect(refusalOnRecord(f({ placement: 'cutting_over', decommission: 'scheduled' }), 'legacy')).toBeNull();
    // The full policy says the same, first.
    expect(refusalOfRepair(f({ placement: null, movingBy: 'cutover-B1-SD2' }), 'live')).toBe(
      'folder SD2 is not in the catalog',
    );
  });

  it('refuses while a move of the folder still runs', () => {
    expect(refusalOfRepair(f({ placement: 'cutting_over', movingBy: 'cutover-B1-SD2' }), 'legacy')).toBe(
      'folder SD2 is being moved by cutover-B1-SD2 right now: wait for it to end',
    );
  });

  it('puts a folder that is not stuck back only where its record says, and not while a batch plans it', () => {
    expect(refusalOfRepair(f({ placement: 'legacy' }), 'live')).toBe(
      'folder SD2 is recorded as legacy: a repair puts its platforms back there (`to` legacy); to move it, plan a batch or request a switch-back',
    );
    expect(refusalOfRepair(f({ placement: 'scheduled', plannedIn: 'B4' }), 'legacy')).toBe(
      'folder SD2 is planned in batch B4: abort that batch or let it run first',
    );
    // Stuck, the plan is no obstacle: its move is what got stuck.
    expect(refusalOfRepair(f({ placement: 'cutting_over', plannedIn: 'B4' }), 'live')).toBeNull();
  });

  it('needs a drift open for a folder that is not stuck, unless the repair was approved already', () => {
    expect(refusalOfRepair(f({ openDrifts: 0 }), 'live')).toBe(
      "folder SD2 is live with no drift open: nothing to repair (see 'ecp-cutover reconcile')",
    );
    // The drift that justified the request may have cleared meanwhile: the approved repair still holds.
    expect(refusalOfRepair(f({ openDrifts: 0 }), 'live', { approved: true })).toBeNull();
    // Approval does not lift the other refusals.
    expect(refusalOfRepair(f({ movingBy: 'rollback-SD2' }), 'live', { approved: true })).toMatch(
      /being moved by rollback-SD2/,
    );
  });
});
