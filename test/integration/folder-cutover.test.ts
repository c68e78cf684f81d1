import { describe, expect, it } from 'vitest';
import { planBatch } from '../../app/batches';
import { markerData } from '../../bench/waterfall';
import { folderCutover } from '../../workflows/folder-cutover';
import { alice, runBatch } from '../support/batches';
import { until } from '../support/wait';
import { cutoverStack, FAST_MOVE, snapshot } from '../support/stack';
import { uniqueId } from '../support/temporal';

const stack = await cutoverStack();
const { db, client, taskQueue, sim, app, simAdmin } = stack;
await stack.runWorker();

/** One folder cut over in a batch of its own (a folder moves only inside an approved batch). */
async function cutover(folderCode: string, record?: string) {
  const { id, result } = await runBatch(
    app,
    [folderCode],
    record ? { record: { folder: folderCode, name: record } } : {},
  );
  return { batchId: id, ...result.folders[folderCode] };
}

const platformState = async (code: string) => ({
  legacy: await db('sim_legacy.folders').where({ code }).first('intake', 'visible'),
  ecp2: await db('sim_ecp2.folders').where({ code }).first('intake', 'visible'),
});

/** I1 after a cancellation: the folder open on exactly one platform, the one its record and its batch say. */
async function expectOnOnePlatformAsRecorded(code: string, batchOutcome: { status: string }) {
  const folder = await db('folders').where({ code }).first();
  const state = await platformState(code);
  const open = [state.legacy.intake, state.ecp2.intake].filter((i) => i === 'open');
  expect(open, JSON.stringify(state)).toHaveLength(1);
  expect(batchOutcome.status).toBe(folder.placement === 'live' ? 'live' : 'failed');
  expect(state).toEqual(
    folder.placement === 'live'
      ? { legacy: { intake: 'closed', visible: false }, ecp2: { intake: 'open', visible: true } }
      : { legacy: { intake: 'open', visible: true }, ecp2: { intake: 'closed', visible: false } },
  );
  return folder;
}

