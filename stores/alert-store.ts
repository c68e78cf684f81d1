import { rowsOf, type Db } from '../db/connection';
import type { Episode } from '../domain/reconcile-mail';
import type { AlertChanges, AlertFacts } from '../domain/reconcile';

/**
 * The platform team's alert episodes beyond drift (`alerts`: a folder whose move failed or was compensated, a
 * batch blocked on readiness, a blocked decommission), and which episodes of both kinds — drifts and alerts —
 * were mailed when they opened and when they cleared.
 */
export interface AlertStore {
  facts(): Promise<AlertFacts>;
  /** The open alert episodes, locked, handed to `decide`; what it decides is opened and resolved, in one transaction. */
  syncAlerts(decide: (open: { id: number; subject: string }[]) => AlertChanges): Promise<void>;
  /** Episodes not mailed yet, oldest first. */
  unmailedOpenings(table: Episode['table']): Promise<Episode[]>;
  /** Mailed; one already resolved (opened and closed in one pass) needs no second mail. */
  markOpeningMailed(e: Episode): Promise<void>;
  /** Resolved episodes whose opening was mailed and whose resolution was not, oldest first. */
  unmailedResolutions(table: Episode['table']): Promise<Episode[]>;
  markResolutionMailed(e: Episode): Promise<void>;
}

type Row = Record<string, never>;
const toEpisode = (table: Episode['table'], r: Row): Episode =>
  table === 'drifts'
    ? {
        table,
        id: Number(r.id),
        folderCode: r.folder_code,
        kind: r.kind,
        detail: r.detail,
        action: r.action,
        at: r.detected_at,
        resolvedAt: r.resolved_at,
      }
    : {
        table,
        id: Number(r.id),
        kind: r.kind,
        subject: r.subject,
        detail: r.detail,
        at: r.opened_at,
        resolvedAt: r.resolved_at,
      };

export function createAlertStore(db: Db): AlertStore {
  return {
    async facts() {
      const runs = await rowsOf<Row>(
        db,
        `select r.id, r.folder_code, r.kind, r.status, r.failure, r.batch_id from folder_runs r
          where r.status in ('compensated', 'failed')
            and not exists (select 1 from folder_runs later where later.folder_code = r.folder_code and later.id > r.id and later.status = 'succeeded')`,
      );
      const batches = await rowsOf<{ id: string }>(
        db,
        `select id from batches where status = 'blocked_on_readiness'`,
      );
      const decommission = await rowsOf(db, `select status from decommission where status = 'blocked'`);
      return {
        unsettledRuns: runs.map((r) => ({
          id: Number(r.id),
          folderCode: r.folder_code,
          kind: r.kind,
          status: r.status,
          failure: r.failure,
          batchId: r.batch_id,
        })),
        blockedBatches: batches.map((b) => b.id),
        decommissionBlocked: decommission.length > 0,
      };
    },

    async syncAlerts(decide) {
      await db.transaction(async (trx) => {
        const open = await trx('alerts').whereNull('resolved_at').forUpdate().select('id', 'subject');
        const changes = decide(open.map((o) => ({ id: Number(o.id), subject: o.subject })));
        for (const a of changes.open)
          await trx('alerts').insert({ kind: a.kind, subject: a.subject, detail: a.detail });
        if (changes.resolve.length)
          await trx('alerts').whereIn('id', changes.resolve).update({ resolved_at: trx.fn.now() });
      });
    },

    async unmailedOpenings(table) {
      return (await db(table).whereNull('alerted_at').orderBy('id').select('*')).map((r: Row) =>
        toEpisode(table, r),
      );
    },

    async markOpeningMailed(e) {
      await db(e.table)
        .where({ id: e.id })
        .update({
          alerted_at: new Date(),
          ...(e.resolvedAt !== null ? { resolution_alerted_at: new Date() } : {}),
        });
    },

    async unmailedResolutions(table) {
      return (
        await db(table)
          .whereNotNull('resolved_at')
          .whereNotNull('alerted_at')
          .whereNull('resolution_alerted_at')
          .orderBy('id')
          .select('*')
      ).map((r: Row) => toEpisode(table, r));
    },

    async markResolutionMailed(e) {
      await db(e.table).where({ id: e.id }).update({ resolution_alerted_at: new Date() });
    },
  };
}
