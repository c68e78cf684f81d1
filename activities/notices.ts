import { Context, sleep } from '@temporalio/activity';
import type { Db } from '../db/connection';
import { isAffected } from '../domain/audience';
import { renderNotice, renderReadinessNotice, type NoticeKind } from '../domain/notices';
import type { PlatformGateway } from '../platform/gateway';
import { batchReadiness, readinessUsers } from '../stores/readiness';
import type { Mailer } from './mailer';

const CHUNK = 500;
/** Notices claimed and sent per round of deliverNotices. */
const CLAIM = 100;

interface FolderRow {
  code: string;
  name_en: string;
  name_zh: string;
  direction: string;
  input_date_meaning: string;
  user_types: string[];
  live_since: Date | null;
  /** A retired folder the batch closes on legacy (told apart from the folders that move). */
  retired?: boolean;
}
const FOLDER_COLUMNS = ['code', 'name_en', 'name_zh', 'direction', 'input_date_meaning', 'user_types', 'live_since'] as const;

/**
 * Notice fan-out. Workflows pass ids (a batch), never lists of participants: the activity reads the
 * affected firms from PostgreSQL in chunks and writes one outbox row per firm. The unique key
 * (kind, subject, participant) makes a retried or resumed fan-out write nothing twice (I6); the heartbeat
 * carries the last firm written, so a retry after a crash resumes where it stopped.
 */
export interface NoticeDeps {
  db: Db;
  mailer: Mailer;
  mailFrom: string;
  /** Readiness notices read Client Connect through it. */
  gateway: PlatformGateway;
}

/** Attempts per notice before it is marked failed (visible to support); backoff 1 s, 2 s, 4 s … 60 s. */
export const MAX_SEND_ATTEMPTS = 10;
const backoffMs = (attempts: number) => Math.min(60_000, 1000 * 2 ** (attempts - 1));

