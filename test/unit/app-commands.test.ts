import { describe, expect, it } from 'vitest';
import { abortBatch, approveBatch, mustRead, rejectBatch } from '../../app/batches';
import { rehearseBatch } from '../../app/rehearsal';
import { requestRepair } from '../../app/repair';
import { requestSwitchBack } from '../../app/switch-back';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../../domain/errors';
import { alice, bob, carol, fakeApp } from '../support/fakes/app';
import { at, batch, drift, folder, member, run, world } from '../support/fakes/world';

// The rules a command's use-case applies before it signs and sends anything to Temporal: a refusal here leaves
// Temporal untouched (the fake Temporal fails the test if it is reached). What happens once a command is sent
// is the workflows', tested end to end (test/integration/batch.test.ts, folder-rollback.test.ts, reconcile.test.ts).
const w = () =>
  world({
    operators: [
      { name: 'alice', roles: ['planner'] },
      { name: 'bob', roles: ['approver'] },
    ],
    folders: [
      folder('SD1', { placement: 'live', liveSince: at(1) }),
      folder('SD2'),
      folder('SD3', { placement: 'cutting_over' }),
      folder('RT1', { placement: 'retired' }),
    ],
    batches: [batch('B1', { status: 'completed', finishedAt: at(9) }), batch('B2')],
    batchFolders: [member('B1', 'SD1', { status: 'live', active: false }), member('B2', 'SD2')],
    runs: [run('SD3', 'cutover-B0-SD3')],
    drifts: [drift('SD2', 'open_on_both')],
  });

describe('commands refused before Temporal is asked', () => {
  it('a batch: one that does not exist, one that has finished, a role the operator lacks, a reason that says nothing', async () => {
    await expect(approveBatch(fakeApp(w()), bob, 'B9')).rejects.toThrow(
      new NotFoundError("no batch B9: list folders and plans with 'ecp-cutover folders'"),
    );
    await expect(approveBatch(fakeApp(w()), bob, 'B1')).rejects.toThrow(
      new ConflictError('batch B1 is completed: it has finished, so there is no approval to make'),
    );
    await expect(rejectBatch(fakeApp(w()), alice, 'B2', 'not today')).rejects.toThrow(
      new NotAllowedError("operator 'alice' does not hold the approver role (has: planner)"),
    );
    await expect(abortBatch(fakeApp(w()), carol, 'B2', 'stop')).rejects.toThrow(
      "operator 'carol' does not hold the planner or approver role (has: support)",
    );
    // The reason is read as the call is made (an exception before any promise).
    expect(() => rejectBatch(fakeApp(w()), bob, 'B2', ' x ')).toThrow(InputError);
    expect(await mustRead(fakeApp(w()), 'B1')).toMatchObject({
      id: 'B1',
      status: 'completed',
      finishedAt: at(9).toISOString(),
      folders: [expect.objectContaining({ code: 'SD1', status: 'live' })],
    });
  });

  it('a switch-back: only of a live folder in the catalog, with a reason, by a planner', async () => {
    await expect(requestSwitchBack(fakeApp(w()), alice, 'sd2', 'wrong day')).rejects.toThrow(
      new ConflictError('folder SD2 is legacy, not live: only a live folder can be switched back'),
    );
    await expect(requestSwitchBack(fakeApp(w()), alice, 'NOPE', 'wrong day')).rejects.toThrow(NotFoundError);
    await expect(requestSwitchBack(fakeApp(w()), alice, 'SD1', 'no')).rejects.toThrow(InputError);
    await expect(requestSwitchBack(fakeApp(w()), bob, 'SD1', 'wrong day')).rejects.toThrow(NotAllowedError);
  });

  it("a repair: what the policy refuses on the folder's record, and a move Temporal still runs", async () => {
    await expect(requestRepair(fakeApp(w()), alice, 'RT1', 'legacy', 'stuck')).rejects.toThrow(
      new ConflictError('folder RT1 is retired: a repair moves a folder between legacy and ECP 2.0 only'),
    );
    await expect(requestRepair(fakeApp(w()), alice, 'SD2', 'legacy', 'drifted')).rejects.toThrow(
      new ConflictError('folder SD2 is planned in batch B2: abort that batch or let it run first'),
    );
    await expect(requestRepair(fakeApp(w()), alice, 'SD1', 'legacy', 'drifted')).rejects.toThrow(
      /folder SD1 is recorded as live: a repair puts its platforms back there/,
    );
    await expect(requestRepair(fakeApp(w()), alice, 'NOPE', 'live', 'stuck')).rejects.toThrow(NotFoundError);
    await expect(requestRepair(fakeApp(w()), alice, 'SD3', 'ecp2', 'stuck')).rejects.toThrow(InputError);
    await expect(requestRepair(fakeApp(w()), bob, 'SD3', 'live', 'stuck')).rejects.toThrow(NotAllowedError);
  });
});

describe('rehearsals, refused before Temporal is asked (issue 28)', () => {
  it("a rehearsal: the planner's, of a batch that exists and has not started", async () => {
    await expect(rehearseBatch(fakeApp(w()), bob, 'B2')).rejects.toThrow(
      new NotAllowedError("operator 'bob' does not hold the planner role (has: approver)"),
    );
    await expect(rehearseBatch(fakeApp(w()), alice, 'B9')).rejects.toThrow(NotFoundError);
    await expect(rehearseBatch(fakeApp(w()), alice, 'B1')).rejects.toThrow(
      new ConflictError('batch B1 is completed: only a batch not yet started is rehearsed'),
    );
  });

  it('REQUIRE_REHEARSAL: an approval without a rehearsal of this plan is refused, saying so; without it set, nothing is asked of rehearsals', async () => {
    const app = fakeApp(w(), { env: { REQUIRE_REHEARSAL: '7d' } });
    await expect(approveBatch(app, bob, 'B2')).rejects.toThrow(
      /^approval of batch B2 refused: REQUIRE_REHEARSAL=7d asks for a successful rehearsal of this plan in the last 7d, and there is none: run 'ecp-cutover batch rehearse B2'/,
    );
    // The batch's own refusals come first.
    await expect(approveBatch(app, bob, 'B1')).rejects.toThrow('batch B1 is completed');
    const off = fakeApp(w());
    off.stores.rehearsals.latest = () => Promise.reject(new Error('rehearsals were read'));
    // Off: the approval goes on to Temporal without reading rehearsals (the fake Temporal throws when reached).
    await expect(approveBatch(off, bob, 'B2')).rejects.toThrow(/deps\.temporal\.workflow/);
  });
});
