import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/connection';
import type { BatchStatus } from '../../domain/batch-lifecycle';
import type { CommandAction, CommandClaims } from '../../domain/commands';
import { batchWorkflowId } from '../../domain/workflow-ids';

/** Rows and command claims for the stores' contract tests: only the columns a test is about vary. */

/** Claims as a workflow has them once the signature was verified (the stores never see the signature). */
export const claims = <A>(action: CommandAction, args: A, operator = 'alice'): CommandClaims<A> => ({
  v: 1,
  id: randomUUID(),
  action,
  workflowId: 'wf',
  runId: null,
  operator,
  roles: ['planner'],
  credentialId: `test-${operator}`,
  source: 'api',
  issuedAt: new Date().toISOString(),
  args,
});

export async function operators(db: Db, ...names: string[]): Promise<void> {
  await db('operators')
    .insert(names.map((name) => ({ name })))
    .onConflict('name')
    .ignore();
}

/** A batch recorded by run `runId` of workflow `batch-<id>`, planning `folders`. */
export async function batch(
  db: Db,
  id: string,
  folders: string[],
  opts: { status?: BatchStatus; runId?: string } = {},
): Promise<{ workflowId: string; runId: string }> {
  await operators(db, 'alice');
  const runId = opts.runId ?? randomUUID();
  await db('batches').insert({
    id,
    name: id,
    planned_at: '2030-01-07T00:00:00Z',
    requested_by: 'alice',
    status: opts.status ?? 'running',
    workflow_id: batchWorkflowId(id),
    run_id: runId,
  });
  if (folders.length)
    await db('batch_folders').insert(folders.map((code) => ({ batch_id: id, folder_code: code })));
  return { workflowId: batchWorkflowId(id), runId };
}

export const placement = async (db: Db, code: string) =>
  (await db('folders').where({ code }).first('placement'))?.placement as string | undefined;
export const eventsOf = (db: Db, entityId: string) =>
  db('events')
    .where({ entity_id: entityId })
    .orderBy('id')
    .select('actor', 'from_state', 'to_state', 'reason', 'idempotency_key');
