import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { HISTORIES_DIR, workflowBundle } from '../support/temporal';

// Histories recorded from real runs (RECORD_HISTORIES=1 npm run test:integration). Replaying them against
// today's workflow code fails on any change that breaks determinism for workflows already running.
const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

describe('replay of recorded histories', () => {
  it('has histories of every workflow and outcome worth guarding', () => {
    expect(files).toEqual(expect.arrayContaining(['cutover-succeeded.json', 'cutover-compensated-at-enable.json', 'rollback-approved.json', 'rollback-rejected.json', 'batch-Rcontinue.json', 'batch-Rhalt.json', 'batch-PR.json', 'batch-P1.json', 'batch-scheduled-days-ahead.json', 'decommission-blocked-then-done.json']));
  });

  for (const file of files) {
    it(`replays ${file} without nondeterminism`, async () => {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
    });
  }
});
