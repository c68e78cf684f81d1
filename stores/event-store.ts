import type { Db } from '../db/connection';
import { appendEvent, type EventInput } from './events';
import { likeEscaped } from './like';

/** An event of the audit trail as stored. */
export interface EventRow {
  id: number;
  at: Date;
  actor: string;
  entityType: string;
  entityId: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  workflowId: string | null;
}

/** Which events a page of the trail holds (at most one filter is given; none: every event). */
export interface EventQuery {
  /** The events of one folder. */
  folder?: string;
  /** What one operator did. */
  actor?: string;
  /** A batch's own events and those of every workflow whose id starts with `workflowPrefix` (its cutovers). */
  batch?: { id: string; workflowPrefix: string };
}

/** The audit trail: append an event once per key, look one up by its key, read it newest first. */
export interface EventStore {
  /** False if an event with the same key was written before (by an earlier attempt): nothing is written. */
  append(e: EventInput): Promise<boolean>;
  /** The id of the event written under `key`, if any. */
  idOf(key: string): Promise<number | undefined>;
  /** The workflow run that wrote the event under `key` (a command's key: which run recorded it), if any. */
  runOf(key: string): Promise<string | null | undefined>;
  /** Newest first: `limit` events after skipping `offset`. */
  page(query: EventQuery, offset: number, limit: number): Promise<EventRow[]>;
  /** The latest event a workflow wrote (any of its runs). */
  lastOfWorkflow(workflowId: string): Promise<EventRow | undefined>;
}

type Row = Record<string, never>;

const toEventRow = (r: Row): EventRow => ({
  id: Number(r.id),
  at: r.at,
  actor: r.actor,
  entityType: r.entity_type,
  entityId: r.entity_id,
  from: r.from_state ?? null,
  to: r.to_state ?? null,
  reason: r.reason ?? null,
  workflowId: r.workflow_id ?? null,
});

export function createEventStore(db: Db): EventStore {
  const byKey = (key: string) => db('events').where({ idempotency_key: key });
  return {
    append: (e) => appendEvent(db, e),
    async idOf(key) {
      const row = await byKey(key).first('id');
      return row ? Number(row.id) : undefined;
    },
    async runOf(key) {
      const row = await byKey(key).first('run_id');
      return row ? (row.run_id as string | null) : undefined;
    },
    async page(query, offset, limit) {
      const q = db('events').orderBy('id', 'desc').limit(limit).offset(offset);
      if (query.folder !== undefined) q.where({ entity_type: 'folder', entity_id: query.folder });
      if (query.actor !== undefined) q.where({ actor: query.actor });
      if (query.batch) {
        const { id, workflowPrefix } = query.batch;
        q.where((w) =>
          w
            .where({ entity_type: 'batch', entity_id: id })
            .orWhere('workflow_id', 'like', `${likeEscaped(workflowPrefix)}%`),
        );
      }
      return (await q).map(toEventRow);
    },
    async lastOfWorkflow(workflowId) {
      const row = await db('events').where({ workflow_id: workflowId }).orderBy('id', 'desc').first();
      return row ? toEventRow(row) : undefined;
    },
  };
}
