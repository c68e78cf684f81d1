import { describe, expect, it } from 'vitest';
import { timelineSvg } from '../../console/report-page';
import { freezeStats, reportCsv, type ReportFacts, type ReportFolder } from '../../domain/report';

const folder = (
  code: string,
  freezeWindowMs: number | null,
  status: ReportFolder['status'] = 'live',
): ReportFolder => ({
  code,
  nameEn: `${code} name`,
  nameZh: `${code} 名稱`,
  status,
  failure: status === 'failed' ? 'enable: 503' : null,
  startedAt: '2022-06-06T00:00:00.000Z',
  freezeStartedAt: freezeWindowMs === null ? null : '2022-06-06T00:00:01.000Z',
  endedAt: freezeWindowMs === null ? null : '2022-06-06T00:00:02.000Z',
  freezeWindowMs,
});

describe('a batch report', () => {
  it('freeze windows: median, p99, max and a histogram over the folders that had one', () => {
    const s = freezeStats([
      folder('A', 120),
      folder('B', 300),
      folder('C', 80),
      folder('D', null, 'aborted'),
      folder('E', 4000),
    ]);
    expect(s).toMatchObject({ count: 4, medianMs: 120, p99Ms: 4000, maxMs: 4000 });
    expect(s.histogram).toEqual([
      { upToMs: 100, count: 1 },
      { upToMs: 250, count: 1 },
      { upToMs: 500, count: 1 },
      { upToMs: 1000, count: 0 },
      { upToMs: 2000, count: 0 },
      { upToMs: 5000, count: 1 },
      { upToMs: null, count: 0 },
    ]);
    expect(freezeStats([])).toMatchObject({ count: 0, medianMs: null, p99Ms: null, maxMs: null });
  });

  it('the timeline: one bar per folder that moved or was put back, failures red and crossed; none for a folder never started', () => {
    const svg = String(
      timelineSvg([folder('SD1', 200), folder('SD2', 300, 'failed'), folder('SD3', null, 'aborted')]),
    );
    expect(svg.match(/<g class="bar"/g)).toHaveLength(2);
    expect(svg).toMatch(/data-folder="SD2" data-outcome="failed">[\s\S]*fill="#b3261e"[\s\S]*✕ failed/);
    expect(svg).toMatch(/role="img" aria-labelledby="tl-title tl-desc"/);
    // A folder code is text, escaped.
    expect(String(timelineSvg([folder('<x>', 10)]))).toContain('&lt;x&gt;');
  });

  it('the CSV: one row per folder with what the database holds, quoted where it must be, no formula for a spreadsheet', () => {
    const facts = {
      batch: { id: 'B1' },
      folders: [
        folder('SD1', 200),
        { ...folder('SD2', 300, 'failed'), failure: '=HYPERLINK("x"), "quoted"' },
      ],
      notices: [{ kind: 'batch_outcome', queued: 0, sent: 3, failed: 1, withdrawn: 0, resent: 1 }],
    } as unknown as ReportFacts;
    const lines = reportCsv(facts).split('\r\n');
    expect(lines[1]).toBe(
      'folder,B1,SD1,live,moved: live on ECP 2.0,已轉移：於 e 通訊 2.0 使用,2022-06-06T00:00:00.000Z,2022-06-06T00:00:01.000Z,2022-06-06T00:00:02.000Z,200,',
    );
    expect(lines[2]).toMatch(/,300,"'=HYPERLINK\(""x""\), ""quoted"""$/);
    expect(lines[4]).toBe('notices,B1,batch_outcome,0,3,1,0,1,,,');
  });
});
