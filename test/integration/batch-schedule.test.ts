import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { planBatch } from '../../cli/commands/batch';
import { reminderInstant } from '../../domain/calendar';
import { approveBatchUpdate, batchMigration, rescheduleBatchUpdate } from '../../workflows/batch-migration';
import { recordHistory } from '../support/temporal';
import { timeSkippingStack } from '../support/time-skipping';

// Days-long waits on Temporal's time-skipping test server (test/support/time-skipping.ts).
const { temporal: env, db, config } = await timeSkippingStack();
await db('participants').insert({ code: '01234', name_en: 'Example Securities Ltd', name_zh: '範例證券有限公司', user_types: ['SEHK_EP'], emails: ['ops@example.hk'] });

async function plan(id: string, folders: string, daysAhead: number) {
  // Days ahead of the test server's clock, which earlier tests moved forward.
  const at = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'utc' }).plus({ days: daysAhead }).startOf('minute');
  return planBatch(db, env.client, config, {
    id, name: id, at: at.toISO()!, folders, as: 'alice', onFailure: 'continue', concurrency: '2', minNotice: '1d', allowNonBusinessDay: true,
  });
}
const handleOf = (id: string) => env.client.workflow.getHandle<typeof batchMigration>(`batch-${id}`);
const startedAt = async (id: string) => DateTime.fromJSDate((await db('batches').where({ id }).first()).started_at).toUTC();
const notices = (kind: string) => db('notices').where({ kind }).orderBy('id');

describe('batch schedule (time-skipping)', () => {
  it('a batch planned days ahead fires at its planned instant, after its announcement and reminder', async () => {
    const b = await plan('S1', 'SD1,SD2', 3);
    await handleOf('S1').executeUpdate(approveBatchUpdate, { args: [{ approver: 'bob' }] });
    const result = await handleOf('S1').result();
    await recordHistory(handleOf('S1'), 'batch-scheduled-days-ahead');
    expect(result.status).toBe('completed');
    const late = (await startedAt('S1')).toMillis() - DateTime.fromISO(b.plannedAt).toMillis();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
    expect((await notices('batch_announced')).map((n) => n.subject_id)).toEqual([`S1@${b.plannedAt}`]);
    expect(await notices('batch_reminder')).toHaveLength(1);
    const live = await notices('folders_live');
    expect(live).toHaveLength(1);
    expect(live[0].body_text).toContain('SD1  Stamp Duty Daily Return (SD-1)');
    expect(live[0].body_text).toContain('印花稅每日申報表 (SD-1)');
  });

  it('a reschedule moves the instant and voids the approval until approved again', async () => {
    const b = await plan('S2', 'SD3', 3);
    await handleOf('S2').executeUpdate(approveBatchUpdate, { args: [{ approver: 'bob' }] });
    const later = DateTime.fromISO(b.plannedAt).plus({ days: 4 });
    const after = await handleOf('S2').executeUpdate(rescheduleBatchUpdate, { args: [{ by: 'alice', plannedAt: later.toISO()!, reminderAt: reminderInstant(later).toISO()! }] });
    expect(after).toMatchObject({ status: 'awaiting_approval', approvedBy: null });
    expect((await db('folders').where({ code: 'SD3' }).first()).placement).toBe('legacy');
    await handleOf('S2').executeUpdate(approveBatchUpdate, { args: [{ approver: 'bob' }] });
    const result = await handleOf('S2').result();
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
    expect(await db('batches').where({ id: 'S3' }).first()).toMatchObject({ status: 'expired', approved_by: null });
    expect(new Set(await db('folders').whereIn('code', ['SMMRPT', 'SPLPRPT']).pluck('placement'))).toEqual(new Set(['legacy']));
    expect(await db('batch_folders').where({ batch_id: 'S3', active: true })).toHaveLength(0);
    expect(await db('sim_legacy.folders').whereIn('code', ['SMMRPT', 'SPLPRPT']).pluck('intake')).toEqual(['open', 'open']);
  });
});
