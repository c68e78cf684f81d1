import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { cutoverWorkflowId } from '../domain/workflow-ids';

/**
 * Where each folder's time goes, read from the workflow histories' event timestamps (the server's clock) and the
 * local-activity markers' own times (the worker's clock, same host): the batch's history for the child's start
 * and for what the batch does once the child is done, each `cutover-<batch>-<folder>` history for the rest.
 * Every step is a span between two instants; a table gives each step's median and p95 over the folders, and
 * an SVG draws the first folders as rows of segments (bench/run.ts `--waterfall`, BENCHMARKS.md).
 */
// A CommonJS module: its namespace comes through the default import under ESM.
const E = proto.temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;

export type Kind = 'handoff' | 'wait' | 'task' | 'local' | 'activity';
export interface Segment {
  step: string;
  kind: Kind;
  from: number;
  to: number;
}
export interface FolderTimeline {
  folder: string;
  /** Every step, as spans (absolute epoch ms). Local activities lie inside their workflow task's span. */
  segments: Segment[];
  /** Workflow tasks, activity tasks (server round trips) and local activities of the child, and its history's events. */
  workflowTasks: number;
  activityTasks: number;
  localActivities: number;
  events: number;
  /** The platforms' freeze window as the history sees it: the freeze step scheduled → the enable step done. */
  freezeWindowMs: number | null;
}
export interface StepStats {
  step: string;
  kind: Kind;
  n: number;
  medianMs: number;
  p95Ms: number;
}
export interface Waterfall {
  batchId: string;
  folders: number;
  /** First child start initiated → last child's completion recorded by the batch. */
  folderPhaseMs: number;
  steps: StepStats[];
  perFolder: {
    workflowTasks: number;
    activityTasks: number;
    localActivities: number;
    events: number;
    /** The batch's workflow tasks and events while its folders ran, divided by the folders. */
    batchWorkflowTasks: number;
    batchEvents: number;
    /** Workflow tasks and activity tasks, the child's and its share of the batch's: each is a poll and a completion through the server. */
    roundTrips: number;
  };
  timelines: FolderTimeline[];
}

const ms = (t: Event['eventTime']) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);
const tsMs = (t: { seconds: number; nanos: number } | null | undefined) =>
  t ? t.seconds * 1000 + t.nanos / 1e6 : NaN;

/** The core SDK's local-activity marker data (coresdk.external_data.LocalActivityMarkerData, as JSON). */
interface MarkerData {
  activity_type: string;
  attempt: number;
  complete_time: { seconds: number; nanos: number } | null;
  original_schedule_time: { seconds: number; nanos: number } | null;
}
export function markerData(e: Event): MarkerData | null {
  const a = e.markerRecordedEventAttributes;
  if (a?.markerName !== 'core_local_activity') return null;
  const bytes = a.details?.data?.payloads?.[0]?.data;
  return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as MarkerData) : null;
}

