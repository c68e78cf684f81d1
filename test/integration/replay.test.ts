import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { HISTORIES_DIR, workflowBundle } from '../support/temporal';

// Histories recorded from real runs (npm run test:record-histories). Replaying them against today's workflow
// code fails on any change that breaks determinism for workflows already running: such a change ships with
// `patched()` (workflows/patches.ts), never with a re-recording. `v1/` holds the histories recorded before the
// lifecycle-machine patch; they replay through the frozen version-1 code and are never re-recorded.
const files = ['', 'v1'].flatMap((dir) =>
  fs
    .readdirSync(path.join(HISTORIES_DIR, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f)),
);

describe('replay of recorded histories', () => {
  it('has histories of every workflow and outcome worth guarding, before and after the lifecycle machines', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'v1/cutover-succeeded.json',
        'v1/rollback-approved.json',
        'v1/rollback-rejected.json',
        'v1/batch-Rcontinue.json',
        'v1/batch-PR.json',
        'v1/batch-scheduled-days-ahead.json',
        'v1/decommission-blocked-then-done.json',
        'cutover-succeeded.json',
        'cutover-compensated-at-enable.json',
        'rollback-approved.json',
        'rollback-rejected.json',
        'batch-Rcontinue.json',
        'batch-Rhalt.json',
        'batch-PR.json',
        'batch-P1.json',
        'batch-scheduled-days-ahead.json',
        'decommission-blocked-then-done.json',
        'batch-RJ.json',
        'batch-aborted-while-blocked-on-readiness.json',
        'batch-rescheduled-after-announcement.json',
        'batch-aborted-while-starting.json',
        'batch-cancelled-through-temporal.json',
        'batch-outcome-some-not-moved.json',
        'batch-aborted-reason-refused-by-database.json',
        'cutover-succeeded-drained-in-task.json',
        'cutover-compensated-at-local-drain.json',
        'cutover-drain-handed-over-after-local.json',
        'cutover-succeeded-in-one-step-from-enable.json',
        'cutover-compensated-at-verify-in-one-step-from-enable.json',
        'cutover-ack-lost-in-one-step-from-enable.json',
        'cutover-cancelled-mid-enable.json',
        'cutover-cancelled-mid-disable-the-source.json',
        'cutover-cancelled-mid-enable-then-compensated.json',
        'cutover-cancelled-during-a-long-complete-move.json',
        'cutover-succeeded-freeze-and-drain-as-one.json',
        'cutover-compensated-at-freeze-freeze-and-drain-as-one.json',
        'cutover-compensated-at-drain-freeze-and-drain-as-one.json',
        'cutover-compensated-at-enable-freeze-and-drain-as-one.json',
        'cutover-compensated-at-verify-freeze-and-drain-as-one.json',
        'cutover-compensated-at-disable-the-source-freeze-and-drain-as-one.json',
        'cutover-ack-lost-freeze-and-drain-as-one.json',
        'cutover-drain-handed-over-freeze-and-drain-as-one.json',
        'cutover-hand-over-failed-freeze-and-drain-as-one.json',
        // The whole move as one local activity (MOVE_AT_ONCE), its outcomes and where it stops.
        'cutover-succeeded-move-at-once.json',
        'cutover-compensated-at-freeze-move-at-once.json',
        'cutover-compensated-at-drain-move-at-once.json',
        'cutover-compensated-at-enable-move-at-once.json',
        'cutover-compensated-at-verify-move-at-once.json',
        'cutover-compensated-at-disable-the-source-move-at-once.json',
        'cutover-verification-failed-move-at-once.json',
        'cutover-ack-lost-move-at-once.json',
        'cutover-drain-handed-over-move-at-once.json',
        'cutover-hand-over-failed-move-at-once.json',
        'cutover-cancelled-mid-enable-move-at-once.json',
        'cutover-cancelled-mid-disable-the-source-move-at-once.json',
        'cutover-cancelled-mid-enable-then-compensated-move-at-once.json',
        'cutover-cancelled-during-a-long-move-at-once.json',
      ]),
    );
  });

  for (const file of files) {
    it(`replays ${file} without nondeterminism`, async () => {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
    });
  }
});
