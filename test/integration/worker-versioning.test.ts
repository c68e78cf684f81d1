import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { abortBatch, approveBatch, planBatch } from '../../app/batches';
import { findBinary } from '../../dev/tools';
import { batchWorkflowId } from '../../domain/workflow-ids';
import { alice, bob } from '../support/batches';
import { cutoverStack } from '../support/stack';
import { uniqueId } from '../support/temporal';

// The upgrade procedure of docs/operations.md ("Build, image and upgrades"), on a real server: workers are versions of a worker
// deployment; a deploy adds the new version's workers, makes it current, then drains the old ones. Workflows are
// AUTO_UPGRADE: a batch waiting for weeks moves to the current version at its next task.
const stack = await cutoverStack();
const deploymentName = uniqueId('ecp-cutover');
const temporal = findBinary('temporal', 'TEMPORAL_BIN');

async function setCurrent(buildId: string) {
  // The version exists once its workers have polled: try for a while.
  for (let attempt = 0; ; attempt++) {
    try {
      await promisify(execFile)(temporal, [
        'worker',
        'deployment',
        'set-current-version',
        '--deployment-name',
        deploymentName,
        '--build-id',
        buildId,
        '--address',
        stack.address,
        '--yes',
      ]);
      return;
    } catch (err) {
      if (attempt > 40) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function versionOf(workflowId: string) {
  const raw = (await stack.client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo
    ?.versioningInfo;
  return { buildId: raw?.deploymentVersion?.buildId ?? null, behavior: raw?.behavior ?? null };
}

describe('Worker Versioning: a deploy meets a batch in flight', () => {
  it('a batch planned on version 1 and approved after version 2 became current is handled by version 2', async () => {
    const v1 = await stack.worker({ deploymentName, buildId: 'v1' });
    const v1Running = v1.run();
    await setCurrent('v1');
    const id = uniqueId('VER').replace('-', '');
    await planBatch(stack.app, alice, { id, name: 'versioned', at: '2031-03-10 08:00', folders: ['SMMRPT'] });
    const workflowId = batchWorkflowId(id);
    expect(await versionOf(workflowId)).toMatchObject({ buildId: 'v1' });

    // The deploy: version 2's workers start, version 2 becomes current, version 1's workers drain and stop.
    const v2 = await stack.worker({ deploymentName, buildId: 'v2' });
    const v2Running = v2.run();
    try {
      await setCurrent('v2');
      v1.shutdown();
      await v1Running;
      // Only version 2 runs now: the approval (an Update) is handled, and the batch is on version 2.
      const approved = await approveBatch(stack.app, bob, id);
      expect(approved.status).toBe('approved');
      expect(await versionOf(workflowId)).toEqual({ buildId: 'v2', behavior: expect.anything() });
      await abortBatch(stack.app, alice, id, 'end of the versioning test');
    } finally {
      v2.shutdown();
      await v2Running;
    }
  });
});
