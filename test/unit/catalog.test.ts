import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../domain/catalog';
import { parseCsv } from '../../domain/csv';
import { DEFAULT_CATALOG } from '../../db/seed';

const catalog = parseCatalog(fs.readFileSync(DEFAULT_CATALOG, 'utf8'));
const byCode = new Map(catalog.folders.map((f) => [f.code, f]));

describe('the folder catalog', () => {
  it('turns B1–B5 rows into legacy folders, NEW/POST into born-on-2.0, RETIRED into retired', () => {
    expect(byCode.get('SD1')).toMatchObject({
      placement: 'legacy',
      proposedBatch: 'B1',
      ccFunction: 'EU_ECPCASH',
      sftp: true,
    });
    expect(byCode.get('IDRMAP')).toMatchObject({ placement: 'new_on_2_0', proposedBatch: null });
    expect(byCode.get('NBBCAN')?.placement).toBe('new_on_2_0');
    expect(byCode.get('LEGTEST')).toMatchObject({ placement: 'retired', ccFunction: null });
  });

  it('never makes a folder of a row that is not an ECP folder (NONE)', () => {
    expect(catalog.skipped.sort()).toEqual(['OTPCOCL', 'RAPRPT', 'RPFDL']);
    expect(byCode.has('RPFDL')).toBe(false);
  });

  it('keeps list fields, Chinese names and quoted commas', () => {
    expect(byCode.get('ATTEST')?.userTypes).toEqual([
      'SEHK_EP',
      'HKFE_EP',
      'HKSCC_DCP',
      'HKSCC_GCP',
      'HKCC_CP',
      'SEOCH_CP',
    ]);
    expect(byCode.get('SD1')?.nameZh).toBe('印花稅每日申報表 (SD-1)');
    expect(byCode.get('LOPHKFE')?.inputDateMeaning).toBe(
      'Position date (after close, incl. T+1 session rule)',
    );
    expect(catalog.folders).toHaveLength(50);
  });

  it('refuses a catalog with a duplicate code or a missing column, naming the line', () => {
    const header =
      'folder_code,folder_name,folder_name_zh,market,user_types,cc_function,proposed_batch,direction';
    expect(() =>
      parseCatalog(`${header}\nSD1,a,b,Cash,SEHK_EP,EU_X,B1,submit\nSD1,a,b,Cash,SEHK_EP,EU_X,B1,submit\n`),
    ).toThrow(/line 3: folder SD1 appears twice/);
    expect(() => parseCatalog('folder_code,folder_name\nSD1,x\n')).toThrow(/lacks folder_name_zh/);
  });
});

describe('CSV reading', () => {
  it('handles quotes, doubled quotes, embedded newlines, CRLF and reports line numbers', () => {
    const { header, rows } = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\r\nlast,3');
    expect(header).toEqual(['a', 'b']);
    expect(rows.map((r) => r.values)).toEqual([
      { a: 'x, y', b: 'say "hi"' },
      { a: 'multi\nline', b: '2' },
      { a: 'last', b: '3' },
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 5]);
  });
});
