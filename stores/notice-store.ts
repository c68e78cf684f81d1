import type { Db } from '../db/connection';
import type { NoticeFolder } from '../domain/notices';

/** A firm as a notice addresses it. */
export interface NoticeFirm {
  code: string;
  nameEn: string;
  nameZh: string;
  language: 'en' | 'zh-Hant' | 'both';
  userTypes: string[];
  emails: string[];
}

/** A folder as a notice lists it, with what decides who is told (its user types) and when it moved. */
export interface NoticeFolderFacts extends NoticeFolder {
  userTypes: string[];
  liveSince: Date | null;
}

/** One outbox row: the notice to one firm about one event. (kind, subjectId, participant) is its key. */
export interface OutboxNotice {
  kind: string;
  subjectId: string;
  participant: string;
  recipients: string[];
  subject: string;
  text: string;
  folders: string[];
}

/** A notice claimed for sending. */
export interface DueNotice {
  id: number;
  kind: string;
  recipients: string[];
  subject: string;
  text: string;
  attempts: number;
}

/** One send of a claimed notice: sent, or failed and due again at `retryAt` (or given up). */
export type SendAttempt = { id: number; attempts: number; response: string } & (
  { ok: true; messageId: string } | { ok: false; gaveUp: boolean; retryAt: Date }
);

/**
 * Which of a batch's folders a notice lists: `done` the ones that moved (and retired folders it retired), `not_done`
 * the ones that did not (a batch called off), `all` every one.
 */
export type BatchFolderScope = 'all' | 'done' | 'not_done';

/** The notices outbox (`notices`, `notice_attempts`) and what fan-out reads to fill it. */
export interface NoticeStore {
  /** Firms after `after` by code, `limit` of them; with `toldOfBatch`, only those its announcement reached. */
  firms(after: string, limit: number, toldOfBatch?: string): Promise<NoticeFirm[]>;
  firmsByCode(codes: string[]): Promise<Map<string, NoticeFirm>>;
  /** A batch's folders, then the retired folders it closes (marked `retired`), each with its outcome as it stands. */
  batchFolders(batchId: string, scope: BatchFolderScope): Promise<NoticeFolderFacts[]>;
  folder(code: string): Promise<NoticeFolderFacts[]>;
  batchTimes(batchId: string): Promise<{ plannedAt: Date; startedAt: Date | null } | undefined>;
  /** Queues notices; one already queued under the same key is left alone. Returns how many were new. */
  queue(notices: OutboxNotice[]): Promise<number>;
  /** Notices of the event left `sending` by a crashed attempt are queued again. */
  requeueSending(kind: string, subjectId: string): Promise<void>;
  /** Marks up to `limit` due notices of the event `sending` and returns them. */
  claim(kind: string, subjectId: string, limit: number): Promise<DueNotice[]>;
  /** When the event's next queued notice is due (null: none is queued). */
  nextAttemptAt(kind: string, subjectId: string): Promise<Date | null>;
  /** Every attempt, and each notice's new status, in one transaction. */
  recordAttempts(attempts: SendAttempt[]): Promise<void>;
}

type Row = Record<string, never>;
const FOLDER_COLUMNS = [
  'code',
  'name_en',
  'name_zh',
  'direction',
  'input_date_meaning',
  'user_types',
  'live_since',
].map((c) => `f.${c}`);
const toFirm = (r: Row): NoticeFirm => ({
  code: r.code,
  nameEn: r.name_en,
  nameZh: r.name_zh,
  language: r.language,
  userTypes: r.user_types,
  emails: r.emails,
});
const toFolder = (r: Row, retired?: boolean): NoticeFolderFacts => ({
  code: r.code,
  nameEn: r.name_en,
  nameZh: r.name_zh,
  direction: r.direction,
  inputDateMeaning: r.input_date_meaning,
  userTypes: r.user_types,
  liveSince: r.live_since,
  ...(retired ? { retired } : {}),
});

