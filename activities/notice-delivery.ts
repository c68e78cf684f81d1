import { Context, sleep } from '@temporalio/activity';
import type { NoticeKind } from '../domain/notices';
import type { NoticeStore, SendAttempt } from '../stores/notice-store';
import type { Mailer } from './mailer';

/** Notices claimed and sent per round of deliverNotices. */
const CLAIM = 100;

/** Attempts per notice before it is marked failed (visible to support); backoff 1 s, 2 s, 4 s … 60 s. */
export const MAX_SEND_ATTEMPTS = 10;
const backoffMs = (attempts: number) => Math.min(60_000, 1000 * 2 ** (attempts - 1));

export interface DeliveryDeps {
  notices: NoticeStore;
  mailer: Mailer;
  mailFrom: string;
}

export function createDeliveryActivities({ notices, mailer, mailFrom }: DeliveryDeps) {
  return {
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
    async deliverNotices(input: {
      kind: NoticeKind | 'readiness_action_needed';
      subjectId: string;
    }): Promise<{ sent: number; failed: number }> {
      // Rows left `sending` by a crashed attempt go out again (see above).
      await notices.requeueSending(input.kind, input.subjectId);
      let sent = 0;
      let failed = 0;
      for (;;) {
        Context.current().heartbeat({ sent, failed });
        const due = await notices.claim(input.kind, input.subjectId, CLAIM);
        if (due.length === 0) {
          const next = await notices.nextAttemptAt(input.kind, input.subjectId);
          if (!next) break;
          await sleep(Math.max(100, Math.min(5000, next.getTime() - Date.now())));
          continue;
        }
        const attempts: SendAttempt[] = [];
        await inParallel(due, 10, async (n) => {
          try {
            const info = await mailer.send({
              from: mailFrom,
              to: n.recipients,
              subject: n.subject,
              text: n.text,
              messageId: `<notice-${n.id}.${n.kind}@ecp-cutover.hkex.example>`,
            });
            attempts.push({
              id: n.id,
              attempts: n.attempts + 1,
              ok: true,
              response: info.response,
              messageId: info.messageId,
            });
          } catch (err) {
            const tries = n.attempts + 1;
            attempts.push({
              id: n.id,
              attempts: tries,
              ok: false,
              response: String((err as Error).message ?? err).slice(0, 500),
              gaveUp: tries >= MAX_SEND_ATTEMPTS,
              retryAt: new Date(Date.now() + backoffMs(tries)),
            });
          }
        });
        await notices.recordAttempts(attempts);
        sent += attempts.filter((a) => a.ok).length;
        failed += attempts.filter((a) => !a.ok && a.gaveUp).length;
      }
      return { sent, failed };
    },
  };
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}
