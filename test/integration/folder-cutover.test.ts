import { describe, expect, it } from 'vitest';
import { folderCutover } from '../../workflows/folder-cutover';
import { FOLDER_CODE } from '../../workflows/search-attributes';
import { cutoverStack, FAST_MOVE, snapshot } from '../support/stack';
import { recordHistory, uniqueId } from '../support/temporal';

const stack = await cutoverStack();
const { db, client, taskQueue, sim } = stack;
await stack.runWorker();

async function cutover(folderCode: string, record?: string) {
  const handle = await client.workflow.start(folderCutover, {
    taskQueue,
    workflowId: uniqueId(`cutover-${folderCode}`),
    args: [{ folderCode, batchId: null, actor: 'test', options: FAST_MOVE }],
    typedSearchAttributes: [{ key: FOLDER_CODE, value: folderCode }],
  });
  const result = await handle.result();
  if (record) await recordHistory(handle, record);
  return result;
}

const platformState = async (code: string) => ({
  legacy: await db('sim_legacy.folders').where({ code }).first('intake', 'visible'),
  ecp2: await db('sim_ecp2.folders').where({ code }).first('intake', 'visible'),
});

describe('folderCutover', () => {
  it('moves a legacy folder to ECP 2.0: live, legacy disabled and hidden, freeze window measured, every step recorded', async () => {
    const result = await cutover('SD1', 'cutover-succeeded');
    expect(result).toMatchObject({ folderCode: 'SD1', outcome: 'succeeded', failure: null });
    expect(result.freezeWindowMs).toBeGreaterThanOrEqual(0);
    expect(result.freezeWindowMs).toBeLessThan(FAST_MOVE.freezeWindowMaxMs);

    const folder = await db('folders').where({ code: 'SD1' }).first();
    expect(folder.placement).toBe('live');
    expect(folder.live_since).toBeInstanceOf(Date);
    expect(await platformState('SD1')).toEqual({ legacy: { intake: 'closed', visible: false }, ecp2: { intake: 'open', visible: true } });

    const run = await db('folder_runs').where({ folder_code: 'SD1' }).first();
    expect(run).toMatchObject({ kind: 'cutover', status: 'succeeded', freeze_window_ms: result.freezeWindowMs });
    const events = await db('events').where({ entity_type: 'folder', entity_id: 'SD1' }).orderBy('id');
    expect(events.map((e) => e.to_state)).toEqual(['cutting_over', 'frozen', 'draining', 'drained', 'target_enabled', 'verified', 'source_disabled', 'live']);
    expect(new Set(events.map((e) => e.run_id)).size).toBe(1);
    expect(events.every((e) => e.workflow_id?.startsWith('cutover-SD1-'))).toBe(true);
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
        const result = await cutover('SD2', `cutover-compensated-at-${step.replaceAll(' ', '-')}`);
        expect(result.outcome).toBe('compensated');
        expect(result.failure).toMatch(/platform answered 503/);
      } finally {
        sim.faults.clear();
      }
      const folder = await db('folders').where({ code: 'SD2' }).first();
      expect(folder.placement).toBe('legacy');
      expect(folder.last_failure).toMatch(/503/);
      expect(await platformState('SD2')).toEqual({ legacy: { intake: 'open', visible: true }, ecp2: { intake: 'closed', visible: false } });
      expect(await snapshot(db, ['SD2'])).toEqual(before);
    });
  }

  it('refuses folders that are not on legacy, and touches nothing', async () => {
    const before = await snapshot(db);
    for (const [code, why] of [['SD1', /live, not on legacy/], ['LEGTEST', /retired, not on legacy/], ['IDRMAP', /new_on_2_0, not on legacy/], ['NOPE', /not in the catalog/]] as const) {
      const result = await cutover(code);
      expect(result.outcome, code).toBe('refused');
      expect(result.failure).toMatch(why);
    }
    expect(await snapshot(db)).toEqual(before);
  });

  it('ten folders at once, one failing: the other nine go live (I7)', async () => {
    const codes = ['SD3', 'SMMRPT', 'SPLPRPT', 'CCSSW-SH', 'CCSSW-SZ', 'CCLOS-SH', 'CCLOS-SZ', 'CSCTRD', 'CSCMAP', 'LOPHKFE'];
    sim.faults.set([{ match: 'POST /ecp2/admin/folders/CSCMAP/enable', outage: true }]);
    try {
      const results = await Promise.all(codes.map((c) => cutover(c)));
      expect(results.filter((r) => r.outcome === 'succeeded').map((r) => r.folderCode).sort()).toEqual(codes.filter((c) => c !== 'CSCMAP').sort());
      expect(results.find((r) => r.folderCode === 'CSCMAP')?.outcome).toBe('compensated');
    } finally {
      sim.faults.clear();
    }
    const placements = Object.fromEntries((await db('folders').whereIn('code', codes).select('code', 'placement')).map((r) => [r.code, r.placement]));
    expect(placements).toEqual(Object.fromEntries(codes.map((c) => [c, c === 'CSCMAP' ? 'legacy' : 'live'])));
  });
});
