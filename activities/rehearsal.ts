import { ApplicationFailure } from '@temporalio/activity';
import { isAffected } from '../domain/audience';
import type { BatchRehearseArgs, CommandClaims } from '../domain/commands';
import { renderNotice, type NoticeFolder } from '../domain/notices';
import { planHash } from '../domain/rehearsal';
import { formatHk } from '../domain/time';
import type { PlatformGateway } from '../platform/gateway';
import type { EventStore } from '../stores/event-store';
import type { NoticeStore } from '../stores/notice-store';
import type { ReadinessStore } from '../stores/readiness-store';
import type { RehearsalStore } from '../stores/rehearsal-store';
import type { Mailer } from './mailer';
import { createMoveActivities } from './move';

export type { BatchRehearseArgs };

export interface RehearsalDeps {
  rehearsals: RehearsalStore;
  /** The platforms' rehearsal environment (REHEARSAL_PLATFORM_URL); absent: rehearsals are refused. */
  rehearsalGateway?: PlatformGateway;
  readiness: ReadinessStore;
  notices: NoticeStore;
  mailer: Mailer;
  mailFrom: string;
  /** The platform team's address (REHEARSAL_NOTICE_EMAIL, else OPS_ALERT_EMAIL): the only one a rehearsal mails. */
  rehearsalNoticeEmail?: string;
}

/** Firms whose notices a rehearsal renders as samples (to the team's address only). */
const SAMPLE_FIRMS = 3;

/** The prefix of the move activities a rehearsal's folders run: the same code as a cutover's, over the rehearsal's store and platforms. */
export const REHEARSAL_PREFIX = 'rehearsal_';

/** A rehearsal writes no event: a refused begin is a ConflictError (never NotAllowedError), so the move activities never append one. */
const NO_EVENTS: EventStore = {
  append: async () => {
    throw new Error('a rehearsal writes no events');
  },
  idOf: async () => undefined,
  runOf: async () => undefined,
  page: async () => [],
  lastOfWorkflow: async () => undefined,
};

const noEnvironment = () =>
  ApplicationFailure.create({
    message: 'no rehearsal environment: set REHEARSAL_PLATFORM_URL (and its credential) for the worker',
    type: 'NoRehearsalEnvironment',
    nonRetryable: true,
  });

/**
 * The activities of a rehearsal (issue 28). The folder moves are activities/move.ts's, built over the
 * rehearsal's run store (tables rehearsal_folders) and the rehearsal environment's gateway, under names
 * prefixed `rehearsal_` so that the worker registers both sets. Nothing here writes folders, runs, batches,
 * events or notices, nor calls the live platforms except to read Client Connect (readiness).
 */
