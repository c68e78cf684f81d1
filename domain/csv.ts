import { InputError } from './errors';

/**
 * A small RFC 4180 CSV reader: quoted fields, doubled quotes, commas and newlines inside quotes, CRLF.
 * Returns rows with their 1-based line number so that validation can point at the line.
 */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/** Bounds that keep a hostile file from costing more than a large honest one (InputError beyond them). */
export const CSV_LIMITS = { maxColumns: 32, maxField: 4000, maxRecords: 500_000 };

export function parseCsv(text: string, limits = CSV_LIMITS): { header: string[]; rows: CsvRow[] } {
  const records = splitRecords(text.replace(/^\uFEFF/, ''), limits);
  const first = records.shift();
  if (!first) return { header: [], rows: [] };
  const header = first.fields.map((h) => h.trim());
  const rows = records
    .filter((r) => !(r.fields.length === 1 && r.fields[0] === ''))
    .map((r) => ({
      line: r.line,
      values: Object.fromEntries(header.map((h, i) => [h, r.fields[i] ?? ''])),
    }));
  return { header, rows };
}

function splitRecords(text: string, limits: typeof CSV_LIMITS): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (field.length > limits.maxField)
      throw new InputError(`line ${recordLine}: a field is longer than ${limits.maxField} characters`);
    if (fields.length > limits.maxColumns)
      throw new InputError(`line ${recordLine}: more than ${limits.maxColumns} columns`);
    if (out.length > limits.maxRecords) throw new InputError(`more than ${limits.maxRecords} lines`);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      out.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += c;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    out.push({ line: recordLine, fields });
  }
  return out;
}
