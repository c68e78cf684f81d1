import { describe, expect, it } from 'vitest';
import { checkFunction, checkInputDate, checkIntakeOpen, isIsoDate } from '../../domain/intake-rules';

describe('Input Date against the date in the filename (FAQ C.23–C.24)', () => {
  it('accepts the FAQ example and refuses a day off with error 4505', () => {
    expect(checkInputDate('SD_{PID5}_{YYYYMMDD}.csv', 'SD_09999_20220512.csv', '2022-05-12')).toBeNull();
    expect(checkInputDate('SD_{PID5}_{YYYYMMDD}.csv', 'SD_09999_20220512.csv', '2022-05-13')).toMatchObject({ code: '4505', status: 422 });
  });
  it('compares to the precision of the pattern: a month, a year', () => {
    expect(checkInputDate('SMM_{PID5}_{YYYYMM}.xlsx', 'SMM_09999_202206.xlsx', '2022-06-30')).toBeNull();
    expect(checkInputDate('SMM_{PID5}_{YYYYMM}.xlsx', 'SMM_09999_202206.xlsx', '2022-07-01')?.code).toBe('4505');
    expect(checkInputDate('ATQ_{PID5}_{YYYY}.pdf', 'ATQ_09999_2022.pdf', '2022-12-31')).toBeNull();
  });
  it('refuses a filename without a date when the pattern has one, and ignores patterns without one', () => {
    expect(checkInputDate('SD_{PID5}_{YYYYMMDD}.csv', 'SD_09999.csv', '2022-05-12')?.message).toMatch(/carries no date/);
    expect(checkInputDate('ACK_{PID5}_{CIRCREF}.pdf', 'ACK_09999_CT08022.pdf', '2022-05-12')).toBeNull();
  });
});

describe('where a folder is open (FAQ D.27, I1)', () => {
  it('names the other platform when a folder is closed or frozen', () => {
    expect(checkIntakeOpen('legacy', 'SD1', 'open')).toBeNull();
    expect(checkIntakeOpen('legacy', 'SD1', 'closed')).toMatchObject({ code: '3001', message: expect.stringMatching(/submit it on ECP 2\.0/) });
    expect(checkIntakeOpen('ecp2', 'SD1', undefined)).toMatchObject({ code: '3001', message: expect.stringMatching(/submit it on legacy ECP/) });
    expect(checkIntakeOpen('legacy', 'SD1', 'frozen')).toMatchObject({ code: '3002', message: expect.stringMatching(/nothing was stored/) });
  });
});

describe('ECP 2.0 functions (FAQ B.5–B.7)', () => {
  it('needs the folder function; EU_ECPSFTP alone does not open the web intake', () => {
    expect(checkFunction('EU_ECPCASH', ['EU_ECPCASH'])).toBeNull();
    expect(checkFunction('EU_ECPCASH', ['EU_ECPSFTP'])?.code).toBe('2000');
    expect(checkFunction('EU_ECPCASH', [])?.code).toBe('2000');
  });
});

it('knows a real calendar date', () => {
  expect(isIsoDate('2022-02-28')).toBe(true);
  expect(isIsoDate('2022-02-30')).toBe(false);
  expect(isIsoDate('20220228')).toBe(false);
});
