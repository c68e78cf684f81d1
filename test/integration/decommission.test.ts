import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { approveDecommission, scheduleDecommission } from '../../app/decommission';
import { DECOMMISSION_WORKFLOW_ID } from '../../domain/workflow-ids';
import {
  batchFinishedSignal,
  decommissionLegacy,
  decommissionStateQuery,
} from '../../workflows/decommission-legacy';
import { alice, bob, operator } from '../support/batches';
import { runCli } from '../support/cli';
import { consoleSession } from '../support/control-api';
import { recordHistory } from '../support/temporal';
import { timeSkippingStack } from '../support/time-skipping';
import { participant } from '../support/participant';

// Months-long waits on the time-skipping server; real PostgreSQL, simulator and SMTP behind the activities.
const { temporal, db, sim, simToken, gateway, sink, app, api } = await timeSkippingStack({
  DECOMMISSION_RECHECK: '1d',
});
await db('participants').insert([
  { code: '01234', name_en: 'Cash Firm', user_types: ['SEHK_EP'], emails: ['ops@cash.hk'] },
  { code: '05678', name_en: 'Futures Firm', user_types: ['HKFE_EP'], emails: ['ops@futures.hk'] },
]);
// Every legacy folder has moved but SD3 (still on legacy).
await db('folders')
  .where({ placement: 'legacy' })
  .whereNot({ code: 'SD3' })
  .update({ placement: 'live', live_since: new Date() });
const env = { ECP_CUTOVER_API_URL: api.url, ECP_CUTOVER_TOKEN: api.tokens.alice };
const handle = () => temporal.client.workflow.getHandle<typeof decommissionLegacy>(DECOMMISSION_WORKFLOW_ID);
const state = () => handle().query(decommissionStateQuery);

