import { Context } from '@temporalio/activity';
import { isAffected } from '../domain/audience';
import { renderNotice, renderReadinessNotice, type NoticeKind } from '../domain/notices';
import type { BatchFolderScope, NoticeFolderFacts, OutboxNotice } from '../stores/notice-store';
import type { ReadinessStore } from '../stores/readiness-store';
import { createDeliveryActivities, type DeliveryDeps } from './notice-delivery';

export { MAX_SEND_ATTEMPTS } from './notice-delivery';

const CHUNK = 500;

/**
 * Notice fan-out. Workflows pass ids (a batch), never lists of participants: the activity reads the
 * affected firms from PostgreSQL in chunks and writes one outbox row per firm. The unique key
 * (kind, subject, participant) makes a retried or resumed fan-out write nothing twice (I6); the heartbeat
 * carries the last firm written, so a retry after a crash resumes where it stopped.
 */
export interface NoticeDeps extends DeliveryDeps {
  /** Readiness notices read Client Connect's users through it. */
  readiness: ReadinessStore;
}

/** Which folders of a batch a notice of this kind lists. */
const scopeOf = (kind: NoticeKind): BatchFolderScope =>
  kind === 'folders_live' ? 'done' : kind === 'batch_cancelled' ? 'not_done' : 'all';

