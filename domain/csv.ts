/**
 * A small RFC 4180 CSV reader: quoted fields, doubled quotes, commas and newlines inside quotes, CRLF.
 * Returns rows with their 1-based line number so that validation can point at the line.
 */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

export function parseCsv(text: string): { header: string[]; rows: CsvRow[] } {
  const records = splitRecords(text.replace(/^\uFEFF/, ''));
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

function splitRecords(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
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
