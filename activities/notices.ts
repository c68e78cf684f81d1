import { Context } from '@temporalio/activity';
import type { Db } from '../db/connection';
import { renderNotice, type NoticeKind } from '../domain/notices';

const CHUNK = 500;

interface FolderRow {
  code: string;
  name_en: string;
  name_zh: string;
  user_types: string[];
  live_since: Date | null;
}

/**
 * Notice fan-out. Workflows pass ids (a batch), never lists of participants: the activity reads the
 * affected firms from PostgreSQL in chunks and writes one outbox row per firm. The unique key
 * (kind, subject, participant) makes a retried or resumed fan-out write nothing twice (I6); the heartbeat
 * carries the last firm written, so a retry after a crash resumes where it stopped.
 */
export function createNoticeActivities({ db }: { db: Db }) {
  return {
    async queueBatchNotices(input: { kind: NoticeKind; batchId: string; subjectId: string }): Promise<{ queued: number }> {
      const batch = await db('batches').where({ id: input.batchId }).first('planned_at', 'finished_at');
      const liveOnly = input.kind === 'folders_live';
      const folders = await db('batch_folders as bf')
        .join('folders as f', 'f.code', 'bf.folder_code')
        .where('bf.batch_id', input.batchId)
        .modify((q) => (liveOnly ? q.where('bf.status', 'live') : q))
        .select<FolderRow[]>('f.code', 'f.name_en', 'f.name_zh', 'f.user_types', 'f.live_since');
      if (folders.length === 0) return { queued: 0 };
      const at = liveOnly
        ? folders.map((f) => f.live_since as Date | null).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? new Date()
        : batch.planned_at;

      let after = (Context.current().info.heartbeatDetails as string | undefined) ?? '';
      let queued = 0;
      for (;;) {
        const firms = await db('participants').where('code', '>', after).orderBy('code').limit(CHUNK);
        if (firms.length === 0) break;
        const rows = [];
        for (const firm of firms) {
          const mine = folders.filter((f) => f.user_types.includes('ALL') || f.user_types.some((t: string) => firm.user_types.includes(t)));
          if (mine.length === 0 || firm.emails.length === 0) continue;
          const { subject, text } = renderNotice({
            kind: input.kind,
            participant: { code: firm.code, nameEn: firm.name_en, nameZh: firm.name_zh, language: firm.language },
            folders: mine.map((f) => ({ code: f.code, nameEn: f.name_en, nameZh: f.name_zh })),
            subject: `Batch ${input.batchId}`,
            at: new Date(at).toISOString(),
          });
          rows.push({
            kind: input.kind, subject_id: input.subjectId, participant_code: firm.code, recipients: firm.emails,
            subject, body_text: text, folders: JSON.stringify(mine.map((f) => f.code)),
          });
        }
        if (rows.length) queued += (await db('notices').insert(rows).onConflict(['kind', 'subject_id', 'participant_code']).ignore().returning('id')).length;
        after = firms[firms.length - 1].code;
        Context.current().heartbeat(after);
      }
      return { queued };
    },
  };
}
