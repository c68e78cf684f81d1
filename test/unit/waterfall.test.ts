import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { childTimeline } from '../../bench/waterfall';

const HISTORIES = path.join(import.meta.dirname, '..', 'fixtures', 'histories');
const timeline = (file: string) =>
  childTimeline(
    'SD1',
    historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8'))).events ?? [],
    new Map(),
  );

// The benchmark's waterfall (bench/waterfall.ts) reads recorded histories the way it reads a batch's: the counts
// it reports per folder are the history's own, and each step is a span in time.
describe('the waterfall of one folder', () => {
  it('before the drain ran in the task: two workflow tasks, the drain an activity, 17 events', () => {
    const t = timeline('cutover-succeeded.json');
    expect({
      tasks: t.workflowTasks,
      activities: t.activityTasks,
      local: t.localActivities,
      events: t.events,
    }).toEqual({ tasks: 2, activities: 1, local: 6, events: 17 });
    expect(t.segments.map((s) => s.step)).toEqual(
      expect.arrayContaining([
        'child running → task 1 started',
        'drainSource: scheduled → started',
        'drainSource: started → closed',
        'task 2: scheduled → started',
      ]),
    );
  });

  it('with the drain in the task: one workflow task, no activity, 14 events', () => {
    const t = timeline('cutover-succeeded-drained-in-task.json');
    expect({
      tasks: t.workflowTasks,
      activities: t.activityTasks,
      local: t.localActivities,
      events: t.events,
    }).toEqual({ tasks: 1, activities: 0, local: 7, events: 14 });
    expect(t.segments.some((s) => s.step.includes('drainSource: scheduled'))).toBe(false);
  });

  it('files left to the drain activity: its round trip and the second task are there', () => {
    const t = timeline('cutover-drain-handed-over-after-local.json');
    expect({ tasks: t.workflowTasks, activities: t.activityTasks }).toEqual({ tasks: 2, activities: 1 });
  });

  it('every span runs forward in time, and the freeze window is measured', () => {
    for (const file of ['cutover-succeeded.json', 'cutover-succeeded-drained-in-task.json']) {
      const t = timeline(file);
      for (const s of t.segments) expect(s.to, `${file} ${s.step}`).toBeGreaterThanOrEqual(s.from);
      expect(t.freezeWindowMs).toBeGreaterThan(0);
    }
  });
});
