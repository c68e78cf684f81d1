import type { Db } from '../db/connection';
import { appendEvent, type EventInput } from './events';

/** The audit trail as activities use it: append an event once per key, and look one up by its key. */
export interface EventStore {
  /** False if an event with the same key was written before (by an earlier attempt): nothing is written. */
  append(e: EventInput): Promise<boolean>;
  /** The id of the event written under `key`, if any. */
  idOf(key: string): Promise<number | undefined>;
  /** The workflow run that wrote the event under `key` (a command's key: which run recorded it), if any. */
  runOf(key: string): Promise<string | null | undefined>;
}

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
  };
}