export function createNoticeActivities({ db, mailer, mailFrom, gateway }: NoticeDeps) {
  /** One outbox row per affected firm, listing only its folders; resumable from the heartbeat. */
  async function fanOut(kind: NoticeKind, subjectId: string, subject: string, folders: FolderRow[] | 'everyone', at: Date, onlyFirms?: (q: ReturnType<Db>) => void): Promise<{ queued: number }> {
    if (folders.length === 0) return { queued: 0 };
    let after = (Context.current().info.heartbeatDetails as string | undefined) ?? '';
    let queued = 0;
    // Each notice lists the firm's folders: fewer firms a round when the batch has many folders, so that what a
    // round holds stays about the same (1,000 folders: 50 firms a round).
    const chunk = folders === 'everyone' ? CHUNK : Math.max(20, Math.min(CHUNK, Math.floor(50_000 / folders.length)));
    for (;;) {
      const firms = await db('participants').where('code', '>', after).modify((q) => onlyFirms?.(q)).orderBy('code').limit(chunk);
      if (firms.length === 0) break;
      const rows = [];
      for (const firm of firms) {
        const mine = folders === 'everyone' ? [] : folders.filter((f) => isAffected(firm.user_types, { code: f.code, userTypes: f.user_types, ccFunction: null }));
        if ((folders !== 'everyone' && mine.length === 0) || firm.emails.length === 0) continue;
        const { subject: title, text } = renderNotice({
          kind,
          participant: { code: firm.code, nameEn: firm.name_en, nameZh: firm.name_zh, language: firm.language },
          folders: mine.map((f) => ({ code: f.code, nameEn: f.name_en, nameZh: f.name_zh, direction: f.direction, inputDateMeaning: f.input_date_meaning, retired: f.retired })),
          subject,
          at: new Date(at).toISOString(),
        });
        rows.push({ kind, subject_id: subjectId, participant_code: firm.code, recipients: firm.emails, subject: title, body_text: text, folders: JSON.stringify(mine.map((f) => f.code)) });
      }
      if (rows.length) queued += (await db('notices').insert(rows).onConflict(['kind', 'subject_id', 'participant_code']).ignore().returning('id')).length;
      after = firms[firms.length - 1].code;
      Context.current().heartbeat(after);
    }
    return { queued };
  }

  return {
    async queueBatchNotices(input: { kind: NoticeKind; batchId: string; subjectId: string }): Promise<{ queued: number }> {
      const batch = await db('batches').where({ id: input.batchId }).first('planned_at', 'started_at');
      const liveOnly = input.kind === 'folders_live';
      // Folders live: the ones that moved. Called off: the ones that did not (firms were told they would).
      const folders = await db('batch_folders as bf')
        .join('folders as f', 'f.code', 'bf.folder_code')
        .where('bf.batch_id', input.batchId)
        .modify((q) => (liveOnly ? q.where('bf.status', 'live') : input.kind === 'batch_cancelled' ? q.whereNot('bf.status', 'live') : q))
        .select<FolderRow[]>(FOLDER_COLUMNS.map((c) => `f.${c}`));
      // The retired folders it closes: announced as retiring, told once retired; called off, they stay open on legacy.
      const retiring = await db('batch_retires as br').join('folders as f', 'f.code', 'br.folder_code')
        .where('br.batch_id', input.batchId)
        .modify((q) => void (liveOnly ? q.where('br.status', 'retired') : input.kind === 'batch_cancelled' ? q.whereNot('br.status', 'retired') : q))
        .select<FolderRow[]>(FOLDER_COLUMNS.map((c) => `f.${c}`));
      folders.push(...retiring.map((f) => ({ ...f, retired: true })));
      const at = liveOnly
        ? folders.filter((f) => !f.retired).map((f) => f.live_since).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? batch.started_at ?? new Date()
        : batch.planned_at;
      // Called off: only the firms that were told it would happen.
      const told = input.kind === 'batch_cancelled'
        ? (q: ReturnType<Db>) => void q.whereIn('code', db('notices').where({ kind: 'batch_announced' }).whereIn('status', ['sent', 'sending']).whereRaw(`split_part(subject_id, '@', 1) = ?`, [input.batchId]).select('participant_code'))
        : undefined;
      return fanOut(input.kind, input.subjectId, `Batch ${input.batchId}`, folders, at, told);
    },

    /** One folder's notice (a switch-back) to every firm it concerns. */
    async queueFolderNotices(input: { kind: NoticeKind; folderCode: string; subjectId: string }): Promise<{ queued: number }> {
      const folders = await db('folders').where({ code: input.folderCode }).select<FolderRow[]>(FOLDER_COLUMNS);
      return fanOut(input.kind, input.subjectId, `Folder ${input.folderCode}`, folders, new Date());
    },

    /** A notice to every firm in the directory (decommission of legacy ECP). */
    async queueEveryoneNotices(input: { kind: NoticeKind; subjectId: string; at: string }): Promise<{ queued: number }> {
      return fanOut(input.kind, input.subjectId, 'Legacy ECP', 'everyone', new Date(input.at));
    },

    /**
     * Readiness action needed: to the administrators of the affected firms that lack a function for a folder of
     * the batch, or that have fewer than two administrators (FAQ B.4) — as Client Connect has them.
     */
    async queueReadinessNotices(input: { batchId: string; subjectId: string }): Promise<{ queued: number }> {
      const names = new Map<string, { en: string; zh: string }>(
        (await db('batch_folders as bf').join('folders as f', 'f.code', 'bf.folder_code').where('bf.batch_id', input.batchId).select('f.code', 'f.name_en', 'f.name_zh'))
          .map((f) => [f.code, { en: f.name_en, zh: f.name_zh }]),
      );
      const users = (await readinessUsers(db, gateway)).users;
      const batch = await db('batches').where({ id: input.batchId }).first('planned_at');
      let queued = 0;
      // A chunk of firms at a time, as the readiness computation finds them: nothing grows with the directory.
      await batchReadiness(db, { batch: input.batchId }, users, {
        onFirms: async (actions) => {
          const firms = new Map((await db('participants').whereIn('code', actions.map((a) => a.participant))).map((f) => [f.code as string, f]));
          const rows = actions.map(({ participant, gaps, admins }) => {
            const firm = firms.get(participant)!;
            const to = (users.get(participant) ?? []).filter((u) => u.role === 'admin').map((u) => u.email);
            const { subject, text } = renderReadinessNotice({
              participant: { code: firm.code, nameEn: firm.name_en, nameZh: firm.name_zh, language: firm.language },
              gaps: gaps.map((g) => ({ code: g.code, nameEn: names.get(g.code)!.en, nameZh: names.get(g.code)!.zh, missing: g.missing })),
              admins: admins === null ? null : { count: admins },
              subject: `Batch ${input.batchId}`,
              at: new Date(batch.planned_at).toISOString(),
            });
            return { kind: 'readiness_action_needed', subject_id: input.subjectId, participant_code: participant, recipients: to.length ? to : firm.emails, subject, body_text: text, folders: JSON.stringify(gaps.map((g) => g.code)) };
          });
          queued += (await db('notices').insert(rows).onConflict(['kind', 'subject_id', 'participant_code']).ignore().returning('id')).length;
          Context.current().heartbeat();
        },
      });
      return { queued };
    },

    /**
     * Sends the queued notices of one event over SMTP, recording every attempt; a failed send is retried with
     * backoff, up to MAX_SEND_ATTEMPTS. Runs until none of the event's notices is left to send.
     *
     * Exactly once (I6): notices are claimed (`sending`) a chunk at a time, sent, and recorded `sent` with
     * their attempts in one transaction per chunk. Retries, SMTP outages and crashes before a send or after
     * the record neither duplicate nor drop a notice. Only a crash between the SMTP server's 250 and the
     * chunk's record can send those copies again on retry (at most one chunk, CLAIM notices); such a copy
     * carries the same Message-ID, so it is recognisable downstream.
     */
    async deliverNotices(input: { kind: NoticeKind | 'readiness_action_needed'; subjectId: string }): Promise<{ sent: number; failed: number }> {
      const scope = () => db('notices').where({ kind: input.kind, subject_id: input.subjectId });
      // Rows left `sending` by a crashed attempt go out again (see above).
      await scope().where({ status: 'sending' }).update({ status: 'queued' });
      let sent = 0;
      let failed = 0;
      for (;;) {
        Context.current().heartbeat({ sent, failed });
        const due = await db('notices')
          .whereIn('id', scope().clone().where({ status: 'queued' }).where('next_attempt_at', '<=', db.fn.now()).orderBy('id').limit(CLAIM).select('id'))
          .update({ status: 'sending' })
          .returning(['id', 'kind', 'recipients', 'subject', 'body_text', 'attempts']);
        if (due.length === 0) {
          const next = await scope().where({ status: 'queued' }).min({ at: 'next_attempt_at' }).first();
          if (!next?.at) break;
          await sleep(Math.max(100, Math.min(5000, new Date(next.at).getTime() - Date.now())));
          continue;
        }
        const outcomes: { id: number; attempts: number; ok: boolean; response: string; messageId: string | null }[] = [];
        await inParallel(due, 10, async (n) => {
          try {
            const info = await mailer.send({ from: mailFrom, to: n.recipients, subject: n.subject, text: n.body_text, messageId: `<notice-${n.id}.${n.kind}@ecp-cutover.hkex.example>` });
            outcomes.push({ id: n.id, attempts: n.attempts + 1, ok: true, response: info.response, messageId: info.messageId });
          } catch (err) {
            outcomes.push({ id: n.id, attempts: n.attempts + 1, ok: false, response: String((err as Error).message ?? err).slice(0, 500), messageId: null });
          }
        });
        await db.transaction(async (trx) => {
          await trx('notice_attempts').insert(outcomes.map((o) => ({ notice_id: o.id, outcome: o.ok ? 'sent' : 'failed', smtp_response: o.response, message_id: o.messageId })));
          const ok = outcomes.filter((o) => o.ok);
          if (ok.length) {
            await trx.raw(
              `update notices n set status = 'sent', sent_at = now(), attempts = v.attempts, message_id = v.message_id
               from jsonb_to_recordset(?::jsonb) as v(id bigint, attempts int, message_id text) where n.id = v.id`,
              [JSON.stringify(ok.map((o) => ({ id: o.id, attempts: o.attempts, message_id: o.messageId })))],
            );
          }
          for (const o of outcomes.filter((x) => !x.ok)) {
            const gaveUp = o.attempts >= MAX_SEND_ATTEMPTS;
            await trx('notices').where({ id: o.id }).update({ status: gaveUp ? 'failed' : 'queued', attempts: o.attempts, next_attempt_at: new Date(Date.now() + backoffMs(o.attempts)) });
          }
        });
        sent += outcomes.filter((o) => o.ok).length;
        failed += outcomes.filter((o) => !o.ok && o.attempts >= MAX_SEND_ATTEMPTS).length;
      }
      return { sent, failed };
    },
  };
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}
