import type { Db } from '../db/connection';
import type { AudienceUser } from '../domain/audience';
import { likeEscaped } from './like';

/** A firm of the imported directory. */
export interface ParticipantRow {
  code: string;
  nameEn: string;
  nameZh: string | null;
  userTypes: string[];
  emails: string[];
  language: string;
}

/** A user of a firm as the imported directory has them. */
export type DirectoryUserRow = AudienceUser & { role: 'admin' | 'operator' };

/** A notice to a firm, with each delivery attempt, oldest first. */
export interface NoticeRow {
  id: number;
  kind: string;
  subjectId: string;
  status: string;
  recipients: string[];
  folders: string[];
  sentAt: Date | null;
  messageId: string | null;
  attempts: { id: number; at: Date; outcome: string; smtp: string | null }[];
}

/** One delivery attempt of a notice to a firm, as its trail lists it. */
export interface NoticeAttemptRow {
  id: number;
  at: Date;
  kind: string;
  outcome: string;
  smtp: string | null;
}

/** The directory's firms as the support desk reads them: who they are, their users, their notices. */
export interface ParticipantStore {
  /** Firms whose code starts with, or whose English or Chinese name contains, `text` (any case), by code. */
  search(text: string, limit: number): Promise<ParticipantRow[]>;
  get(code: string): Promise<ParticipantRow | undefined>;
  /** Its users, by email. */
  users(code: string): Promise<DirectoryUserRow[]>;
  /** The folders it uses over SFTP. */
  sftpFolders(code: string): Promise<string[]>;
  /** Every notice to it, oldest first. */
  notices(code: string): Promise<NoticeRow[]>;
  /** The delivery attempts of its notices, newest first: `limit` after skipping `offset`. */
  attempts(code: string, offset: number, limit: number): Promise<NoticeAttemptRow[]>;
  /** How many firms the directory holds. */
  count(): Promise<number>;
}

type Row = Record<string, never>;

const toParticipant = (r: Row): ParticipantRow => ({
  code: r.code,
  nameEn: r.name_en,
  nameZh: r.name_zh ?? null,
  userTypes: r.user_types,
  emails: r.emails,
  language: r.language,
});

export function createParticipantStore(db: Db): ParticipantStore {
  return {
    async search(text, limit) {
      const escaped = likeEscaped(text);
      const rows = await db('participants')
        .where((w) =>
          w
            .where('code', 'like', `${escaped}%`)
            .orWhereILike('name_en', `%${escaped}%`)
            .orWhereILike('name_zh', `%${escaped}%`),
        )
        .orderBy('code')
        .limit(limit);
      return rows.map(toParticipant);
    },
    async get(code) {
      const r = await db('participants').where({ code }).first();
      return r ? toParticipant(r) : undefined;
    },
    async users(code) {
      return (await db('users').where({ participant_code: code }).orderBy('email')).map((u: Row) => ({
        email: u.email,
        role: u.role,
        functions: u.functions,
        sftpKeyRegistered: u.sftp_key_registered,
        ipRegistered: u.ip_registered,
      }));
    },
    sftpFolders: (code) =>
      db('participant_sftp_folders').where({ participant_code: code }).pluck('folder_code'),
    async notices(code) {
      const notices: Row[] = await db('notices').where({ participant_code: code }).orderBy('id');
      const attempts: Row[] = await db('notice_attempts')
        .whereIn(
          'notice_id',
          notices.map((n) => n.id),
        )
        .orderBy('id');
      return notices.map((n) => ({
        id: Number(n.id),
        kind: n.kind,
        subjectId: n.subject_id,
        status: n.status,
        recipients: n.recipients,
        folders: n.folders,
        sentAt: n.sent_at ?? null,
        messageId: n.message_id ?? null,
        attempts: attempts
          .filter((a) => a.notice_id === n.id)
          .map((a) => ({
            id: Number(a.id),
            at: a.attempted_at,
            outcome: a.outcome,
            smtp: a.smtp_response ?? null,
          })),
      }));
    },
    async attempts(code, offset, limit) {
      const rows: Row[] = await db('notice_attempts as a')
        .join('notices as n', 'n.id', 'a.notice_id')
        .where('n.participant_code', code)
        .orderBy('a.id', 'desc')
        .limit(limit)
        .offset(offset)
        .select('a.id', 'a.attempted_at', 'n.kind', 'a.outcome', 'a.smtp_response');
      return rows.map((r) => ({
        id: Number(r.id),
        at: r.attempted_at,
        kind: r.kind,
        outcome: r.outcome,
        smtp: r.smtp_response ?? null,
      }));
    },
    async count() {
      return Number((await db('participants').count({ n: '*' }).first())?.n ?? 0);
    },
  };
}
