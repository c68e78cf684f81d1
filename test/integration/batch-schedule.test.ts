import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { abortBatch, approveBatch, planBatch, rescheduleBatch } from '../../app/batches';
import { reminderInstant } from '../../domain/calendar';
import { formatHk } from '../../domain/time';
import type { batchMigration } from '../../workflows/batch-migration';
import { alice, bob } from '../support/batches';
import { recordHistory } from '../support/temporal';
import { timeSkippingStack } from '../support/time-skipping';

// Days-long waits on Temporal's time-skipping test server (test/support/time-skipping.ts).
const { temporal: env, db, app } = await timeSkippingStack();
await db('participants').insert({
  code: '01234',
  name_en: 'Example Securities Ltd',
  name_zh: '範例證券有限公司',
  user_types: ['SEHK_EP'],
  emails: ['ops@example.hk'],
});

async function plan(id: string, folders: string, daysAhead: number, maxNotReady?: string) {
  // Days ahead of the test server's clock, which earlier tests moved forward; later still if the reminder
  // (09:00 HKT the business day before) would already be past, as it is for a Monday planned on a Friday.
  const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'utc' });
  let at = now.plus({ days: daysAhead }).startOf('minute');
  while (reminderInstant(at) <= now) at = at.plus({ days: 1 });
  return planBatch(app, alice, {
    id,
    name: id,
    at: at.toISO()!,
    folders: folders.split(','),
    concurrency: 2,
    minNotice: '1d',
    allowNonBusinessDay: true,
    maxNotReady,
  });
}
const handleOf = (id: string) => env.client.workflow.getHandle<typeof batchMigration>(`batch-${id}`);
const startedAt = async (id: string) =>
  DateTime.fromJSDate((await db('batches').where({ id }).first()).started_at).toUTC();
const notices = (kind: string) => db('notices').where({ kind }).orderBy('id');

describe('batch schedule (time-skipping)', () => {
  it('a batch planned days ahead fires at its planned instant, after its announcement and reminder', async () => {
    const b = await plan('S1', 'SD1,SD2', 3);
    await approveBatch(app, bob, 'S1');
    const result = await handleOf('S1').result();
    await recordHistory(handleOf('S1'), 'batch-scheduled-days-ahead');
    expect(result.status).toBe('completed');
    const late = (await startedAt('S1')).toMillis() - DateTime.fromISO(b.plannedAt).toMillis();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
    const [announced] = await notices('batch_announced');
    expect(announced.subject_id).toBe(`S1@${b.plannedAt}`);
    // What the firm must do, with the Input Date of each folder from the catalog (FAQ C.23), in both languages.
    expect(announced.body_text).toContain('Input Date: Trade date (T)');
    expect(announced.body_text).toContain('Input Date: Original trade date being corrected');
    expect(announced.body_text).toContain('one-time password');
    expect(announced.body_text).toContain('一次性密碼');
    expect(await notices('batch_reminder')).toHaveLength(1);
    const live = await notices('batch_outcome');
    expect(live).toHaveLength(1);
    expect(live[0].body_text).toContain('SD1  Stamp Duty Daily Return (SD-1)');
    expect(live[0].body_text).toContain('印花稅每日申報表 (SD-1)');
  });

  it('a reschedule after the announcement moves the instant and voids the approval until approved again', async () => {
    const b = await plan('S2', 'SD3', 3);
    await approveBatch(app, bob, 'S2');
    await expect.poll(async () => (await db('batches').where({ id: 'S2' }).first()).status).toBe('announced');
    const later = DateTime.fromISO(b.plannedAt).plus({ days: 4 });
    const after = await rescheduleBatch(app, alice, 'S2', formatHk(later.toISO()).replace(' HKT', ''), {
      minNotice: '1d',
      allowNonBusinessDay: true,
    });
    expect(after).toMatchObject({ status: 'awaiting_approval', approvedBy: null });
    expect((await db('folders').where({ code: 'SD3' }).first()).placement).toBe('legacy');
    await approveBatch(app, bob, 'S2');
    const result = await handleOf('S2').result();
    await recordHistory(handleOf('S2'), 'batch-rescheduled-after-announcement');
    expect(result.status).toBe('completed');
    const late = (await startedAt('S2')).toMillis() - later.toMillis();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
    // Announced for each plan it had: the participants learn the new date.
    expect((await notices('batch_announced')).filter((n) => n.subject_id.startsWith('S2@'))).toHaveLength(2);
  });

  it('a batch not approved before its planned time expires; its folders stay on legacy and are free again', async () => {
    await plan('S3', 'SMMRPT,SPLPRPT', 2);
    const result = await handleOf('S3').result();
    expect(result.status).toBe('expired');
    expect(await db('batches').where({ id: 'S3' }).first()).toMatchObject({
      status: 'expired',
      approved_by: null,
    });
    expect(new Set(await db('folders').whereIn('code', ['SMMRPT', 'SPLPRPT']).pluck('placement'))).toEqual(
      new Set(['legacy']),
    );
    expect(await db('batch_folders').where({ batch_id: 'S3', active: true })).toHaveLength(0);
    expect(await db('sim_legacy.folders').whereIn('code', ['SMMRPT', 'SPLPRPT']).pluck('intake')).toEqual([
      'open',
      'open',
    ]);
  });

  it('a batch blocked on readiness at its planned time can be aborted: it never starts, and the firms told are told it is off', async () => {
    await db('participants').insert({
      code: '04321',
      name_en: 'Unready Ltd',
      user_types: ['SEHK_EP'],
      emails: ['ops@unready.hk'],
    });
    await db('users').insert({
      participant_code: '04321',
      email: 'admin@unready.hk',
      role: 'admin',
      functions: [],
    });
    const b = await plan('S4', 'SPLPRPT', 2, '0');
    await approveBatch(app, bob, 'S4');
    await env.sleep(DateTime.fromISO(b.plannedAt).toMillis() - (await env.currentTimeMs()) + 60_000);
    await expect
      .poll(async () => (await db('batches').where({ id: 'S4' }).first()).status, { timeout: 20_000 })
      .toBe('blocked_on_readiness');
    expect((await abortBatch(app, alice, 'S4', 'firms not ready in time')).status).toBe('aborted');
    const result = await handleOf('S4').result();
    await recordHistory(handleOf('S4'), 'batch-aborted-while-blocked-on-readiness');
    expect(result).toMatchObject({ status: 'aborted', folders: { SPLPRPT: { status: 'aborted' } } });
    expect((await db('folders').where({ code: 'SPLPRPT' }).first()).placement).toBe('legacy');
    expect(await db('folder_runs').where({ batch_id: 'S4' })).toEqual([]);
    expect((await notices('batch_cancelled')).map((n) => n.participant_code).sort()).toEqual([
      '01234',
      '04321',
    ]);
  });
});
