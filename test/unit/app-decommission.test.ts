import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { decommissionGateNow, decommissionStatus, scheduleDecommission } from '../../app/decommission';
import { businessDaysBefore } from '../../domain/calendar';
import { ConflictError, InputError, NotAllowedError } from '../../domain/errors';
import { alice, bob, fakeApp } from '../support/fakes/app';
import { fakeGateway } from '../support/fakes/gateway';
import { at, batch, drift, folder, notice, participant, world, type World } from '../support/fakes/world';

const decommission = (over: Partial<NonNullable<World['decommission']>> = {}): World['decommission'] => ({
  status: 'scheduled',
  plannedAt: new Date('2031-06-02T02:00:00Z'),
  requestedBy: 'alice',
  approvedBy: 'bob',
  gate: null,
  gateCheckedAt: null,
  completedAt: null,
  ...over,
});

describe('the decommission (app/decommission.ts)', () => {
  it('its status: the row with ISO instants, when each firm is reminded, and how many firms each notice reached', async () => {
    const gate = [{ item: 'folders' as const, pass: false, detail: '1 folder(s) not moved: SD1' }];
    const app = fakeApp(
      world({
        participants: [participant('00100'), participant('00200')],
        notices: [
          notice('00100', 'decommission_scheduled', 'D1'),
          notice('00200', 'decommission_scheduled', 'D1'),
          notice('00100', 'decommission_reminder', 'R30'),
        ],
        decommission: decommission({ gate, gateCheckedAt: at(5) }),
      }),
      { env: { DECOMMISSION_REMINDER_DAYS: '7,1' } },
    );
    const planned = DateTime.fromISO('2031-06-02T02:00:00Z');
    expect(await decommissionStatus(app)).toEqual({
      status: 'scheduled',
      plannedAt: '2031-06-02T02:00:00.000Z',
      requestedBy: 'alice',
      approvedBy: 'bob',
      gate,
      gateCheckedAt: at(5).toISOString(),
      completedAt: null,
      reminderAts: [businessDaysBefore(planned, 7).toISO(), businessDaysBefore(planned, 1).toISO()],
      notices: [
        { kind: 'decommission_reminder', subject: 'R30', firms: 1 },
        { kind: 'decommission_scheduled', subject: 'D1', firms: 2 },
      ],
    });
    expect(await decommissionStatus(fakeApp(world({})))).toBeNull();
  });

  it("the gate now: the stored facts and legacy's last acceptance, decided by the pure gate", async () => {
    const w = world({
      operators: [{ name: 'alice', roles: ['planner'] }],
      folders: [folder('SD1'), folder('SD2', { placement: 'live' })],
      batches: [batch('B1', { status: 'running' })],
      drifts: [drift('SD2', 'open_on_both')],
    });
    const lastAccepted = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const gate = await decommissionGateNow(
      fakeApp(w, {
        gateway: fakeGateway({ lastLegacyAcceptance: lastAccepted }).gateway,
        env: { DECOMMISSION_QUIET_PERIOD: '1h' },
      }),
    );
    expect(gate.pass).toBe(false);
    expect(gate.items.map((i) => [i.item, i.pass])).toEqual([
      ['folders', false],
      ['batches', false],
      ['switch_backs', true],
      ['drift', false],
      ['quiet_period', true],
    ]);
    expect(gate.items[0].detail).toBe('1 folder(s) not moved: SD1');
    const quiet = await decommissionGateNow(
      fakeApp(world({}), {
        gateway: fakeGateway({ lastLegacyAcceptance: lastAccepted }).gateway,
        env: { DECOMMISSION_QUIET_PERIOD: '14d' },
      }),
    );
    expect(quiet.items.find((i) => i.item === 'quiet_period')).toMatchObject({
      pass: false,
      detail: expect.stringMatching(/needs 336 h/),
    });
  });

  it('scheduling is refused before anything is started: a date in the past or too early for the reminders, a legacy already off, a non-planner', async () => {
    const app = (w: World = world({})) => fakeApp(w, { env: { DECOMMISSION_REMINDER_DAYS: '30,7,1' } });
    await expect(scheduleDecommission(app(), alice, '2022-06-06 08:00')).rejects.toThrow(
      new InputError('2022-06-06 08:00 HKT is in the past: pick a future date'),
    );
    const soon = DateTime.utc().plus({ days: 10 }).toISO()!;
    await expect(scheduleDecommission(app(), alice, soon)).rejects.toThrow(
      /is too early: every firm is reminded 30 business days before/,
    );
    await expect(
      scheduleDecommission(
        app(world({ decommission: decommission({ status: 'completed' }) })),
        alice,
        '2031-06-02 10:00',
      ),
    ).rejects.toThrow(new ConflictError('legacy ECP is already decommissioned'));
    await expect(scheduleDecommission(app(), bob, '2031-06-02 10:00')).rejects.toThrow(NotAllowedError);
  });
});
