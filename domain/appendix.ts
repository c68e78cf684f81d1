import { escapeHtml } from './text';

/** One row of the user guide's Appendix 7.3, the folders migrated to ECP 2.0. */
export interface AppendixRow {
  market: string;
  folder: string;
  folderZh: string;
  code: string;
  /** Hong Kong date the folder went live on ECP 2.0. */
  dateMoved: string;
  batch: string | null;
  /** submit | download | both: the appendix lists submission folders (FAQ D.29) and, apart, download folders (this tool's layout). */
  direction: string;
}

/**
 * Appendix 7.3 of the ECP 2.0 user guide, the folders migrated to ECP 2.0 (FAQ D.29): submission folders,
 * then download folders apart, in the three forms the portal and `ecp-cutover appendix` serve. The same rows
 * give the same content in each.
 */
export const APPENDIX_TITLE = 'Appendix 7.3 — Folders migrated to ECP 2.0';

/** The two parts of the appendix: folders that take submissions (submit or both), then download-only folders. */
const PARTS = [
  {
    title: 'Submission folders',
    none: 'No submission folder has moved yet.',
    has: (r: AppendixRow) => r.direction !== 'download',
  },
  {
    title: 'Download folders (download from ECP 2.0; nothing is submitted to them)',
    none: 'No download folder has moved yet.',
    has: (r: AppendixRow) => r.direction === 'download',
  },
];

function byMarket(rows: AppendixRow[]): [string, AppendixRow[]][] {
  const groups = new Map<string, AppendixRow[]>();
  for (const r of rows) groups.set(r.market, [...(groups.get(r.market) ?? []), r]);
  return [...groups.entries()];
}

export function appendixMarkdown(rows: AppendixRow[]): string {
  const out = [`# ${APPENDIX_TITLE}`, ''];
  for (const part of PARTS) {
    const mine = rows.filter(part.has);
    out.push(`## ${part.title}`, '');
    if (mine.length === 0) out.push(part.none, '');
    for (const [market, list] of byMarket(mine)) {
      out.push(`### ${market}`, '', '| Folder | Code | Date moved (HKT) | Batch |', '|---|---|---|---|');
      for (const r of list)
        out.push(`| ${r.folder.replaceAll('|', '\\|')} | ${r.code} | ${r.dateMoved} | ${r.batch ?? '-'} |`);
      out.push('');
    }
  }
  return out.join('\n');
}

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export function appendixCsv(rows: AppendixRow[]): string {
  const kind = (r: AppendixRow) => (r.direction === 'download' ? 'download' : 'submission');
  return (
    [
      'market,folder,folder_zh,code,date_moved,batch,kind',
      ...rows.map((r) =>
        [r.market, r.folder, r.folderZh, r.code, r.dateMoved, r.batch ?? '', kind(r)].map(csvCell).join(','),
      ),
    ].join('\n') + '\n'
  );
}

function marketTables(rows: AppendixRow[]): string {
  return byMarket(rows)
    .map(
      ([market, list]) => `<h3>${escapeHtml(market)}</h3>
<table><thead><tr><th>Folder</th><th>Code</th><th>Date moved (HKT)</th><th>Batch</th></tr></thead><tbody>
${list.map((r) => `<tr><td>${escapeHtml(r.folder)}<br><span lang="zh-Hant">${escapeHtml(r.folderZh)}</span></td><td>${escapeHtml(r.code)}</td><td>${r.dateMoved}</td><td>${escapeHtml(r.batch ?? '-')}</td></tr>`).join('\n')}
</tbody></table>`,
    )
    .join('\n');
}

export function appendixHtml(rows: AppendixRow[]): string {
  const sections = PARTS.map((part) => {
    const mine = rows.filter(part.has);
    return `<h2>${escapeHtml(part.title)}</h2>\n${mine.length === 0 ? `<p>${part.none}</p>` : marketTables(mine)}`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${APPENDIX_TITLE}</title><style>body{font-family:system-ui,sans-serif;margin:1rem;max-width:60rem}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}</style></head>
<body><h1>${APPENDIX_TITLE}</h1>${sections.join('\n')}
<p><a href="/appendix/7.3.md">Markdown</a> · <a href="/appendix/7.3.csv">CSV</a> · <a href="/">Which folders are on ECP 2.0?</a></p></body></html>
`;
}
