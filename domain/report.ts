import { percentileOf } from './stats';

/**
 * The report of a batch (or of a rehearsal of one) as the platform team hands it to management and the
 * regulator: who planned and approved what and when, each folder's move on a timeline, the freeze windows,
 * readiness at the instant, the notices, drift, and each folder's outcome in both languages. Pure: the
 * facts come from the database (stores/report-store.ts); the console, the CLI's HTML file and its CSV are
 * rendered from the same facts by report-render.ts.
 */
export type FolderOutcomeStatus =
  'pending' | 'running' | 'live' | 'failed' | 'skipped' | 'aborted' | 'refused';

export interface ReportFolder {
  code: string;
  nameEn: string;
  nameZh: string;
  status: FolderOutcomeStatus;
  failure: string | null;
  /** The move's run: started, frozen (intake stopped on the source), ended (live, or compensated). */
  startedAt: string | null;
  freezeStartedAt: string | null;
  endedAt: string | null;
  freezeWindowMs: number | null;
}

export interface ReportFacts {
  kind: 'batch' | 'rehearsal';
  /** The batch, or the batch a rehearsal rehearsed (its plan as rehearsed). */
  batch: {
    id: string;
    name: string;
    status: string;
    reason: string | null;
    plannedAt: string;
    requestedBy: string;
    approvedBy: string | null;
    failurePolicy: string;
    concurrency: number;
    startedAt: string | null;
    finishedAt: string | null;
  };
  /** For a rehearsal: which one, who ran it, against which environment. */
  rehearsal?: {
    id: string;
    requestedBy: string;
    environment: string;
    startedAt: string;
    finishedAt: string | null;
    outcome: string;
  };
  /** The decisions and states, in order: planned, approved, rescheduled, announced, started, paused, finished. */
  timeline: { at: string; actor: string; what: string; reason: string | null }[];
  folders: ReportFolder[];
  retires: { code: string; nameEn: string; nameZh: string; status: string; failure: string | null }[];
  /** Readiness as the batch (or rehearsal) read it, and when; null if it was never read. */
  readiness: { at: string; affected: number; notReady: number; source: string; when: string } | null;
  /** Per notice kind: queued (never sent yet), sent, failed for good, withdrawn, and sent after more than one attempt. */
  notices: {
    kind: string;
    queued: number;
    sent: number;
    failed: number;
    withdrawn: number;
    resent: number;
  }[];
  /** Drift the reconciler found on the batch's folders from its start on. */
  drift: { folder: string; kind: string; detectedAt: string; resolvedAt: string | null }[];
  generatedAt: string;
}

export interface FreezeStats {
  count: number;
  medianMs: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Bins of the freeze windows (upper bound in ms, inclusive; the last is open). */
  histogram: { upToMs: number | null; count: number }[];
}

const BINS = [100, 250, 500, 1000, 2000, 5000];

/** The freeze windows of the folders that have one: median, p99, max, and a small histogram. */
export function freezeStats(folders: readonly ReportFolder[]): FreezeStats {
  const windows = folders
    .map((f) => f.freezeWindowMs)
    .filter((w): w is number => w !== null)
    .sort((a, b) => a - b);
  const histogram = [
    ...BINS.map((upToMs) => ({ upToMs: upToMs as number | null, count: 0 })),
    { upToMs: null, count: 0 },
  ];
  for (const w of windows)
    histogram[BINS.findIndex((b) => w <= b) === -1 ? BINS.length : BINS.findIndex((b) => w <= b)].count++;
  return {
    count: windows.length,
    medianMs: percentileOf(windows, 50),
    p99Ms: percentileOf(windows, 99),
    maxMs: windows.length ? windows[windows.length - 1] : null,
    histogram,
  };
}

/** How each folder ended, in words a reader of either language takes in (the report's outcome column). */
export const OUTCOME_WORDS: Record<FolderOutcomeStatus, { en: string; zh: string }> = {
  pending: { en: 'not started', zh: '尚未開始' },
  running: { en: 'moving', zh: '轉移中' },
  live: { en: 'moved: live on ECP 2.0', zh: '已轉移：於 e 通訊 2.0 使用' },
  failed: {
    en: 'not moved: a step failed, put back on the current ECP',
    zh: '並未轉移：步驟失敗，已復原至現有 e 通訊',
  },
  skipped: { en: 'not moved: skipped after a failure (halt)', zh: '並未轉移：因失敗而略過（停止政策）' },
  aborted: { en: 'not moved: the batch was stopped first', zh: '並未轉移：批次已先被中止' },
  refused: { en: 'not moved: refused before it began', zh: '並未轉移：開始前已被拒絕' },
};

/** The report's CSV: one row per folder (what the database holds for it), then one per notice kind. */
export function reportCsv(r: ReportFacts): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    // Quoted when it must be; a leading =, +, - or @ is kept from being read as a formula by a spreadsheet.
    const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const line = (cells: unknown[]) => cells.map(cell).join(',');
  return (
    [
      line([
        'record',
        'batch',
        'folder',
        'outcome',
        'outcome_en',
        'outcome_zh',
        'started_at',
        'freeze_started_at',
        'ended_at',
        'freeze_window_ms',
        'failure',
      ]),
      ...r.folders.map((f) =>
        line([
          'folder',
          r.batch.id,
          f.code,
          f.status,
          OUTCOME_WORDS[f.status].en,
          OUTCOME_WORDS[f.status].zh,
          f.startedAt,
          f.freezeStartedAt,
          f.endedAt,
          f.freezeWindowMs,
          f.failure,
        ]),
      ),
      line(['record', 'batch', 'notice_kind', 'queued', 'sent', 'failed', 'withdrawn', 'resent', '', '', '']),
      ...r.notices.map((n) =>
        line(['notices', r.batch.id, n.kind, n.queued, n.sent, n.failed, n.withdrawn, n.resent, '', '', '']),
      ),
    ].join('\r\n') + '\r\n'
  );
}