describe('folderCutover', () => {
  it('moves a legacy folder to ECP 2.0: live, legacy disabled and hidden, freeze window measured, every step recorded', async () => {
    // Recorded for the replay test since the whole move runs as one local activity (MOVE_AT_ONCE); the
    // cutover-succeeded*.json histories are from before.
    const result = await cutover('SD1', 'cutover-succeeded-move-at-once');
    expect(result).toMatchObject({ status: 'live', failure: null });
    expect(result.freezeWindowMs).toBeGreaterThanOrEqual(0);
    expect(result.freezeWindowMs).toBeLessThan(FAST_MOVE.freezeWindowMaxMs);

    const folder = await db('folders').where({ code: 'SD1' }).first();
    expect(folder.placement).toBe('live');
    expect(folder.live_since).toBeInstanceOf(Date);
    expect(await platformState('SD1')).toEqual({
      legacy: { intake: 'closed', visible: false },
      ecp2: { intake: 'open', visible: true },
    });

    const run = await db('folder_runs').where({ folder_code: 'SD1' }).first();
    expect(run).toMatchObject({
      kind: 'cutover',
      status: 'succeeded',
      freeze_window_ms: result.freezeWindowMs,
      batch_id: result.batchId,
    });
    const events = await db('events').where({ entity_type: 'folder', entity_id: 'SD1' }).orderBy('id');
    expect(events.map((e) => e.to_state)).toEqual([
      'cutting_over',
      'frozen',
      'draining',
      'drained',
      'target_enabled',
      'verified',
      'source_disabled',
      'live',
    ]);
    expect(new Set(events.map((e) => e.run_id)).size).toBe(1);
    expect(events.every((e) => e.workflow_id === `cutover-${result.batchId}-SD1`)).toBe(true);
    // Nothing in flight: the drain ran in the workflow task, no activity went through the server.
    const history = await client.workflow.getHandle(`cutover-${result.batchId}-SD1`).fetchHistory();
    expect(history.events?.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
    // One local activity: the whole move at once (begin, freeze, drain, enable, verify, disable, record).
    const locals = history.events?.filter(
      (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    );
    expect(locals?.length).toBe(1);
  });

  const steps: [string, string][] = [
    ['freeze', 'POST /legacy/admin/folders/SD2/freeze'],
    ['drain', 'GET /legacy/admin/folders/SD2$'],
    ['enable', 'POST /ecp2/admin/folders/SD2/enable'],
    ['verify', 'POST /ecp2/admin/folders/SD2/probe'],
    ['disable the source', 'POST /legacy/admin/folders/SD2/disable'],
  ];
  for (const [step, match] of steps) {
    it(`a failure at "${step}" is compensated: SD2 back on legacy with the reason, nothing else changed (I7)`, async () => {
      const before = await snapshot(db, ['SD2']);
      sim.faults.set([{ match, outage: true }]);
      try {
        // Recorded since the whole move runs as one local activity (MOVE_AT_ONCE): the outage stops it, and the move
        // goes on step by step from there until its attempts are spent. The histories from before stay for replay.
        const record = `cutover-compensated-at-${step.replaceAll(' ', '-')}-move-at-once`;
        const result = await cutover('SD2', record);
        expect(result.status).toBe('failed');
        expect(result.failure).toMatch(/platform answered 503/);
      } finally {
        sim.faults.clear();
      }
      const folder = await db('folders').where({ code: 'SD2' }).first();
      expect(folder.placement).toBe('legacy');
      expect(folder.last_failure).toMatch(/503/);
      expect(await platformState('SD2')).toEqual({
        legacy: { intake: 'open', visible: true },
        ecp2: { intake: 'closed', visible: false },
      });
      expect(await snapshot(db, ['SD2'])).toEqual(before);
    });
  }

  // Cancelled (an engineer in Temporal's Web UI, or the batch's end) while the move runs in its one workflow
  // task: the server refuses that task's completion (the cancellation is new to it) and the workflow starts over
  // already cancelled, while the platforms and the record hold what the first attempt did. The outcome the batch
  // records and tells must be the one the platforms and the folder's record show, on exactly one platform (I1).
  const cases: { step: string; code: string; verifyFails?: boolean }[] = [
    { step: 'enable', code: 'DMMRPT' },
    { step: 'disable the source', code: 'BLKTRD' },
    // The first attempt fails at verify and puts the folder back itself; the second finds it compensated.
    { step: 'enable', code: 'AHTRD', verifyFails: true },
  ];
  for (const { step, code, verifyFails } of cases) {
    it(`a cutover cancelled while its "${step}" call is in flight${verifyFails ? ', then failing verification,' : ''} ends on exactly one platform, the one its record says (I1)`, async () => {
      const match =
        step === 'enable'
          ? `POST /ecp2/admin/folders/${code}/enable`
          : `POST /legacy/admin/folders/${code}/disable`;
      sim.faults.set([
        { match, latencyMs: 1500 },
        ...(verifyFails ? [{ match: `POST /ecp2/admin/folders/${code}/probe`, outage: true }] : []),
      ]);
      try {
        const running = runBatch(app, [code], {
          record: {
            folder: code,
            name: `cutover-cancelled-mid-${step.replaceAll(' ', '-')}${verifyFails ? '-then-compensated' : ''}-move-at-once`,
          },
        });
        const run = await until('the call to be in flight', async () => {
          const r = await db('folder_runs').where({ folder_code: code, status: 'running' }).first();
          return r && (step === 'enable' ? r.step === 'drained' : r.step === 'verified') ? r : undefined;
        });
        await new Promise((r) => setTimeout(r, 300));
        await client.workflow.getHandle(run.workflow_id).cancel();
        const { result } = await running;
        // The in-flight call has landed by now, whichever way it went.
        await new Promise((r) => setTimeout(r, 1500));
        const folder = await expectOnOnePlatformAsRecorded(code, result.folders[code]);
        expect(folder.placement).toBe(verifyFails ? 'legacy' : 'live');
        // Put back by the first attempt: the batch tells its reason, not the cancellation that came after.
        if (verifyFails) expect(result.folders[code].failure).toMatch(/platform answered 503/);
      } finally {
        sim.faults.clear();
      }
    });
  }

  // A failure no retry can help (here the verification: legacy reopened by hand under the move while ECP 2.0 is
  // being enabled) ends the whole move at once where it stopped, and puts back exactly what it tried: ECP 2.0
  // closed again, then legacy reopened, with no step tried again, and the reason told.
  it('a verification that fails for good is put back at once: ECP 2.0 closed, legacy open, the reason told', async () => {
    const code = 'BCPDRILL';
    sim.faults.set([{ match: `POST /ecp2/admin/folders/${code}/enable`, latencyMs: 1_000 }]);
    let workflowId = '';
    try {
      const running = runBatch(app, [code], {
        record: { folder: code, name: 'cutover-verification-failed-move-at-once' },
      });
      workflowId = (
        await until('the enable to be in flight', async () => {
          const r = await db('folder_runs').where({ folder_code: code, status: 'running' }).first();
          return r?.step === 'drained' ? r : undefined;
        })
      ).workflow_id;
      expect((await simAdmin(`/legacy/admin/folders/${code}/enable`, { method: 'POST' })).status).toBe(200);
      const { result } = await running;
      expect(result.folders[code].failure).toMatch(
        /verification failed for BCPDRILL: ecp2 accepts, legacy accepts/,
      );
      await expectOnOnePlatformAsRecorded(code, result.folders[code]);
    } finally {
      sim.faults.clear();
    }
    expect(await db('folders').where({ code }).first()).toMatchObject({ placement: 'legacy' });
    // The move's local activities: the whole move once, then the record asked and the two steps it tried put back.
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events?.map((e) => markerData(e)?.activity_type).filter(Boolean)).toEqual([
      'moveAtOnce',
      'recordedOutcome',
      'undoEnableTarget',
      'undoFreezeSource',
      'finishMove',
    ]);
  });

  // A move's one workflow task that runs long (platform calls of 9.5 s) is kept alive by the worker, which reports
  // it to the server every 8 s; a cancellation then reaches the workflow while the move (moveAtOnce) is still running.
  // Compensating at once would let its late calls land after their undo (here: legacy disabled after it was
  // reopened, the folder closed on both while its record says legacy). The folder must end on one platform.
  it('a cutover cancelled while its last steps are still running for long ends on exactly one platform, the one its record says (I1)', async () => {
    const code = 'HKSCCAA';
    sim.faults.set([
      { match: `POST /legacy/admin/folders/${code}/probe`, latencyMs: 9_500 },
      { match: `POST /legacy/admin/folders/${code}/disable`, latencyMs: 9_500 },
    ]);
    try {
      const running = runBatch(app, [code], {
        record: { folder: code, name: 'cutover-cancelled-during-a-long-move-at-once' },
      });
      const run = await until('the verification to be in flight', async () => {
        const r = await db('folder_runs').where({ folder_code: code, status: 'running' }).first();
        return r?.step === 'target_enabled' ? r : undefined;
      });
      const handle = client.workflow.getHandle(run.workflow_id);
      await until(
        'the worker to report the long task',
        async () => (await handle.fetchHistory()).events?.some((e) => e.workflowTaskCompletedEventAttributes),
        { timeoutMs: 15_000 },
      );
      await handle.cancel();
      const { result } = await running;
      await new Promise((r) => setTimeout(r, 10_000)); // a call still in flight (9.5 s at most) has landed
      await expectOnOnePlatformAsRecorded(code, result.folders[code]);
    } finally {
      sim.faults.clear();
    }
  });

  it('a cutover started by hand, outside an approved and running batch, is refused before touching either platform, and writes nothing to the audit trail', async () => {
    // A batch that plans SPLPRPT but is only awaiting approval, and one that has finished.
    const waiting = (
      await planBatch(app, alice, {
        id: 'WAIT',
        name: 'waiting',
        at: '2031-03-10 08:00',
        folders: ['SPLPRPT'],
      })
    ).id;
    const { batchId: finished } = await cutover('SMMRPT');
    const before = await snapshot(db);
    const runsBefore = await db('folder_runs').count({ n: '*' }).first();
    const attempts: [string, string | null, RegExp][] = [
      ['SD3', null, /a folder moves only inside an approved batch, and this cutover names none/],
      ['SD3', 'NOPE', /not started by batch NOPE's workflow \(started directly\)/],
      ['SPLPRPT', waiting, /not started by batch WAIT's workflow \(started directly\)/],
      ['SMMRPT', finished, /not started by batch .*'s workflow \(started directly\)/],
    ];
    for (const [folderCode, batchId, why] of attempts) {
      const workflowId = uniqueId(`cutover-${batchId ?? 'none'}-${folderCode}`);
      const result = await client.workflow.execute(folderCutover, {
        taskQueue,
        workflowId,
        args: [{ folderCode, batchId, actor: 'nobody', options: FAST_MOVE }],
      });
      expect(result.outcome, workflowId).toBe('refused');
      expect(result.failure).toMatch(why);
      // Unsigned: what it carries (an actor, a folder) is nobody's word, and stays out of the audit trail.
      expect(await db('events').where({ workflow_id: workflowId }).select('to_state', 'actor')).toEqual([]);
    }
    expect(await snapshot(db)).toEqual(before);
    expect(await db('folder_runs').count({ n: '*' }).first()).toEqual(runsBefore);
  });

  it('ten folders in one batch, one failing: the other nine go live (I7)', async () => {
    const codes = [
      'SD3',
      'ATTEST',
      'CCSSW-SH',
      'CCSSW-SZ',
      'CCLOS-SH',
      'CCLOS-SZ',
      'CSCTRD',
      'CSCMAP',
      'LOPHKFE',
      'SD2',
    ];
    sim.faults.set([{ match: 'POST /ecp2/admin/folders/CSCMAP/enable', outage: true }]);
    try {
      const { result } = await runBatch(app, codes);
      expect(result.status).toBe('completed_with_failures');
      expect(
        Object.entries(result.folders)
          .filter(([, f]) => f.status === 'live')
          .map(([c]) => c)
          .sort(),
      ).toEqual(codes.filter((c) => c !== 'CSCMAP').sort());
      expect(result.folders.CSCMAP.status).toBe('failed');
    } finally {
      sim.faults.clear();
    }
    const placements = Object.fromEntries(
      (await db('folders').whereIn('code', codes).select('code', 'placement')).map((r) => [
        r.code,
        r.placement,
      ]),
    );
    expect(placements).toEqual(Object.fromEntries(codes.map((c) => [c, c === 'CSCMAP' ? 'legacy' : 'live'])));
  });
});