describe('decommission of legacy ECP (time-skipping)', () => {
  it('scheduled → reminders → gate fails → blocked → last folder moves → fresh approval → decommissioned', async () => {
    const now = DateTime.fromMillis(await temporal.currentTimeMs(), { zone: 'utc' });
    const at = now.plus({ days: 60 }).startOf('day').set({ hour: 10 });
    const { gate } = await scheduleDecommission(app, alice, at.toISO()!);
    expect(gate.items.find((i) => i.item === 'folders')).toMatchObject({
      pass: false,
      detail: expect.stringContaining('SD3'),
    });

    // One decommission: a second schedule is refused by Temporal itself, and the database is unchanged.
    const before = await db('decommission').first();
    await expect(scheduleDecommission(app, alice, at.plus({ days: 1 }).toISO()!)).rejects.toThrow(
      /already scheduled/,
    );
    expect(await db('decommission').first()).toEqual(before);

    // Four eyes, in the workflow: alice may approve decommissions, but not her own.
    await expect(approveDecommission(app, operator('alice', 'planner', 'approver'))).rejects.toThrow(
      /four eyes: alice scheduled the decommission and cannot approve it/,
    );
    await approveDecommission(app, bob);
    expect((await db('decommission').first()).status).toBe('scheduled');

    await temporal.sleep('61 days');
    await expect.poll(async () => (await state()).status, { timeout: 20_000 }).toBe('blocked');
    const s = await state();
    expect(s.remindersDone).toHaveLength(3);
    expect(s.gate?.find((i) => i.item === 'folders')?.pass).toBe(false);
    const row = await db('decommission').first();
    expect(row.status).toBe('blocked');
    expect(
      await db('events').where({ entity_type: 'decommission', to_state: 'blocked' }).first(),
    ).toMatchObject({ reason: expect.stringContaining('folders: 1 folder(s) not moved: SD3') });
    // Nothing was switched off: legacy still takes SD3.
    expect(await db('sim_legacy.folders').where({ code: 'SD3' }).first('intake')).toEqual({ intake: 'open' });
    const reminders = sink
      .messages()
      .filter((m) => m.subject.includes('reminder: legacy ECP will be switched off'));
    expect(reminders).toHaveLength(6); // 3 reminders × 2 firms: every firm, whatever its folders
    // The console shows the support desk the same: blocked, by which check, and the reminders sent.
    const page = await (await consoleSession(api.url, api.tokens.carol))('/console/decommission');
    expect(page).toMatch(/id="decommission-status"><span class="badge s-blocked">blocked</);
    expect(page).toMatch(
      /<table id="gate">.*<tr data-item="folders" data-pass="false">.*1 folder\(s\) not moved: SD3/s,
    );
    expect(page.match(/every firm reminded on \d{4}-\d{2}-\d{2} \d{2}:\d{2} HKT/g)).toHaveLength(3);
    expect(page).toMatch(/decommission reminder \([^)]+\): 2 firm\(s\) told/);

    // The last batch completes: the gate passes, but the date has passed, so a fresh approval is needed.
    await db('folders').where({ code: 'SD3' }).update({ placement: 'live', live_since: new Date() });
    await db('sim_legacy.folders').where({ code: 'SD3' }).update({ intake: 'closed', visible: false });
    await handle().signal(batchFinishedSignal, 'B3');
    await expect.poll(async () => (await state()).status, { timeout: 20_000 }).toBe('awaiting_approval');
    await approveDecommission(app, bob);
    const final = await handle().result();
    await recordHistory(handle(), 'decommission-blocked-then-done');
    expect(final.status).toBe('completed');
    expect((await db('decommission').first()).completed_at).toBeInstanceOf(Date);
    expect(
      await db('sim_legacy.folders').where({ visible: true }).orWhereNot({ intake: 'closed' }),
    ).toHaveLength(0);
    expect(await db('sim_legacy.platform').first('read_only')).toEqual({ read_only: true });
    // A user of the cash firm, logged in to legacy ECP with its own credentials, finds it switched off.
    await gateway.loadClientConnect([
      {
        code: '01234',
        users: [
          {
            email: 'u@cash.hk',
            role: 'operator',
            functions: ['EU_ECPCASH'],
            sftpKeyRegistered: false,
            ipRegistered: false,
          },
        ],
      },
    ]);
    const legacy = await participant(sim.url, simToken, 'u@cash.hk', 'legacy');
    const submit = (code: string, filename: string) =>
      legacy.post(`/folders/${code}/submissions`, {
        participant: '01234',
        filename,
        inputDate: '2022-12-30',
        contentBase64: 'eA==',
      });
    const refused = await submit('SD3', 'SDJ_01234_202212.csv');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /decommissioned and read-only; nothing was stored: submit SD3 on ECP 2\.0/,
    );
    // A retired folder no batch retired was retired by the switch-off: it sends no one to ECP 2.0 (the cutover's rule).
    const retired = await submit('LEGTEST', 'TEST_01234_20221230.txt');
    expect((await retired.json()) as { code: string; message: string }).toMatchObject({
      code: '3003',
      message: expect.stringMatching(/LEGTEST is retired/),
    });
    expect((await db('folders').where({ code: 'LEGTEST' }).first('retired_at')).retired_at).toBeInstanceOf(
      Date,
    );
    expect(
      sink.messages().filter((m) => m.subject.includes('legacy ECP has been switched off')),
    ).toHaveLength(2);
  });

  it('refuses bad requests through the CLI: a past date, a decommission already done (exit 2, one line)', async () => {
    const past = await runCli(['decommission', 'schedule', '--at', '2022-12-30 18:00', '--as', 'alice'], env);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/is in the past/);
    expect(past.stderr.trim().split('\n')).toHaveLength(1);
    const done = await runCli(['decommission', 'schedule', '--at', '2031-12-30 18:00', '--as', 'alice'], env);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/already decommissioned/);
    const status = JSON.parse((await runCli(['decommission', 'status', '--json'], env)).stdout);
    expect(status.status).toBe('completed');
  });
});