export function createNoticeActivities(deps: NoticeDeps) {
  const { notices, readiness } = deps;
  /** One outbox row per affected firm, listing only its folders; resumable from the heartbeat. */
  async function fanOut(
    kind: NoticeKind,
    subjectId: string,
    subject: string,
    folders: NoticeFolderFacts[] | 'everyone',
    at: Date,
    toldOfBatch?: string,
  ): Promise<{ queued: number }> {
    if (folders.length === 0) return { queued: 0 };
    let after = (Context.current().info.heartbeatDetails as string | undefined) ?? '';
    let queued = 0;
    // Each notice lists the firm's folders: fewer firms a round when the batch has many folders, so that what a
    // round holds stays about the same (1,000 folders: 50 firms a round).
    const chunk =
      folders === 'everyone' ? CHUNK : Math.max(20, Math.min(CHUNK, Math.floor(50_000 / folders.length)));
    for (;;) {
      const firms = await notices.firms(after, chunk, toldOfBatch);
      if (firms.length === 0) break;
      const rows: OutboxNotice[] = [];
      for (const firm of firms) {
        const mine =
          folders === 'everyone'
            ? []
            : folders.filter((f) =>
                isAffected(firm.userTypes, { code: f.code, userTypes: f.userTypes, ccFunction: null }),
              );
        if ((folders !== 'everyone' && mine.length === 0) || firm.emails.length === 0) continue;
        const { subject: title, text } = renderNotice({
          kind,
          participant: { code: firm.code, nameEn: firm.nameEn, nameZh: firm.nameZh, language: firm.language },
          folders: mine.map((f) => ({
            code: f.code,
            nameEn: f.nameEn,
            nameZh: f.nameZh,
            direction: f.direction,
            inputDateMeaning: f.inputDateMeaning,
            retired: f.retired,
            outcome: f.outcome,
          })),
          subject,
          at: new Date(at).toISOString(),
        });
        rows.push({
          kind,
          subjectId,
          participant: firm.code,
          recipients: firm.emails,
          subject: title,
          text,
          folders: mine.map((f) => f.code),
        });
      }
      queued += await notices.queue(rows);
      after = firms[firms.length - 1].code;
      Context.current().heartbeat(after);
    }
    return { queued };
  }

  return {
    async queueBatchNotices(input: {
      kind: NoticeKind;
      batchId: string;
      subjectId: string;
    }): Promise<{ queued: number }> {
      const batch = (await notices.batchTimes(input.batchId))!;
      const liveOnly = input.kind === 'folders_live';
      // Folders live: the ones that moved. Called off: the ones that did not (firms were told they would). The
      // retired folders it closes: announced as retiring, told once retired; called off, they stay open on legacy.
      const folders = await notices.batchFolders(input.batchId, scopeOf(input.kind));
      // Folders live: since when; every other notice: the batch's planned time (its outcome says "planned for").
      const at = liveOnly
        ? (folders
            .filter((f) => !f.retired)
            .map((f) => f.liveSince)
            .filter((d): d is Date => d !== null)
            .sort((a, b) => a.getTime() - b.getTime())[0] ??
          batch.startedAt ??
          new Date())
        : batch.plannedAt;
      // Called off: only the firms that were told it would happen.
      return fanOut(
        input.kind,
        input.subjectId,
        `Batch ${input.batchId}`,
        folders,
        at,
        input.kind === 'batch_cancelled' ? input.batchId : undefined,
      );
    },

    /** One folder's notice (a switch-back) to every firm it concerns. */
    async queueFolderNotices(input: {
      kind: NoticeKind;
      folderCode: string;
      subjectId: string;
    }): Promise<{ queued: number }> {
      return fanOut(
        input.kind,
        input.subjectId,
        `Folder ${input.folderCode}`,
        await notices.folder(input.folderCode),
        new Date(),
      );
    },

    /** A notice to every firm in the directory (decommission of legacy ECP). */
    async queueEveryoneNotices(input: {
      kind: NoticeKind;
      subjectId: string;
      at: string;
    }): Promise<{ queued: number }> {
      return fanOut(input.kind, input.subjectId, 'Legacy ECP', 'everyone', new Date(input.at));
    },

    /**
     * Readiness action needed: to the administrators of the affected firms that lack a function for a folder of
     * the batch, or that have fewer than two administrators (FAQ B.4) — as Client Connect has them.
     */
    async queueReadinessNotices(input: { batchId: string; subjectId: string }): Promise<{ queued: number }> {
      const names = new Map(
        (await notices.batchFolders(input.batchId, 'all'))
          .filter((f) => !f.retired)
          .map((f) => [f.code, { en: f.nameEn, zh: f.nameZh }]),
      );
      const source = await readiness.users();
      const users = source.users;
      const batch = (await notices.batchTimes(input.batchId))!;
      let queued = 0;
      // A chunk of firms at a time, as the readiness computation finds them: nothing grows with the directory.
      const r = await readiness.ofBatch(input.batchId, users, {
        onFirms: async (actions) => {
          const firms = await notices.firmsByCode(actions.map((a) => a.participant));
          const rows = actions.map(({ participant, gaps, admins }): OutboxNotice => {
            const firm = firms.get(participant)!;
            const to = (users.get(participant) ?? []).filter((u) => u.role === 'admin').map((u) => u.email);
            const { subject, text } = renderReadinessNotice({
              participant: {
                code: firm.code,
                nameEn: firm.nameEn,
                nameZh: firm.nameZh,
                language: firm.language,
              },
              gaps: gaps.map((g) => ({
                code: g.code,
                nameEn: names.get(g.code)!.en,
                nameZh: names.get(g.code)!.zh,
                gap: g.gap,
              })),
              admins: admins === null ? null : { count: admins },
              subject: `Batch ${input.batchId}`,
              at: new Date(batch.plannedAt).toISOString(),
            });
            return {
              kind: 'readiness_action_needed',
              subjectId: input.subjectId,
              participant,
              recipients: to.length ? to : firm.emails,
              subject,
              text,
              folders: gaps.map((g) => g.code),
            };
          });
          queued += await notices.queue(rows);
          Context.current().heartbeat();
        },
      });
      // What the batch's report gives as its readiness at the announcement.
      await readiness.record(input.batchId, 'announcement', {
        affected: r.affected,
        notReady: r.notReady,
        source: source.source,
      });
      return { queued };
    },

    ...createDeliveryActivities(deps),
  };
}
