import { describe, expect, it } from 'vitest';
import { decommissionGateNow } from '../../app/decommission';
import { smokeWorkflow } from '../../workflows/smoke';
import { ensureReconcileSchedule } from '../../app/reconcile';
import { RECONCILE_SCHEDULE_ID } from '../../domain/workflow-ids';
import { runBatch } from '../support/batches';
import { cutoverStack } from '../support/stack';
import { runCli } from '../support/cli';
import { addOperator } from '../../stores/operator-store';
import { dashboardMetrics, declares } from '../support/dashboard';

/**
 * The reconciler (issue 18), the way the platform team meets it: `ecp-cutover reconcile` through the control
 * API, the pass run by the worker against the simulator's real platform state; drift induced the way it
 * happens — through the platforms' admin API, or a cutover terminated from the Temporal UI.
 */
const s = await cutoverStack();
const OPS = 'platform-team@hkex.example';
Object.assign(s.deps, { opsAlertEmail: OPS }); // the worker's OPS_ALERT_EMAIL
await s.runWorker();
const platform = async (p: 'legacy' | 'ecp2', code: string) =>
  (await (await s.simAdmin(`/${p}/admin/folders/${code}`)).json()) as { intake: string; visible: boolean };
const alerts = () => s.sink.messages().filter((m) => m.envelopeTo.includes(OPS));
const reconcile = async () => {
  const r = await s.cli('reconcile', '--json');
  return { code: r.code, report: JSON.parse(r.stdout || '{}'), stderr: r.stderr };
};