export function createRehearsalActivities(deps: RehearsalDeps) {
  const { rehearsals, rehearsalGateway: gateway } = deps;
  const unavailable: PlatformGateway = new Proxy({} as PlatformGateway, {
    get: () => () => Promise.reject(noEnvironment()),
  });
  const moves = createMoveActivities({
    runs: rehearsals.runs(),
    events: NO_EVENTS,
    gateway: gateway ?? unavailable,
  });
  const prefixed = Object.fromEntries(
    Object.entries(moves).map(([name, fn]) => [`${REHEARSAL_PREFIX}${name}`, fn]),
  ) as { [K in keyof typeof moves as `rehearsal_${K}`]: (typeof moves)[K] };

  return {
    ...prefixed,

    /** Records the rehearsal (its plan and hash as verified from the signed command). Idempotent. */
    async recordRehearsal(input: {
      command: CommandClaims<BatchRehearseArgs>;
      workflowId: string;
      runId: string;
    }): Promise<{ ok: true } | { ok: false; reason: string }> {
      const { args } = input.command;
      if (planHash(args.plan) !== args.planHash)
        return { ok: false, reason: `batch.rehearse refused: the plan's hash does not match the plan` };
      if (!gateway) throw noEnvironment();
      await rehearsals.begin({
        id: args.rehearsalId,
        batchId: args.plan.batchId,
        planHash: args.planHash,
        plan: args.plan,
        requestedBy: input.command.operator,
        environment: args.environment,
        workflowId: input.workflowId,
        runId: input.runId,
      });
      return { ok: true };
    },

    /**
     * Aligns the rehearsal platforms with the live record of the batch's folders, as a cutover would find
     * them: open and visible on legacy, closed and hidden on ECP 2.0 (disabled first: never both open). Files
     * a previous rehearsal handed over are handed back.
     */
    async prepareRehearsal(input: { rehearsalId: string; folders: string[] }): Promise<void> {
      if (!gateway) throw noEnvironment();
      for (const code of input.folders) {
        await gateway.disable('ecp2', code);
        await gateway.handBack('legacy', code);
        await gateway.enable('legacy', code);
      }
    },

    /** Readiness of the batch's folders as the live directory (Client Connect) has it now; recorded with the rehearsal. */
    async rehearsalReadiness(input: {
      rehearsalId: string;
      folders: string[];
    }): Promise<{ affected: number; notReady: number }> {
      const users = await deps.readiness.users();
      const r = await deps.readiness.ofFolders(input.folders, users.users, { list: 0 });
      await rehearsals.readiness(input.rehearsalId, {
        affected: r.affected,
        notReady: r.notReady,
        source: users.source,
      });
      return { affected: r.affected, notReady: r.notReady };
    },

    /**
     * The batch's announcement and outcome notices, rendered for a few sample firms as they would receive them,
     * in one mail to the platform team's address — never to a firm. Without a team address nothing is sent,
     * and the rehearsal says so.
     */
    async rehearsalNotices(input: {
      rehearsalId: string;
    }): Promise<{ sentTo: string | null; rendered: number }> {
      const r = await rehearsals.get(input.rehearsalId);
      if (!r) throw new Error(`no rehearsal ${input.rehearsalId}`);
      const facts = await deps.notices.batchFolders(r.batchId, 'all');
      const outcome = new Map(r.folders.map((f) => [f.code, f.status]));
      const folders = facts.filter((f) => !f.retired && outcome.has(f.code));
      const samples: { firm: string; emails: string[]; subject: string; text: string }[] = [];
      for (let after = ''; samples.length < SAMPLE_FIRMS * 2;) {
        const firms = await deps.notices.firms(after, 200);
        if (firms.length === 0) break;
        after = firms[firms.length - 1].code;
        for (const firm of firms) {
          const mine = folders.filter((f) =>
            isAffected(firm.userTypes, { code: f.code, userTypes: f.userTypes, ccFunction: null }),
          );
          if (mine.length === 0 || samples.length >= SAMPLE_FIRMS * 2) continue;
          const participant = {
            code: firm.code,
            nameEn: firm.nameEn,
            nameZh: firm.nameZh,
            language: firm.language,
          };
          const listed = (withOutcome: boolean): NoticeFolder[] =>
            mine.map((f) => ({
              code: f.code,
              nameEn: f.nameEn,
              nameZh: f.nameZh,
              direction: f.direction,
              inputDateMeaning: f.inputDateMeaning,
              ...(withOutcome
                ? {
                    outcome:
                      outcome.get(f.code) === 'succeeded' ? ('moved' as const) : ('not_moved' as const),
                  }
                : {}),
            }));
          for (const kind of ['batch_announced', 'batch_outcome'] as const) {
            samples.push({
              firm: firm.code,
              emails: firm.emails,
              ...renderNotice({
                kind,
                participant,
                folders: listed(kind === 'batch_outcome'),
                subject: `batch ${r.batchId}`,
                at: r.plan.plannedAt,
              }),
            });
          }
        }
      }
      const to = deps.rehearsalNoticeEmail;
      if (!to) {
        await rehearsals.noticesSent(
          r.id,
          `${samples.length} notices rendered, none sent: no team address (set REHEARSAL_NOTICE_EMAIL or OPS_ALERT_EMAIL)`,
        );
        return { sentTo: null, rendered: samples.length };
      }
      const text = [
        `Rehearsal ${r.id} of batch ${r.batchId} (planned for ${formatHk(r.plan.plannedAt)}), run by ${r.requestedBy} against ${r.environment}.`,
        `Below: the notices ${SAMPLE_FIRMS} sample firms would receive (announcement, and outcome as rehearsed). None was sent to a firm.`,
        '',
        ...samples.flatMap((s) => [
          '========================================',
          `would go to ${s.firm}: ${s.emails.length} address(es) (not sent)`,
          `Subject: ${s.subject}`,
          '',
          s.text,
        ]),
      ].join('\n');
      await deps.mailer.send({
        from: deps.mailFrom,
        to: [to],
        subject: `[HKEX ECP rehearsal] ${r.id}: the notices of batch ${r.batchId}`,
        text,
        messageId: `<rehearsal-${r.id}@ecp-cutover>`,
      });
      await rehearsals.noticesSent(
        r.id,
        `${samples.length} notices of ${Math.ceil(samples.length / 2)} sample firms rendered, sent in one mail to ${to} only`,
      );
      return { sentTo: to, rendered: samples.length };
    },

    /** Ends a rehearsal that could not go on as failed, with the reason. */
    async abandonRehearsal(input: { rehearsalId: string; reason: string }): Promise<void> {
      await rehearsals.abandon(input.rehearsalId, input.reason);
    },

    /** Ends the rehearsal: its outcome from its folders', its duration. */
    async finishRehearsal(input: {
      rehearsalId: string;
    }): Promise<{ status: string; failure: string | null }> {
      const r = await rehearsals.finish(input.rehearsalId);
      return { status: r.status, failure: r.failure };
    },
  };
}
