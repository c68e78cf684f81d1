import { DateTime } from 'luxon';
import { approveBatch, planBatch } from '../../app/batches';
import type { AppDeps, Operator } from '../../app/context';
import type { Role } from '../../domain/operators';
import { batchWorkflowId, cutoverWorkflowId } from '../../domain/workflow-ids';
import type { batchMigration } from '../../workflows/batch-migration';
import { recordHistory, uniqueId } from './temporal';

/** An operator as the control plane would have verified them (the roles are the test's to choose). */
export const operator = (name: string, ...roles: Role[]): Operator => ({
  name,
  roles,
  credentialId: `test-${name}`,
  source: 'api',
});
export const alice = operator('alice', 'planner');
export const bob = operator('bob', 'approver');

/**
 * A batch planned by alice a few seconds ahead (notice period and calendar overridden), approved by bob, run
 * to its end: the way folders move. Records the batch's history, and the cutover's of `record.folder`.
 */
export async function runBatch(
  app: AppDeps,
  folders: string[],
  opts: {
    concurrency?: number;
    onFailure?: 'continue' | 'halt';
    record?: { folder: string; name: string };
  } = {},
) {
  const id = uniqueId('T').replace('-', '');
  await planBatch(app, alice, {
    id,
    name: `test ${id}`,
    at: DateTime.utc().plus({ seconds: 3 }).toISO()!,
    folders,
    concurrency: opts.concurrency ?? folders.length,
    onFailure: opts.onFailure,
    minNotice: '0s',
    allowNonBusinessDay: true,
  });
  await approveBatch(app, bob, id);
  const result = await app.temporal.workflow.getHandle<typeof batchMigration>(batchWorkflowId(id)).result();
  if (opts.record)
    await recordHistory(
      app.temporal.workflow.getHandle(cutoverWorkflowId(id, opts.record.folder)),
      opts.record.name,
    );
  return { id, result };
}