/** The steps of one folder's child workflow, from its history. */
export function childTimeline(
  folder: string,
  events: Event[],
  stepDone: Map<string, number>,
): FolderTimeline {
  const segments: Segment[] = [];
  let localInTask = 0;
  let startedAt = NaN;
  let task = 0;
  let taskScheduled = NaN;
  let taskStarted = NaN;
  let lastTaskCompleted = NaN;
  let activityTasks = 0;
  let localActivities = 0;
  let freezeFrom: number | null = null;
  let freezeTo: number | null = null;
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  // Markers follow their task's completion in the history: the task's time outside them is known at the next task or the end.
  let pendingOutside: { step: string; at: number; from: number } | null = null;
  let locals: { from: number; to: number }[] = []; // the current task's local activities
  const flushOutside = () => {
    if (pendingOutside) {
      const { step, at, from } = pendingOutside;
      segments.push({ step, kind: 'task', from, to: Math.max(from, at - localInTask) });
      // Where that time lies: before the first local activity, between them (a sum), after the last.
      if (locals.length) {
        const prefix = step.replace('outside local activities', '');
        const between = locals.slice(1).reduce((s, l, i) => s + Math.max(0, l.from - locals[i].to), 0);
        segments.push(
          { step: `${prefix}started → first local scheduled`, kind: 'wait', from, to: locals[0].from },
          { step: `${prefix}between local activities (sum)`, kind: 'task', from: 0, to: between },
          {
            step: `${prefix}last local done → completed`,
            kind: 'task',
            from: Math.min(at, locals[locals.length - 1].to),
            to: at,
          },
        );
      }
    }
    pendingOutside = null;
    localInTask = 0;
    locals = [];
  };
  for (const e of events) {
    const at = ms(e.eventTime);
    switch (e.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        startedAt = at;
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        taskScheduled = at;
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        flushOutside();
        task++;
        // The first task waits from the child's start (its task is scheduled with it); later ones from their scheduling.
        segments.push({
          step: task === 1 ? 'child running → task 1 started' : `task ${task}: scheduled → started`,
          kind: 'wait',
          from: task === 1 ? startedAt : taskScheduled,
          to: at,
        });
        taskStarted = at;
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      case E.EVENT_TYPE_WORKFLOW_TASK_FAILED:
      case E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        segments.push({ step: `task ${task}: started → completed`, kind: 'task', from: taskStarted, to: at });
        // What the task spent outside its local activities: the worker between steps (activations) and completing it.
        pendingOutside = { step: `task ${task}: outside local activities`, at, from: taskStarted };
        lastTaskCompleted = at;
        break;
      case E.EVENT_TYPE_MARKER_RECORDED: {
        const m = markerData(e);
        if (!m) break;
        localActivities++;
        // original_schedule_time is the wall clock when the workflow scheduled it. complete_time is core's
        // "perceived" time (the task's start plus a run time, the same on replay), not the wall clock: the end is
        // the step's own row in the project's event log when there is one (written as the step finishes), and never
        // later than the marker itself (a drain that left files pending: its row comes from the drain activity).
        const from = tsMs(m.original_schedule_time);
        const to = Math.max(from, Math.min(at, stepDone.get(m.activity_type) ?? tsMs(m.complete_time)));
        segments.push({ step: `  local ${m.activity_type}`, kind: 'local', from, to });
        locals.push({ from, to });
        localInTask += to - from;
        if (m.activity_type === 'freezeSource' || m.activity_type === 'freezeAndDrain') freezeFrom = from;
        if (m.activity_type === 'enableTarget') freezeTo = to;
        // One local activity from the enable on (ONE_STEP_FROM_ENABLE): the window ends at the enable's own row.
        if (m.activity_type === 'completeMove') freezeTo = stepDone.get('enableTarget') ?? to;
        // The whole move at once (MOVE_AT_ONCE): the window runs from its begin's row to its enable's.
        if (m.activity_type === 'moveAtOnce') {
          freezeFrom = stepDone.get('beginMove') ?? from;
          freezeTo = stepDone.get('enableTarget') ?? to;
        }
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const type = e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        scheduled.set(String(e.eventId), { type, at });
        if (type === 'freezeSource') freezeFrom = at;
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const id = String(e.activityTaskStartedEventAttributes?.scheduledEventId);
        const s = scheduled.get(id);
        if (s) segments.push({ step: `${s.type}: scheduled → started`, kind: 'wait', from: s.at, to: at });
        started.set(id, at);
        activityTasks++;
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case E.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const attrs =
          e.activityTaskCompletedEventAttributes ??
          e.activityTaskFailedEventAttributes ??
          e.activityTaskTimedOutEventAttributes;
        const id = String(attrs?.scheduledEventId);
        const s = scheduled.get(id);
        if (s)
          segments.push({
            step: `${s.type}: started → closed`,
            kind: 'activity',
            from: started.get(id) ?? s.at,
            to: at,
          });
        if (s?.type === 'enableTarget') freezeTo = at;
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        flushOutside();
        segments.push({
          step: 'last task completed → child closed',
          kind: 'wait',
          from: lastTaskCompleted,
          to: at,
        });
        break;
    }
  }
  return {
    folder,
    segments,
    workflowTasks: task,
    activityTasks,
    localActivities,
    events: events.length,
    freezeWindowMs: freezeFrom !== null && freezeTo !== null ? +(freezeTo - freezeFrom).toFixed(1) : null,
  };
}

/** What the batch's history says of each child: when its start was initiated, when it ran, when its end was recorded, and what the batch did next. */
function parentSteps(events: Event[]) {
  const byInitiated = new Map<string, string>(); // initiated event id → child workflow id
  const child = new Map<
    string,
    { initiated: number; started?: number; closed?: number; nextTask?: number; nextStart?: number }
  >();
  const waitingForTask: string[] = [];
  const waitingForStart: string[] = [];
  const taskStarts: number[] = [];
  // The batch's own workflow tasks: how long each waited for the worker, and how long the worker took.
  const tasks: { scheduled: number; started?: number; completed?: number }[] = [];
  for (const e of events) {
    const at = ms(e.eventTime);
    if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) tasks.push({ scheduled: at });
    if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED && tasks.length)
      tasks[tasks.length - 1].started = at;
    if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && tasks.length)
      tasks[tasks.length - 1].completed = at;
    switch (e.eventType) {
      case E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
        const id = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? '';
        byInitiated.set(String(e.eventId), id);
        child.set(id, { initiated: at });
        for (const w of waitingForStart.splice(0)) child.get(w)!.nextStart = at;
        break;
      }
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
        const id = byInitiated.get(String(e.childWorkflowExecutionStartedEventAttributes?.initiatedEventId));
        if (id) child.get(id)!.started = at;
        break;
      }
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: {
        const attrs =
          e.childWorkflowExecutionCompletedEventAttributes ??
          e.childWorkflowExecutionFailedEventAttributes ??
          e.childWorkflowExecutionCanceledEventAttributes ??
          e.childWorkflowExecutionTerminatedEventAttributes;
        const id = byInitiated.get(String(attrs?.initiatedEventId));
        if (id) {
          child.get(id)!.closed = at;
          waitingForTask.push(id);
          waitingForStart.push(id);
        }
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        taskStarts.push(at);
        for (const w of waitingForTask.splice(0)) child.get(w)!.nextTask = at;
        break;
    }
  }
  // The folder phase, as the batch sees it: from the task that initiated the first start to the one that handled the last end.
  const firstInitiated = Math.min(...[...child.values()].map((c) => c.initiated));
  const lastClosed = Math.max(...[...child.values()].map((c) => c.closed ?? 0));
  const from = Math.max(...taskStarts.filter((t) => t <= firstInitiated));
  const to = Math.min(...taskStarts.filter((t) => t >= lastClosed));
  const tasksInPhase = taskStarts.filter((t) => t >= from && t <= to).length;
  const eventsInPhase = events.filter((e) => ms(e.eventTime) >= from && ms(e.eventTime) <= to).length;
  const inPhase = tasks.filter(
    (t) => t.started !== undefined && t.completed !== undefined && t.started >= from && t.started <= to,
  );
  const taskWaits = inPhase.map((t) => t.started! - t.scheduled);
  const taskRuns = inPhase.map((t) => t.completed! - t.started!);
  return { child, tasksInPhase, eventsInPhase, firstInitiated, lastClosed, taskWaits, taskRuns };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const r1 = (x: number) => +x.toFixed(1);

