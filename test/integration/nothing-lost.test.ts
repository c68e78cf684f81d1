import { describe, expect, it } from 'vitest';
import { runBatch } from '../support/batches';
import { cutoverStack } from '../support/stack';
import { enrolSubmitters, startSubmitters } from '../support/submitter';
import { until } from '../support/wait';

// Legacy takes 1.5 s to process a file, so every cutover meets files in flight.
const stack = await cutoverStack({ processingDelayMs: 1500 });
const { db, sim, app } = stack;
await stack.runWorker();
const USER = 'ops@firm.example';
await enrolSubmitters(stack.gateway, { user: USER, clients: 4, functions: ['EU_ECPCASH'] });

/** Samples both platforms' intake for a folder in one statement (one snapshot) until stopped. */
function sampleBothOpen(folder: string) {
  let running = true;
  let samples = 0;
  let bothOpen = 0;
  const loop = (async () => {
    while (running) {
      const { rows } = await db.raw(
        `select l.intake as legacy, e.intake as ecp2 from sim_legacy.folders l join sim_ecp2.folders e using (code) where code = ?`,
        [folder],
      );
      samples++;
      if (rows[0].legacy === 'open' && rows[0].ecp2 === 'open') bothOpen++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return { stop: async () => ((running = false), await loop, { samples, bothOpen }) };
}

async function storedCopies(folder: string, participant: string, filename: string) {
  const where = { folder_code: folder, participant, filename };
  const legacy = await db('sim_legacy.submissions')
    .where(where)
    .whereNot({ status: 'handed_over' })
    .select('sha256');
  const ecp2 = await db('sim_ecp2.submissions').where(where).select('sha256');
  return [
    ...legacy.map((r) => ({ on: 'legacy', sha: r.sha256 })),
    ...ecp2.map((r) => ({ on: 'ecp2', sha: r.sha256 })),
  ];
}

describe('nothing lost under load (I1, I3)', () => {
  for (const [title, folder, drainTimeoutMs] of [
    ['pending files drained by legacy processing', 'SD1', 10_000],
    ['pending files handed over to ECP 2.0 with their checksums', 'SD2', 0],
  ] as const) {
    it(`participants keep submitting ${folder} through its cutover (${title})`, async () => {
      const sampler = sampleBothOpen(folder);
      const submitters = startSubmitters(sim.url, {
        folder,
        user: USER,
        clients: 4,
        prefix: folder === 'SD1' ? 'SD' : 'SDA',
        adminToken: stack.simToken,
      });
      const acceptedOn = (platform: string) => () =>
        submitters.attempts.filter((a) => a.platform === platform && a.status === 201).length > 5;
      // Files in flight on legacy when the cutover begins, and files on ECP 2.0 once it has moved.
      await until(`more than 5 files of ${folder} accepted on legacy`, acceptedOn('legacy'));
      // With no time to wait, the local drain leaves the files to the drain activity, which hands them over: the
      // history of that path is a replay fixture.
      const record =
        drainTimeoutMs === 0 ? { folder, name: 'cutover-drain-handed-over-move-at-once' } : undefined;
      const { result } = await runBatch(
        {
          ...app,
          config: { ...app.config, drainTimeoutMs, freezeWindowMaxMs: 60_000, MOVE_MAX_ATTEMPTS: 3 },
        },
        [folder],
        { record },
      );
      await until(`more than 5 files of ${folder} accepted on ECP 2.0`, acceptedOn('ecp2'));
      const attempts = await submitters.stop();
      const { samples, bothOpen } = await sampler.stop();
      expect(result.folders[folder].status).toBe('live');

      const acked = attempts.filter((a) => a.status === 201);
      const refused = attempts.filter((a) => a.status !== 201);
      expect(acked.filter((a) => a.platform === 'legacy').length).toBeGreaterThan(5);
      expect(acked.filter((a) => a.platform === 'ecp2').length).toBeGreaterThan(5);
      // I3: every acknowledged file is on exactly one platform, byte-identical.
      for (const a of acked) {
        expect(a.sha256).toBe(a.sentSha256);
        expect(await storedCopies(folder, a.participant, a.filename), a.filename).toEqual([
          { on: expect.any(String), sha: a.sentSha256 },
        ]);
      }
      // Every refusal is documented and says where to go; nothing else was refused.
      for (const r of refused) {
        expect(['3001', '3002']).toContain(r.code);
        expect(r.message).toMatch(/submit (it|again in a minute) on (ECP 2\.0|legacy ECP)/);
      }
      // I1: never both open, at any sampled instant.
      expect(samples).toBeGreaterThan(50);
      expect(bothOpen).toBe(0);
      const run = await db('folder_runs').where({ folder_code: folder }).first();
      expect(run.drained).toBeGreaterThan(0);
      if (drainTimeoutMs === 0) expect(run.handed_over).toBeGreaterThan(0);
      const drainSteps = await db('events')
        .where({ entity_type: 'folder', entity_id: folder })
        .whereIn('to_state', ['draining', 'drained'])
        .pluck('to_state');
      expect(drainSteps).toEqual(['draining', 'drained']); // each once, though two attempts (local, then the activity) may write them
      expect(
        await db('sim_legacy.submissions')
          .where({ folder_code: folder, status: 'pending' })
          .count({ n: '*' })
          .first(),
      ).toEqual({ n: 0 });
    });
  }
  // The hand-over fails for good after the local drain left files in flight: the only path on which the drain's
  // compensation runs. The folder goes back to legacy with every acknowledged file on exactly one platform.
  it('participants keep submitting SPLPRPT while its hand-over fails: back on legacy, nothing lost (I1, I3)', async () => {
    const folder = 'SPLPRPT';
    const sampler = sampleBothOpen(folder);
    const submitters = startSubmitters(sim.url, {
      folder,
      user: USER,
      clients: 4,
      prefix: 'SPLP',
      adminToken: stack.simToken,
    });
    await until(`more than 5 files of ${folder} accepted on legacy`, () =>
      submitters.attempts.filter((a) => a.platform === 'legacy' && a.status === 201).length > 5
        ? true
        : undefined,
    );
    sim.faults.set([{ match: `POST /legacy/admin/folders/${folder}/handover`, outage: true }]);
    try {
      const { result } = await runBatch(
        {
          ...app,
          config: { ...app.config, drainTimeoutMs: 0, freezeWindowMaxMs: 60_000, MOVE_MAX_ATTEMPTS: 2 },
        },
        [folder],
        { record: { folder, name: 'cutover-hand-over-failed-move-at-once' } },
      );
      expect(result.folders[folder]).toMatchObject({
        status: 'failed',
        failure: expect.stringMatching(/503/),
      });
    } finally {
      sim.faults.clear();
    }
    // Back on legacy: participants' submissions are accepted there again.
    const before = submitters.attempts.length;
    await until('more files accepted on legacy after the compensation', () =>
      submitters.attempts.slice(before).filter((a) => a.platform === 'legacy' && a.status === 201).length > 3
        ? true
        : undefined,
    );
    const attempts = await submitters.stop();
    const { bothOpen } = await sampler.stop();
    expect(bothOpen).toBe(0);
    for (const a of attempts.filter((x) => x.status === 201))
      expect(await storedCopies(folder, a.participant, a.filename), a.filename).toEqual([
        { on: 'legacy', sha: a.sentSha256 },
      ]);
    expect(await db('folders').where({ code: folder }).first('placement')).toEqual({ placement: 'legacy' });
    const undos = await db('events')
      .where({ entity_type: 'folder', entity_id: folder })
      .where('to_state', 'like', 'undo:%')
      .pluck('to_state');
    expect(undos).toEqual(['undo:drained', 'undo:frozen']);
  });
});
