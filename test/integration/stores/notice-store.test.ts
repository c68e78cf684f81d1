import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import { createNoticeStore, type OutboxNotice } from '../../../stores/notice-store';
import { freshDatabase } from '../../support/db';
import { batch } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
const store = createNoticeStore(db);
const firm = (code: string, emails = [`ops@${code}.hk`]) => ({
  code,
  name_en: `Firm ${code}`,
  name_zh: `公司 ${code}`,
  user_types: ['SEHK_EP'],
  emails,
  language: 'en',
});
await db('participants').insert([firm('00001'), firm('00002'), firm('00003'), firm('00004')]);
const notice = (participant: string, over: Partial<OutboxNotice> = {}): OutboxNotice => ({
  kind: 'batch_announced',
  subjectId: 'N1@2030-01-07T00:00:00.000Z',
  participant,
  recipients: [`ops@${participant}.hk`],
  subject: 's',
  text: 't',
  folders: ['SD1'],
  ...over,
});

describe('NoticeStore (knex): the outbox and what fan-out reads', () => {
  it('pages the firms by code, and finds them by code', async () => {
    expect((await store.firms('', 2)).map((f) => f.code)).toEqual(['00001', '00002']);
    expect((await store.firms('00002', 10)).map((f) => f.code)).toEqual(['00003', '00004']);
    expect((await store.firmsByCode(['00003'])).get('00003')).toEqual({
      code: '00003',
      nameEn: 'Firm 00003',
      nameZh: '公司 00003',
      language: 'en',
      userTypes: ['SEHK_EP'],
      emails: ['ops@00003.hk'],
    });
  });

  it('queues a notice once per (kind, subject, participant)', async () => {
    expect(await store.queue([notice('00001'), notice('00002')])).toBe(2);
    expect(await store.queue([notice('00001', { text: 'again' }), notice('00003')])).toBe(1);
    expect(await store.queue([])).toBe(0);
    expect(
      await db('notices').where({ participant_code: '00001' }).first('body_text', 'folders', 'status'),
    ).toEqual({ body_text: 't', folders: ['SD1'], status: 'queued' });
  });

  it("lists a batch's folders by scope, retired ones after and marked, and its times", async () => {
    await batch(db, 'N1', ['SD1', 'SD2']);
    await db('batch_retires').insert({ batch_id: 'N1', folder_code: 'SDPDF' });
    await db('batch_folders').where({ batch_id: 'N1', folder_code: 'SD1' }).update({ status: 'live' });
    const codes = async (scope: 'all' | 'done' | 'not_done') =>
      (await store.batchFolders('N1', scope)).map((f) => `${f.code}${f.retired ? ' (retired)' : ''}`).sort();
    expect(await codes('all')).toEqual(['SD1', 'SD2', 'SDPDF (retired)']);
    expect(await codes('done')).toEqual(['SD1']);
    expect(await codes('not_done')).toEqual(['SD2', 'SDPDF (retired)']);
    await db('batch_retires').where({ batch_id: 'N1' }).update({ status: 'retired' });
    expect(await codes('done')).toEqual(['SD1', 'SDPDF (retired)']);
    expect(await store.folder('SD1')).toEqual([
      expect.objectContaining({ code: 'SD1', direction: 'submit', userTypes: ['SEHK_EP'], liveSince: null }),
    ]);
    expect(await store.batchTimes('N1')).toEqual({
      plannedAt: new Date('2030-01-07T00:00:00Z'),
      startedAt: null,
    });
    expect(await store.batchTimes('NONE')).toBeUndefined();
  });

  it('with a batch called off, lists only the firms its announcement reached', async () => {
    await db('notices').where({ participant_code: '00001' }).update({ status: 'sent' });
    await db('notices').where({ participant_code: '00002' }).update({ status: 'sending' });
    // 00003's is still queued, 00004 had none; another batch's announcement does not count.
    await store.queue([notice('00004', { subjectId: 'N2@2030-01-07T00:00:00.000Z' })]);
    await db('notices').where({ participant_code: '00004' }).update({ status: 'sent' });
    expect((await store.firms('', 10, 'N1')).map((f) => f.code)).toEqual(['00001', '00002']);
  });

  it('claims due notices, records each attempt, and says when the next one is due', async () => {
    const kind = 'batch_reminder';
    const subject = 'R1@x';
    await store.queue(['00001', '00002', '00003'].map((p) => notice(p, { kind, subjectId: subject })));
    const first = (await store.claim(kind, subject, 2)).sort((a, b) => a.id - b.id);
    expect(first.map((n) => [n.kind, n.attempts, n.text])).toEqual([
      [kind, 0, 't'],
      [kind, 0, 't'],
    ]);
    const retryAt = new Date(Date.now() + 60_000);
    await store.recordAttempts([
      { id: first[0].id, attempts: 1, ok: true, response: '250 OK', messageId: '<m1@x>' },
      { id: first[1].id, attempts: 1, ok: false, response: 'ECONNREFUSED', gaveUp: false, retryAt },
    ]);
    const rows = await db('notices')
      .whereIn(
        'id',
        first.map((n) => n.id),
      )
      .orderBy('id')
      .select('status', 'attempts', 'message_id', 'next_attempt_at');
    expect(rows).toEqual([
      { status: 'sent', attempts: 1, message_id: '<m1@x>', next_attempt_at: expect.any(Date) },
      { status: 'queued', attempts: 1, message_id: null, next_attempt_at: retryAt },
    ]);
    expect(
      await db('notice_attempts')
        .whereIn(
          'notice_id',
          first.map((n) => n.id),
        )
        .orderBy('id')
        .select('outcome', 'smtp_response', 'message_id'),
    ).toEqual([
      { outcome: 'sent', smtp_response: '250 OK', message_id: '<m1@x>' },
      { outcome: 'failed', smtp_response: 'ECONNREFUSED', message_id: null },
    ]);
    // The third is claimed (and left `sending` by a "crash"); the second is not due yet.
    expect((await store.claim(kind, subject, 10)).length).toBe(1);
    expect(await store.claim(kind, subject, 10)).toEqual([]);
    expect(await store.nextAttemptAt(kind, subject)).toEqual(retryAt);
    await store.requeueSending(kind, subject);
    expect(
      await db('notices').where({ kind, subject_id: subject, status: 'queued' }).count({ n: '*' }).first(),
    ).toEqual({ n: 2 });
    // Given up: failed for good, and nothing is due any more.
    const [again] = await store.claim(kind, subject, 1);
    await store.recordAttempts([
      { id: again.id, attempts: 10, ok: false, response: 'x', gaveUp: true, retryAt },
    ]);
    expect(await db('notices').where({ id: again.id }).first('status')).toEqual({ status: 'failed' });
    await db('notices').where({ kind, subject_id: subject, status: 'queued' }).update({ status: 'sent' });
    expect(await store.nextAttemptAt(kind, subject)).toBeNull();
  });
});
