import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { smokeWorkflow } from '../../workflows/smoke';
import { BATCH_ID } from '../../workflows/search-attributes';
import { createWorker } from '../../worker/worker';
import { createHttpGateway } from '../../platform/http-gateway';
import { createSmtpMailer } from '../../activities/mailer';
import { freshDatabase } from '../support/db';
import { temporalForFile, uniqueId, workflowBundle } from '../support/temporal';

const { db } = await freshDatabase();
const { client, nativeConnection, taskQueue } = await temporalForFile();

describe('end-to-end smoke', () => {
  it('a real worker runs a workflow whose activity writes a row to PostgreSQL', async () => {
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      // The smoke workflow calls neither a platform nor SMTP.
      deps: { db, gateway: createHttpGateway('http://127.0.0.1:9', undefined), mailer: createSmtpMailer('smtp://127.0.0.1:9'), mailFrom: 'x@example.hk', commandKey: randomBytes(32) },
      workflowBundle: await workflowBundle(),
    });
    const workflowId = uniqueId('smoke');
    const result = await worker.runUntil(
      client.workflow.execute(smokeWorkflow, {
        taskQueue,
        workflowId,
        args: ['hello from the smoke test'],
        typedSearchAttributes: [{ key: BATCH_ID, value: 'smoke' }],
      }),
    );
    const row = await db('events').where({ id: result.eventId }).first();
    expect(row).toMatchObject({ entity_type: 'system', reason: 'hello from the smoke test', workflow_id: workflowId });
    const described = await client.workflow.getHandle(workflowId).describe();
    expect(described.typedSearchAttributes.get(BATCH_ID)).toBe('smoke');
  });
});
