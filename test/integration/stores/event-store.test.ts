import { describe, expect, it } from 'vitest';
import { createEventStore } from '../../../stores/event-store';
import { freshDatabase } from '../../support/db';

const { db } = await freshDatabase();
const events = createEventStore(db);

describe('EventStore (knex): the audit trail, once per key', () => {
  it('appends an event once: the same key again writes nothing and says so', async () => {
    const e = {
      key: 'wf/run-1/smoke',
      actor: 'worker',
      entityType: 'system' as const,
      entityId: 'smoke',
      reason: 'hello',
      workflowId: 'wf',
      runId: 'run-1',
    };
    expect(await events.append(e)).toBe(true);
    expect(await events.append({ ...e, reason: 'a retry says something else' })).toBe(false);
    expect(await db('events').where({ idempotency_key: e.key }).select('reason')).toEqual([
      { reason: 'hello' },
    ]);
  });

  it('finds an event by its key: its id and the run that wrote it', async () => {
    await events.append({
      key: 'command:c1',
      actor: 'alice',
      entityType: 'folder',
      entityId: 'SD1',
      to: 'rollback_requested',
      workflowId: 'rollback-SD1',
      runId: 'run-7',
    });
    await events.append({
      key: 'operator:x:added',
      actor: 'root',
      entityType: 'operator',
      entityId: 'x',
      to: 'added',
    });
    expect(await events.idOf('command:c1')).toBe(
      (await db('events').where({ idempotency_key: 'command:c1' }).first('id')).id,
    );
    expect(await events.runOf('command:c1')).toBe('run-7');
    expect(await events.runOf('operator:x:added')).toBeNull(); // written by no workflow
    expect(await events.idOf('command:none')).toBeUndefined();
    expect(await events.runOf('command:none')).toBeUndefined();
  });
});
