import { parseCsv } from './csv';
import { InputError } from './errors';
import type { Placement } from './placement';

/** One folder of the catalog (db/catalog/folders.csv), as the seed loads it. */
export interface FolderSpec {
  code: string;
  nameEn: string;
  nameZh: string;
  market: string;
  hkexEntity: string;
  direction: 'submit' | 'download' | 'both';
  userTypes: string[];
  /** The Client Connect function that grants the folder on ECP 2.0; null where none applies. */
  ccFunction: string | null;
  filenamePattern: string;
  inputDateMeaning: string;
  sftp: boolean;
  provenance: string;
  /** Where the folder starts; `proposedBatch` is only a hint for planners (B1..B5). */
  placement: Extract<Placement, 'legacy' | 'retired' | 'new_on_2_0'>;
  proposedBatch: string | null;
  /** The date (YYYY-MM-DD) of its batch in the 2022 plan, or of its retirement; null when the catalog gives none. */
  batchDate: string | null;
}

const REQUIRED = [
  'folder_code',
  'folder_name',
  'folder_name_zh',
  'market',
  'user_types',
  'cc_function',
  'proposed_batch',
];

/**
 * Reads the catalog. Rows marked `NONE` are not ECP folders at all (an eService, a download site, a separate
 * SFTP platform): they are skipped, and reported in `skipped` so the seed can say so.
 */
export function parseCatalog(text: string): { folders: FolderSpec[]; skipped: string[] } {
  const { header, rows } = parseCsv(text);
  const missing = REQUIRED.filter((h) => !header.includes(h));
  if (missing.length > 0) {
    throw new InputError(
      `catalog header lacks ${missing.join(', ')}: use the columns of db/catalog/folders.csv`,
    );
  }
  const folders: FolderSpec[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const { line, values: v } of rows) {
    const code = v.folder_code.trim();
    if (!/^[A-Z0-9-]{2,16}$/.test(code))
      throw new InputError(`catalog line ${line}: bad folder code '${code}'`);
    if (seen.has(code)) throw new InputError(`catalog line ${line}: folder ${code} appears twice`);
    seen.add(code);
    const batch = v.proposed_batch.trim();
    const placement = initialPlacement(batch);
    if (placement === null) {
      skipped.push(code);
      continue;
    }
    const fn = v.cc_function.trim();
    folders.push({
      code,
      nameEn: v.folder_name.trim(),
      nameZh: v.folder_name_zh.trim(),
      market: v.market.trim(),
      hkexEntity: (v.hkex_entity ?? '').trim(),
      direction: parseDirection(v.direction, line),
      userTypes: splitList(v.user_types),
      ccFunction: /^EU_[A-Z0-9_]+$/.test(fn) ? fn : null,
      filenamePattern: (v.filename_pattern ?? '').trim(),
      inputDateMeaning: (v.input_date_meaning ?? '').trim(),
      sftp: (v.sftp ?? '').trim().startsWith('Y'),
      provenance: (v.provenance ?? '').trim(),
      placement,
      proposedBatch: /^B\d+$/.test(batch) ? batch : null,
      batchDate: /^\d{4}-\d{2}-\d{2}$/.test((v.batch_date ?? '').trim()) ? v.batch_date.trim() : null,
    });
  }
  return { folders, skipped };
}

function initialPlacement(batch: string): FolderSpec['placement'] | null {
  if (/^B\d+$/.test(batch)) return 'legacy';
  if (batch === 'RETIRED') return 'retired';
  if (batch === 'NEW' || batch === 'POST') return 'new_on_2_0';
  return null;
}

function parseDirection(raw: string | undefined, line: number): FolderSpec['direction'] {
  const d = (raw ?? 'submit').trim();
  if (d === 'submit' || d === 'download' || d === 'both') return d;
  throw new InputError(`catalog line ${line}: direction must be submit, download or both, not '${d}'`);
}

export function splitList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
