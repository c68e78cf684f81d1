import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index';
import { planBatch } from '../../cli/commands/batch';
import { loadConfig } from '../../config/config';
import { seedCatalog } from '../../db/seed';
import { findBinary } from '../../dev/tools';
import { reminderInstant } from '../../domain/calendar';
import { createHttpGateway } from '../../platform/http-gateway';
import { startSimulator } from '../../simulator/server';
import { startSmtpSink } from '../../smtp-sink/server';
import { createSmtpMailer } from '../../activities/mailer';
import { approveBatchUpdate, batchMigration, rescheduleBatchUpdate } from '../../workflows/batch-migration';
import { freshDatabase } from '../support/db';
import { recordHistory, uniqueId, workflowBundle } from '../support/temporal';

// Days-long waits on Temporal's time-skipping test server: timers fire at once in real time, at their
// instant in workflow time. The activities are real (PostgreSQL, the simulator over HTTP).
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: 'existing-path', path: findBinary('temporal-test-server', 'TEMPORAL_TEST_SERVER_BIN') } },
});
// The test server knows no custom search attributes until told.
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
await env.connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: { BatchId: KEYWORD, FolderCode: KEYWORD } });
const { db } = await freshDatabase();
await seedCatalog(db);
await db('participants').insert({ code: '01234', name_en: 'Example Securities Ltd', name_zh: '範例證券有限公司', user_types: ['SEHK_EP'], emails: ['ops@example.hk'] });
const sim = await startSimulator({ db, processingDelayMs: 50 });
const sink = await startSmtpSink();
const mailer = createSmtpMailer(`smtp://127.0.0.1:${sink.smtpPort}`);
const taskQueue = uniqueId('schedule');
const worker = await Worker.create({
  connection: env.nativeConnection,
  taskQueue,
  workflowBundle: await workflowBundle(),
  activities: createActivities({ db, gateway: createHttpGateway(sim.url), mailer, mailFrom: 'ecp-support@hkex.example' }),
});
const running = worker.run();
afterAll(async () => {
  worker.shutdown();
  await running;
  await sim.close();
  mailer.close();
  await sink.close();
  await env.teardown();
});
const config = { ...loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue, DRAIN_TIMEOUT: '2s' }) };

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