describe('ecp-cutover reconcile', () => {
  it('finds nothing on the seeded catalog: live, legacy, retired and born-on-2.0 folders are where their records say', async () => {
    const r = await reconcile();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.report.folders).toBe(50);
    expect(r.report.detected).toEqual([]);
    expect(r.report.openCount).toBe(0);
    expect(r.report.unreadable).toEqual([]);
  });

  it('closes a folder opened on legacy after it moved (open on both, I1) at once, records it and alerts once', async () => {
    await runBatch(s.app, ['SD2']);
    expect(await platform('ecp2', 'SD2')).toMatchObject({ intake: 'open' });
    // Someone with the legacy admin console re-enables it: both platforms accept SD2.
    expect((await s.simAdmin('/legacy/admin/folders/SD2/enable', { method: 'POST' })).status).toBe(200);
    expect(await platform('legacy', 'SD2')).toMatchObject({ intake: 'open', visible: true });

    const r = await reconcile();
    expect(r.code).toBe(1); // drift found (and acted on)
    expect(r.report.detected).toEqual([
      expect.objectContaining({ folder: 'SD2', kind: 'open_on_both', action: 'closed_legacy' }),
    ]);
    expect(await platform('legacy', 'SD2')).toMatchObject({ intake: 'closed', visible: false });
    expect(await platform('ecp2', 'SD2')).toMatchObject({ intake: 'open', visible: true });
    expect(await s.db('folders').where({ code: 'SD2' }).first('placement')).toEqual({ placement: 'live' });
    expect(
      await s
        .db('events')
        .where({ entity_type: 'folder', entity_id: 'SD2', to_state: 'drift_detected' })
        .first(),
    ).toMatchObject({ actor: 'reconciler', reason: expect.stringContaining('closing legacy') });
    await expect.poll(() => alerts().filter((m) => m.subject.includes('SD2')).length).toBe(1);
    expect(alerts()[0].subject).toBe('[ECP cutover] drift on SD2: open on both (closed at once)');

    // Closed: the next pass is clean, and no second mail.
    const again = await reconcile();
    expect(again.code).toBe(0);
    expect(alerts().filter((m) => m.subject.includes('SD2'))).toHaveLength(1);
  });

  it('records, shows and alerts any other drift without "fixing" it; the decommission gate blocks until it clears', async () => {
    // Legacy freezes SD3 by hand: the record says legacy, and no platform takes SD3.
    await s.simAdmin('/legacy/admin/folders/SD3/freeze', { method: 'POST' });
    const r = await reconcile();
    expect(r.code).toBe(1);
    expect(r.report.detected).toEqual([
      expect.objectContaining({ folder: 'SD3', kind: 'closed_where_recorded', action: null }),
    ]);
    expect(await platform('legacy', 'SD3')).toMatchObject({ intake: 'frozen' }); // untouched
    const folders = JSON.parse((await s.cli('folders', '--json')).stdout) as {
      code: string;
      drifts: string[];
    }[];
    expect(folders.find((f) => f.code === 'SD3')!.drifts).toEqual(['closed_where_recorded']);
    expect((await s.cli('folder', 'SD3')).stdout).toMatch(
      /DRIFT \(closed_where_recorded, since .*\): legacy is frozen/,
    );
    // A drifted folder is repaired back to where its record says, never moved by a repair.
    const elsewhere = await s.cli(
      'folder',
      'repair',
      'SD3',
      '--to',
      'live',
      '--reason',
      'move it while we are at it',
    );
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(
      /folder SD3 is recorded as legacy: a repair puts its platforms back there \(--to legacy\); to move it, plan a batch or request a switch-back/,
    );
    const gateNow = () =>
      decommissionGateNow({ ...s.app, config: { ...s.app.config, DECOMMISSION_QUIET_PERIOD: '0s' } });
    const gate = await gateNow();
    expect(gate.items.find((i) => i.item === 'drift')).toMatchObject({
      pass: false,
      detail: expect.stringContaining('SD3 (closed_where_recorded)'),
    });

    // Still open on the next pass: exit 1 again, one episode, one mail.
    expect((await reconcile()).code).toBe(1);
    expect(await s.db('drifts').where({ folder_code: 'SD3' })).toHaveLength(1);
    await expect.poll(() => alerts().filter((m) => m.subject.includes('SD3')).length).toBe(1);

    // Someone unfreezes it: the episode resolves, with a "resolved" mail; the gate item passes.
    await s.simAdmin('/legacy/admin/folders/SD3/unfreeze', { method: 'POST' });
    const cleared = await reconcile();
    expect(cleared.code).toBe(0);
    expect(cleared.report.resolved).toEqual([
      expect.objectContaining({ folder: 'SD3', kind: 'closed_where_recorded' }),
    ]);
    await expect
      .poll(() => alerts().filter((m) => m.subject.startsWith('[ECP cutover] resolved: drift on SD3')).length)
      .toBe(1);
    expect((await gateNow()).items.find((i) => i.item === 'drift')?.pass).toBe(true);
    const all = JSON.parse((await s.cli('drifts', '--all', '--json')).stdout) as {
      drifts: { folder: string; resolvedAt: string | null }[];
    };
    expect(all.drifts.filter((d) => d.folder === 'SD3').every((d) => d.resolvedAt !== null)).toBe(true);
  });

  it('names the other kinds as the admin API makes them: wrong side open, legacy visibility', async () => {
    // SD2 is live: its ECP 2.0 side is disabled and legacy enabled by hand — only the wrong side takes it.
    await s.simAdmin('/ecp2/admin/folders/SD2/disable', { method: 'POST' });
    await s.simAdmin('/legacy/admin/folders/SD2/enable', { method: 'POST' });
    const r = await reconcile();
    expect(r.code).toBe(1);
    expect(
      r.report.detected.map((d: { folder: string; kind: string }) => `${d.folder} ${d.kind}`).sort(),
    ).toEqual(['SD2 legacy_visibility', 'SD2 open_on_wrong_side']);
    expect(await platform('legacy', 'SD2')).toMatchObject({ intake: 'open' }); // recorded, not "fixed"
    // Put back by hand: both clear on the next pass.
    await s.simAdmin('/legacy/admin/folders/SD2/disable', { method: 'POST' });
    await s.simAdmin('/ecp2/admin/folders/SD2/enable', { method: 'POST' });
    const cleared = await reconcile();
    expect(cleared.report.resolved.filter((d: { folder: string }) => d.folder === 'SD2')).toHaveLength(2);
  });

  it('finds a cutover terminated mid-move (as from the Temporal UI) stuck in flight', async () => {
    // The record a terminated cutover leaves: cutting_over, its run "running", legacy frozen, ECP 2.0 closed.
    const handle = await s.client.workflow.start(smokeWorkflow, {
      taskQueue: `${s.taskQueue}-nobody`,
      workflowId: 'cutover-TX-SMMRPT',
      args: [],
    });
    await handle.terminate('an engineer in the Temporal UI');
    const { runId } = await handle.describe();
    await s.db('folders').where({ code: 'SMMRPT' }).update({ placement: 'cutting_over' });
    await s.db('folder_runs').insert({
      folder_code: 'SMMRPT',
      kind: 'cutover',
      workflow_id: 'cutover-TX-SMMRPT',
      run_id: runId,
      step: 'frozen',
    });
    await s.simAdmin('/legacy/admin/folders/SMMRPT/freeze', { method: 'POST' });

    const r = await reconcile();
    expect(r.code).toBe(1);
    expect(r.report.detected).toEqual([
      expect.objectContaining({
        folder: 'SMMRPT',
        kind: 'stuck_in_flight',
        detail: expect.stringContaining('cutting_over with no workflow moving it'),
      }),
    ]);
    expect(await platform('legacy', 'SMMRPT')).toMatchObject({ intake: 'frozen' });
  });

  it("is the platform team's: support cannot run a pass (and nothing is recorded)", async () => {
    const before = await s.db('reconcile_passes').count({ n: '*' }).first();
    const carol = await s.cli('reconcile', '--as', 'carol');
    expect(carol.code).toBe(2);
    expect(carol.stderr).toMatch(/does not hold the planner or approver role/);
    expect(await s.db('reconcile_passes').count({ n: '*' }).first()).toEqual(before);
  });

  it("alerts once when a folder's move is compensated, and once more when a later move of it succeeds", async () => {
    // ECP 2.0's admin API refuses to enable SD3 (503 on every attempt): the move is compensated.
    s.sim.faults.set([{ match: 'POST /ecp2/admin/folders/SD3/enable', errorRate: 1 }]);
    const failed = await runBatch(s.app, ['SD3'], { onFailure: 'continue' });
    s.sim.faults.set([]);
    expect(failed.result.folders.SD3).toMatchObject({ status: 'failed' });
    await reconcile();
    const opened = () =>
      alerts().filter((m) => m.subject.startsWith('[ECP cutover] folder compensated: run:'));
    await expect.poll(() => opened().length).toBe(1);
    expect(opened()[0].text).toMatch(/the cutover of SD3 \(batch T\w+\) was compensated/);
    await reconcile(); // still open: no second mail
    expect(opened()).toHaveLength(1);

    await runBatch(s.app, ['SD3']);
    await reconcile();
    await expect
      .poll(
        () =>
          alerts().filter((m) => m.subject.startsWith('[ECP cutover] resolved: folder compensated: run:'))
            .length,
      )
      .toBe(1);
  });

  it('alerts while a batch is blocked on readiness or the decommission is blocked, and when each clears', async () => {
    // The statuses the batch and decommission workflows write when their gates hold them (set here directly).
    const batch = (await s.db('batches').orderBy('id').first('id')).id as string;
    await s.db('batches').where({ id: batch }).update({ status: 'blocked_on_readiness' });
    await s
      .db('decommission')
      .insert({ id: 'legacy-ecp', status: 'blocked', planned_at: new Date(), requested_by: 'alice' });
    await reconcile();
    await expect
      .poll(
        () =>
          alerts().filter(
            (m) =>
              m.subject === `[ECP cutover] batch blocked: batch:${batch}` ||
              m.subject === '[ECP cutover] decommission blocked: decommission',
          ).length,
      )
      .toBe(2);
    await s.db('batches').where({ id: batch }).update({ status: 'completed' });
    await s.db('decommission').where({ id: 'legacy-ecp' }).delete();
    await reconcile();
    await expect
      .poll(
        () =>
          alerts().filter(
            (m) =>
              m.subject.startsWith('[ECP cutover] resolved: batch blocked') ||
              m.subject.startsWith('[ECP cutover] resolved: decommission blocked'),
          ).length,
      )
      .toBe(2);
  });

  it('runs every RECONCILE_INTERVAL from a Temporal Schedule (created once, its interval kept up to date)', async () => {
    const config = { RECONCILE_INTERVAL: '2s', TEMPORAL_TASK_QUEUE: s.taskQueue };
    expect(await ensureReconcileSchedule(s.client, config)).toBe('created');
    try {
      expect(await ensureReconcileSchedule(s.client, config)).toBe('unchanged');
      const described = await s.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe();
      expect(described.spec.intervals).toMatchObject([{ every: 2000 }]);
      await expect
        .poll(
          async () =>
            Number(
              (await s.db('reconcile_passes').where({ trigger: 'schedule' }).count({ n: '*' }).first())?.n,
            ),
          { timeout: 20_000 },
        )
        .toBeGreaterThan(0);
      expect(await ensureReconcileSchedule(s.client, { ...config, RECONCILE_INTERVAL: '5m' })).toBe(
        'updated',
      );
      expect(
        (await s.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe()).spec.intervals,
      ).toMatchObject([{ every: 300_000 }]);
    } finally {
      await s.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).delete();
    }
  });

  it("exposes the state in Prometheus text on the control API's /metrics, to a signed-in scraper only", async () => {
    const res = await fetch(`${s.api.url}/metrics`, {
      headers: { authorization: `Bearer ${s.api.tokens.carol}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    // After the batch that moved SD2 and the drift tests above.
    expect(value('ecp_cutover_folders{placement="live"}')).toBe(
      Number((await s.db('folders').where({ placement: 'live' }).count({ n: '*' }).first())?.n),
    );
    expect(value('ecp_cutover_batches{status="completed"}')).toBeGreaterThanOrEqual(1);
    expect(value('ecp_cutover_folder_runs{kind="cutover",status="succeeded"}')).toBeGreaterThanOrEqual(1);
    expect(value('ecp_cutover_drifts_open{kind="stuck_in_flight"}')).toBe(1);
    expect(value('ecp_cutover_reconcile_last_pass_timestamp_seconds')).toBeGreaterThan(
      Date.now() / 1000 - 600,
    );
    expect(value('ecp_cutover_reconcile_last_pass_duration_seconds')).toBeLessThan(60);
    expect(
      value(
        'ecp_cutover_api_request_duration_seconds_count{route="/api/reconcile",method="POST",code="2xx"}',
      ),
    ).toBeGreaterThanOrEqual(5);
    // Every sample line is "name{labels} number" (names as Prometheus has them: prom-client's own carry digits, e.g. _p50_).
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#')))
      expect(line).toMatch(
        /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? (\+Inf|-?[0-9.e+-]+)$/,
      );

    expect((await fetch(`${s.api.url}/metrics`)).status).toBe(401);
    // The Grafana dashboard (deploy/grafana) asks only for series the API serves.
    for (const name of dashboardMetrics('ecp_cutover_').filter((n) => !n.startsWith('ecp_cutover_portal_')))
      expect(declares(text, name), name).toBe(true);
  });

  it('repairs the stuck folder only with a second operator, drives both platforms to the side asked, and the drift clears', async () => {
    // dora holds both roles: four eyes must still stop her approving her own request.
    const dora = (await addOperator(s.db, 'dora', ['planner', 'approver'], 'test')).token;
    const asDora = (...args: string[]) => runCli(args, { ...s.env, ECP_CUTOVER_TOKEN: dora });
    const healthy = await asDora('folder', 'repair', 'SD1', '--to', 'legacy', '--reason', 'just because');
    expect(healthy.code).toBe(2);
    expect(healthy.stderr).toMatch(/folder SD1 is legacy with no drift open: nothing to repair/);

    const asked = await asDora(
      'folder',
      'repair',
      'SMMRPT',
      '--to',
      'legacy',
      '--reason',
      'cutover terminated from the Temporal UI',
    );
    expect(asked.stderr).toBe('');
    expect(asked.stdout).toMatch(/repair of SMMRPT to legacy requested by dora/);
    const own = await asDora('folder', 'approve-repair', 'SMMRPT');
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(
      /four eyes: dora requested the repair \(to legacy\) of SMMRPT and cannot approve it/,
    );
    expect(await s.db('folders').where({ code: 'SMMRPT' }).first('placement')).toEqual({
      placement: 'cutting_over',
    });

    const approved = await s.cli('folder', 'approve-repair', 'SMMRPT', '--as', 'bob');
    expect(approved.stdout).toMatch(/repair of SMMRPT approved by bob/);
    await expect
      .poll(async () => (await s.db('folders').where({ code: 'SMMRPT' }).first('placement')).placement, {
        timeout: 20_000,
      })
      .toBe('legacy');
    expect(await platform('legacy', 'SMMRPT')).toMatchObject({ intake: 'open', visible: true });
    expect(await platform('ecp2', 'SMMRPT')).toMatchObject({ intake: 'closed' });
    expect(await s.db('folder_runs').where({ folder_code: 'SMMRPT' }).first()).toMatchObject({
      status: 'failed',
      failure: expect.stringContaining('ended by the repair in repair-SMMRPT'),
    });
    expect(
      await s.db('events').where({ entity_type: 'folder', entity_id: 'SMMRPT', to_state: 'legacy' }).first(),
    ).toMatchObject({ actor: 'bob', from_state: 'cutting_over' });
    const after = await reconcile();
    expect(after.report.resolved).toEqual([
      expect.objectContaining({ folder: 'SMMRPT', kind: 'stuck_in_flight' }),
    ]);
    expect(after.code).toBe(0);
  });
});