export function createNoticeStore(db: Db): NoticeStore {
  const event = (kind: string, subjectId: string) => db('notices').where({ kind, subject_id: subjectId });
  return {
    async firms(after, limit, toldOfBatch) {
      const q = db('participants').where('code', '>', after);
      if (toldOfBatch !== undefined) {
        q.whereIn(
          'code',
          db('notices')
            .where({ kind: 'batch_announced' })
            .whereIn('status', ['sent', 'sending'])
            .whereRaw(`split_part(subject_id, '@', 1) = ?`, [toldOfBatch])
            .select('participant_code'),
        );
      }
      return (await q.orderBy('code').limit(limit)).map(toFirm);
    },
    async firmsByCode(codes) {
      return new Map(
        (await db('participants').whereIn('code', codes)).map((r: Row) => [r.code as string, toFirm(r)]),
      );
    },
    async batchFolders(batchId, scope) {
      const folders = await db('batch_folders as bf')
        .join('folders as f', 'f.code', 'bf.folder_code')
        .where('bf.batch_id', batchId)
        .modify(
          (q) =>
            void (scope === 'done'
              ? q.where('bf.status', 'live')
              : scope === 'not_done'
                ? q.whereNot('bf.status', 'live')
                : q),
        )
        .select([...FOLDER_COLUMNS, 'bf.status as outcome_status']);
      const retiring = await db('batch_retires as br')
        .join('folders as f', 'f.code', 'br.folder_code')
        .where('br.batch_id', batchId)
        .modify(
          (q) =>
            void (scope === 'done'
              ? q.where('br.status', 'retired')
              : scope === 'not_done'
                ? q.whereNot('br.status', 'retired')
                : q),
        )
        .select([...FOLDER_COLUMNS, 'br.status as outcome_status']);
      return [
        ...folders.map((r: Row) => ({
          ...toFolder(r),
          outcome: r.outcome_status === 'live' ? ('moved' as const) : ('not_moved' as const),
        })),
        ...retiring.map((r: Row) => ({
          ...toFolder(r, true),
          outcome: r.outcome_status === 'retired' ? ('retired' as const) : ('not_retired' as const),
        })),
      ];
    },
    async folder(code) {
      return (await db('folders as f').where('f.code', code).select(FOLDER_COLUMNS)).map((r: Row) =>
        toFolder(r),
      );
    },
    async batchTimes(batchId) {
      const b = await db('batches').where({ id: batchId }).first('planned_at', 'started_at');
      return b ? { plannedAt: b.planned_at, startedAt: b.started_at } : undefined;
    },
    async queue(notices) {
      if (notices.length === 0) return 0;
      const rows = notices.map((n) => ({
        kind: n.kind,
        subject_id: n.subjectId,
        participant_code: n.participant,
        recipients: n.recipients,
        subject: n.subject,
        body_text: n.text,
        folders: JSON.stringify(n.folders),
      }));
      return (
        await db('notices')
          .insert(rows)
          .onConflict(['kind', 'subject_id', 'participant_code'])
          .ignore()
          .returning('id')
      ).length;
    },
    async requeueSending(kind, subjectId) {
      await event(kind, subjectId).where({ status: 'sending' }).update({ status: 'queued' });
    },
    async claim(kind, subjectId, limit) {
      const due = await db('notices')
        .whereIn(
          'id',
          event(kind, subjectId)
            .where({ status: 'queued' })
            .where('next_attempt_at', '<=', db.fn.now())
            .orderBy('id')
            .limit(limit)
            .select('id'),
        )
        .update({ status: 'sending' })
        .returning(['id', 'kind', 'recipients', 'subject', 'body_text', 'attempts']);
      return due.map((n: Row) => ({
        id: n.id,
        kind: n.kind,
        recipients: n.recipients,
        subject: n.subject,
        text: n.body_text,
        attempts: n.attempts,
      }));
    },
    async nextAttemptAt(kind, subjectId) {
      const next = await event(kind, subjectId)
        .where({ status: 'queued' })
        .min({ at: 'next_attempt_at' })
        .first();
      return next?.at ? new Date(next.at) : null;
    },
    async recordAttempts(attempts) {
      await db.transaction(async (trx) => {
        await trx('notice_attempts').insert(
          attempts.map((a) => ({
            notice_id: a.id,
            outcome: a.ok ? 'sent' : 'failed',
            smtp_response: a.response,
            message_id: a.ok ? a.messageId : null,
          })),
        );
        const sent = attempts.filter((a) => a.ok);
        if (sent.length) {
          // One statement for the whole chunk: a chunk of 100 sent notices is one round trip, not 100.
          await trx.raw(
            `update notices n set status = 'sent', sent_at = now(), attempts = v.attempts, message_id = v.message_id
             from jsonb_to_recordset(?::jsonb) as v(id bigint, attempts int, message_id text) where n.id = v.id`,
            [JSON.stringify(sent.map((a) => ({ id: a.id, attempts: a.attempts, message_id: a.messageId })))],
          );
        }
        for (const a of attempts) {
          if (!a.ok)
            await trx('notices')
              .where({ id: a.id })
              .update({
                status: a.gaveUp ? 'failed' : 'queued',
                attempts: a.attempts,
                next_attempt_at: a.retryAt,
              });
        }
      });
    },
  };
}
