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
  it('a real worker runs a workflow whose activity reads PostgreSQL; the unsigned workflow writes nothing', async () => {
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      // The smoke workflow calls neither a platform nor SMTP.
      deps: {
        db,
        gateway: createHttpGateway('http://127.0.0.1:9', undefined),
        mailer: createSmtpMailer('smtp://127.0.0.1:9'),
        mailFrom: 'x@example.hk',
        commandKey: randomBytes(32),
      },
      workflowBundle: await workflowBundle(),
    });
    const workflowId = uniqueId('smoke');
    const result = await worker.runUntil(
      client.workflow.execute(smokeWorkflow, {
        taskQueue,
        workflowId,
        args: [],
        typedSearchAttributes: [{ key: BATCH_ID, value: 'smoke' }],
      }),
    );
    const { rows } = await db.raw('select now() as now');
    expect(Math.abs(Date.parse(result.databaseTime) - (rows[0].now as Date).getTime())).toBeLessThan(60_000);
    expect(Number((await db('events').count({ n: '*' }).first())!.n)).toBe(0);
    const described = await client.workflow.getHandle(workflowId).describe();
    expect(described.typedSearchAttributes.get(BATCH_ID)).toBe('smoke');
  });
});