/** Reads the batch's history and every folder's, and sums up where each folder's time went. */
export async function batchWaterfall(
  client: Client,
  batchId: string,
  workflowId: string,
  folders: string[],
  stepTimes: (folder: string) => Promise<Map<string, number>> = async () => new Map(),
): Promise<Waterfall> {
  const parent = parentSteps((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
  const timelines: FolderTimeline[] = [];
  for (const folder of folders) {
    const id = cutoverWorkflowId(batchId, folder);
    const t = childTimeline(
      folder,
      (await client.workflow.getHandle(id).fetchHistory()).events ?? [],
      await stepTimes(folder),
    );
    const p = parent.child.get(id);
    const running = t.segments.find((s) => s.step === 'child running → task 1 started')?.from;
    const closed = t.segments.find((s) => s.step === 'last task completed → child closed')?.to;
    if (p && running !== undefined)
      t.segments.unshift({
        step: 'batch: start initiated → child running',
        kind: 'handoff',
        from: p.initiated,
        to: running,
      });
    if (p?.closed !== undefined && closed !== undefined) {
      t.segments.push({
        step: 'child closed → batch records it',
        kind: 'handoff',
        from: closed,
        to: p.closed,
      });
      if (p.nextTask !== undefined)
        t.segments.push({
          step: 'batch records it → batch task started',
          kind: 'handoff',
          from: p.closed,
          to: p.nextTask,
        });
      if (p.nextStart !== undefined)
        t.segments.push({
          step: 'batch records it → next child start initiated',
          kind: 'handoff',
          from: p.closed,
          to: p.nextStart,
        });
    }
    timelines.push(t);
  }
  // Steps in the order they first appear; the summaries over all folders.
  const order: string[] = [];
  const kinds = new Map<string, Kind>();
  const values = new Map<string, number[]>();
  const add = (step: string, kind: Kind, v: number) => {
    if (!values.has(step)) {
      order.push(step);
      values.set(step, []);
      kinds.set(step, kind);
    }
    values.get(step)!.push(v);
  };
  for (const t of timelines) for (const s of t.segments) add(s.step, s.kind, s.to - s.from);
  for (const t of timelines) {
    const first = t.segments[0];
    const closed = t.segments.find((s) => s.step === 'last task completed → child closed');
    if (first && closed)
      add('folder total: start initiated → child closed', 'handoff', closed.to - first.from);
    if (t.freezeWindowMs !== null)
      add('freeze window: freeze scheduled → enable done', 'local', t.freezeWindowMs);
  }
  // The batch's tasks while the folders ran (not one per folder: each handles whatever came in meanwhile).
  for (const v of parent.taskWaits) add('batch task: scheduled → started (each)', 'wait', v);
  for (const v of parent.taskRuns) add('batch task: started → completed (each)', 'task', v);
  const steps = order.map((step) => ({
    step,
    kind: kinds.get(step)!,
    n: values.get(step)!.length,
    medianMs: r1(percentile(values.get(step)!, 50)),
    p95Ms: r1(percentile(values.get(step)!, 95)),
  }));
  const n = timelines.length;
  const mean = (f: (t: FolderTimeline) => number) =>
    +(timelines.reduce((s, t) => s + f(t), 0) / n).toFixed(2);
  const workflowTasks = mean((t) => t.workflowTasks);
  const activityTasks = mean((t) => t.activityTasks);
  const batchWorkflowTasks = +(parent.tasksInPhase / n).toFixed(2);
  return {
    batchId,
    folders: n,
    folderPhaseMs: Math.round(parent.lastClosed - parent.firstInitiated),
    steps,
    perFolder: {
      workflowTasks,
      activityTasks,
      localActivities: mean((t) => t.localActivities),
      events: mean((t) => t.events),
      batchWorkflowTasks,
      batchEvents: +(parent.eventsInPhase / n).toFixed(2),
      roundTrips: +(workflowTasks + activityTasks + batchWorkflowTasks).toFixed(2),
    },
    timelines,
  };
}

/** The project's event log row each step writes as it finishes (stores/run-store.ts), by activity. */
export const STEP_EVENTS: Record<string, string> = {
  beginMove: 'cutting_over',
  freezeSource: 'frozen',
  drainSource: 'drained',
  freezeAndDrain: 'drained',
  enableTarget: 'target_enabled',
  verifyMove: 'verified',
  disableSource: 'source_disabled',
  finishMove: 'live',
  completeMove: 'live',
  moveAtOnce: 'live',
};

/** The table of steps, for the console and BENCHMARKS.md. */
export function waterfallTable(w: Waterfall): string {
  const f = w.perFolder;
  return [
    '| step | median | p95 |',
    '|---|---|---|',
    ...w.steps.map(
      (s) =>
        `| ${s.step.startsWith('  ') ? `&nbsp;&nbsp;↳ ${s.step.trim()}` : s.step} | ${s.medianMs} ms | ${s.p95Ms} ms |`,
    ),
    '',
    `Per folder: ${f.workflowTasks} workflow tasks and ${f.activityTasks} activity tasks in the folder's workflow, ${f.localActivities} local activities, ${f.events} history events; ` +
      `the batch's ${f.batchWorkflowTasks} workflow tasks and ${f.batchEvents} events per folder while the folders ran; ${f.roundTrips} server round trips (tasks polled and completed) per folder. ` +
      `Folder phase (first start initiated → last end recorded by the batch): ${(w.folderPhaseMs / 1000).toFixed(1)} s for ${w.folders} folders.`,
  ].join('\n');
}

const COLORS: Record<Kind, string> = {
  handoff: '#8e6bbf',
  wait: '#e4572e',
  task: '#d9d9d9',
  local: '#4caf50',
  activity: '#2f7fc1',
};
const LABELS: Record<Kind, string> = {
  handoff: 'batch ↔ child: start, end recorded, next task',
  wait: 'waiting in the server',
  task: 'workflow task, in the worker',
  local: 'local activity',
  activity: 'activity running',
};
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** An SVG of the first `rows` folders (by start), one row each, every step a segment, on one time axis. */
export function waterfallSvg(w: Waterfall, title: string, rows = 40): string {
  const shown = [...w.timelines]
    .sort((a, b) => (a.segments[0]?.from ?? 0) - (b.segments[0]?.from ?? 0))
    .slice(0, rows);
  const t0 = Math.min(...shown.map((t) => t.segments[0]?.from ?? Infinity));
  const t1 = Math.max(...shown.flatMap((t) => t.segments.map((s) => s.to)));
  const left = 90;
  const width = 1000;
  const rowH = 14;
  const top = 60;
  const scale = (width - left - 20) / Math.max(1, t1 - t0);
  const x = (t: number) => +(left + (t - t0) * scale).toFixed(1);
  const out: string[] = [];
  const height = top + shown.length * rowH + 40;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="10">`,
  );
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${left}" y="16" font-size="13">${esc(title)}</text>`);
  // The legend in one line, each entry as wide as its label (about 5.5 px a character at this size).
  let lx = left;
  for (const k of Object.keys(COLORS) as Kind[]) {
    out.push(
      `<rect x="${lx}" y="28" width="10" height="10" fill="${COLORS[k]}"/><text x="${lx + 14}" y="37">${esc(LABELS[k])}</text>`,
    );
    lx += 14 + LABELS[k].length * 5.5 + 16;
  }
  // A grid line every 100 ms, labelled every 500 ms.
  for (let t = 0; t <= t1 - t0; t += 100) {
    const major = t % 500 === 0;
    out.push(
      `<line x1="${x(t0 + t)}" y1="${top - 6}" x2="${x(t0 + t)}" y2="${top + shown.length * rowH}" stroke="${major ? '#bbb' : '#eee'}"/>`,
    );
    if (major)
      out.push(
        `<text x="${x(t0 + t)}" y="${top + shown.length * rowH + 12}" text-anchor="middle">${t} ms</text>`,
      );
  }
  shown.forEach((t, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${left - 4}" y="${y + 10}" text-anchor="end">${esc(t.folder)}</text>`);
    // Local activities over their workflow task: drawn last, narrower.
    for (const s of [
      ...t.segments.filter((s) => s.kind !== 'local'),
      ...t.segments.filter((s) => s.kind === 'local'),
    ]) {
      // Another folder's row starts there; and the time outside local activities is a sum, not a span.
      if (
        s.step === 'batch records it → next child start initiated' ||
        s.step.endsWith('outside local activities') ||
        s.step.endsWith('(sum)')
      )
        continue;
      const h = s.kind === 'local' ? 6 : 10;
      const w1 = Math.max(0.5, x(s.to) - x(s.from));
      out.push(
        `<rect x="${x(s.from)}" y="${y + (12 - h) / 2}" width="${w1.toFixed(1)}" height="${h}" fill="${COLORS[s.kind]}"><title>${esc(`${t.folder} ${s.step.trim()}: ${(s.to - s.from).toFixed(1)} ms`)}</title></rect>`,
      );
    }
  });
  out.push(
    `<text x="${left}" y="${height - 8}" fill="#555">time since the first folder's start was initiated; hover a segment for its step and duration</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
