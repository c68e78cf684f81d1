import { describe, expect, it } from 'vitest';
import {
  checkAccess,
  checkDirection,
  checkDoor,
  checkFolderShown,
  checkInputDate,
  checkIntakeOpen,
  checkMembership,
  checkOnPlatform,
  inputDateFromFilename,
  isIsoDate,
} from '../../domain/intake-rules';

const SD1 = {
  pattern: 'SD_{PID5}_{YYYYMMDD}.csv',
  meaning: 'Trade date (T); must equal date in filename else error 4505',
};

describe('platform intake rules (FAQ)', () => {
  it('C.23–C.24: the Input Date must be the date in the filename, to the pattern’s precision, or 4505', () => {
    expect(checkInputDate(SD1, 'SD_09999_20220512.csv', '2022-05-12')).toBeNull();
    expect(checkInputDate(SD1, 'SD_09999_20220512.csv', '2022-05-13')).toMatchObject({
      code: '4505',
      status: 422,
      message: expect.stringMatching(/choose as Input Date the file's Trade date/),
    });
    const monthly = { pattern: 'SMM_{PID5}_{YYYYMM}.xlsx', meaning: 'Month-end' };
    expect(checkInputDate(monthly, 'SMM_09999_202206.xlsx', '2022-06-30')).toBeNull();
    expect(checkInputDate(monthly, 'SMM_09999_202206.xlsx', '2022-07-01')?.code).toBe('4505');
    expect(
      checkInputDate(
        { pattern: 'ATQ_{PID5}_{YYYY}.pdf', meaning: 'Financial year-end' },
        'ATQ_09999_2022.pdf',
        '2022-12-31',
      ),
    ).toBeNull();
  });

  it("monthly and annual Input Dates follow the catalog's meaning: a month-end is the month's last day, a year-end a month's last day in that year", () => {
    const monthEnd = { pattern: 'SDJ_{PID5}_{YYYYMM}.csv', meaning: 'Month-end of reporting month' };
    expect(checkInputDate(monthEnd, 'SDJ_09999_202205.csv', '2022-05-31')).toBeNull();
    expect(checkInputDate(monthEnd, 'SDJ_09999_202205.csv', '2022-05-15')).toMatchObject({
      code: '4505',
      message: expect.stringContaining(
        'choose as Input Date 2022-05-31 (Month-end of reporting month: the last day of the month)',
      ),
    });
    expect(checkInputDate(monthEnd, 'SDJ_09999_202402.csv', '2024-02-29')).toBeNull(); // a leap year's February
    expect(checkInputDate(monthEnd, 'SDJ_09999_202302.csv', '2023-02-28')).toBeNull();
    // A monthly folder whose date is not a month-end: any day of the month.
    expect(
      checkInputDate(
        { pattern: 'X_{PID5}_{YYYYMM}.csv', meaning: 'Reporting month' },
        'X_09999_202205.csv',
        '2022-05-15',
      ),
    ).toBeNull();
    const yearEnd = { pattern: 'HSAA_{PID5}_{YYYY}.pdf', meaning: 'Financial year-end' };
    expect(checkInputDate(yearEnd, 'HSAA_09999_2022.pdf', '2022-03-31')).toBeNull(); // a financial year ending in March
    expect(checkInputDate(yearEnd, 'HSAA_09999_2022.pdf', '2022-03-15')).toMatchObject({
      code: '4505',
      message: expect.stringContaining(
        "the last day of the month in which the file's financial year-end falls, in 2022",
      ),
    });
    expect(checkInputDate(yearEnd, 'HSAA_09999_2022.pdf', '2021-12-31')?.code).toBe('4505');
    expect(
      checkInputDate(
        { pattern: 'ATQ_{PID5}_{YYYY}.pdf', meaning: 'Attestation period end' },
        'ATQ_09999_2022.pdf',
        '2022-06-30',
      ),
    ).toBeNull();
  });

  it('SFTP reads the Input Date from the filename: the day, or the end of the month or year it names; today without a date', () => {
    const today = '2022-08-08';
    expect(inputDateFromFilename(SD1, 'SD_09999_20220512.csv', today)).toEqual({ inputDate: '2022-05-12' });
    expect(
      inputDateFromFilename(
        { pattern: 'SDJ_{PID5}_{YYYYMM}.csv', meaning: 'Month-end of reporting month' },
        'SDJ_09999_202202.csv',
        today,
      ),
    ).toEqual({ inputDate: '2022-02-28' });
    expect(
      inputDateFromFilename(
        { pattern: 'HSAA_{PID5}_{YYYY}.pdf', meaning: 'Financial year-end' },
        'HSAA_09999_2021.pdf',
        today,
      ),
    ).toEqual({ inputDate: '2021-12-31' });
    expect(
      inputDateFromFilename(
        { pattern: 'ACK_{PID5}_{CIRCREF}.pdf', meaning: 'Circular issue date' },
        'ACK_09999_CT08022.pdf',
        today,
      ),
    ).toEqual({ inputDate: today });
    expect(inputDateFromFilename(SD1, 'SD_09999_final.csv', today)).toMatchObject({
      refusal: { code: '4506' },
    });
    expect(inputDateFromFilename(SD1, 'SD_09999_20220230.csv', today)).toMatchObject({
      refusal: {
        code: '4505',
        message: expect.stringMatching(
          /20220230 in the filename SD_09999_20220230\.csv is not a calendar date/,
        ),
      },
    });
    // What SFTP reads passes the web's check, for every pattern of the catalog's kinds.
    for (const [folder, name] of [
      [SD1, 'SD_09999_20220512.csv'],
      [{ pattern: 'SDJ_{PID5}_{YYYYMM}.csv', meaning: 'Month-end' }, 'SDJ_09999_202212.csv'],
      [{ pattern: 'HSAA_{PID5}_{YYYY}.pdf', meaning: 'Financial year-end' }, 'HSAA_09999_2022.pdf'],
    ] as const) {
      const read = inputDateFromFilename(folder, name, today);
      expect('inputDate' in read && checkInputDate(folder, name, read.inputDate)).toBeNull();
    }
  });

  it('a filename without a date is not a 4505 but a 4506; a pattern without a date, or a folder whose Input Date means nothing, is not checked', () => {
    expect(checkInputDate(SD1, 'SD_09999.csv', '2022-05-12')).toMatchObject({
      code: '4506',
      message: expect.stringMatching(/carries no date/),
    });
    expect(
      checkInputDate(
        { pattern: 'ACK_{PID5}_{CIRCREF}.pdf', meaning: 'Letter date' },
        'ACK_09999_CT08022.pdf',
        '2022-05-12',
      ),
    ).toBeNull();
    expect(
      checkInputDate(
        { pattern: 'TEST_{PID5}_{YYYYMMDD}.txt', meaning: 'None' },
        'TEST_09999_20220601.txt',
        '2022-06-30',
      ),
    ).toBeNull();
  });

  it('D.27: a closed folder names the platform to use; a frozen one says to try again; a retired one never sends anyone to ECP 2.0', () => {
    expect(checkIntakeOpen('legacy', 'SD1', 'open')).toBeNull();
    expect(checkIntakeOpen('legacy', 'SD1', 'closed')).toMatchObject({
      code: '3001',
      message: expect.stringMatching(/submit it on ECP 2\.0/),
    });
    expect(checkIntakeOpen('ecp2', 'SD1', undefined)).toMatchObject({
      code: '3001',
      message: expect.stringMatching(/submit it on legacy ECP/),
    });
    expect(checkIntakeOpen('legacy', 'SD1', 'frozen')).toMatchObject({
      code: '3002',
      message: expect.stringMatching(/nothing was stored/),
    });
    const retired = checkIntakeOpen('legacy', 'SDPDF', 'closed', true);
    expect(retired).toMatchObject({ code: '3003' });
    expect(retired?.message).not.toMatch(/ECP 2\.0 instead|submit it on/);
  });

  it('B.5–B.7: 2000 only for a user with no ECP function for the web; a folder the user’s functions do not cover is not shown (2002)', () => {
    const sd1 = { code: 'SD1', ccFunction: 'EU_ECPCASH' };
    expect(checkAccess(sd1, 'u@firm.hk', ['EU_ECPCASH'])).toBeNull();
    expect(checkAccess(sd1, 'u@firm.hk', [])).toMatchObject({ code: '2000' });
    expect(checkAccess(sd1, 'u@firm.hk', ['EU_ECPSFTP'])).toMatchObject({
      code: '2000',
      message: expect.stringMatching(/EU_ECPSFTP alone gives SFTP only/),
    });
    expect(checkAccess(sd1, 'u@firm.hk', ['EU_ECPDERV'])).toMatchObject({
      code: '2002',
      message: expect.stringMatching(/not shown to user u@firm.hk on ECP 2\.0: it needs EU_ECPCASH/),
    });
    // A folder with no function of its own is shown to every user who may enter.
    expect(checkAccess({ code: 'GENCORR', ccFunction: null }, 'u@firm.hk', ['EU_ECPDERV'])).toBeNull();
    expect(checkAccess({ code: 'GENCORR', ccFunction: null }, 'u@firm.hk', [])?.code).toBe('2000');
  });

  it('D.27: a folder hidden on a platform is not looked into there, and the refusal says where it is', () => {
    expect(
      checkOnPlatform('legacy', 'SD1', { visible: true, retired: false }, undefined, 'no activity is shown'),
    ).toBeNull();
    expect(
      checkOnPlatform(
        'legacy',
        'SD1',
        { visible: false, retired: false },
        { visible: true },
        'no activity is shown',
      ),
    ).toEqual({
      status: 404,
      code: '3001',
      message: 'folder SD1 is not on legacy ECP: it is on ECP 2.0 (moved, FAQ D.27); no activity is shown',
    });
    expect(
      checkOnPlatform(
        'ecp2',
        'SD3',
        { visible: false, retired: false },
        { visible: true },
        'nothing is shown',
      ),
    ).toMatchObject({
      code: '3001',
      message: 'folder SD3 is not on ECP 2.0: it is on legacy ECP; nothing is shown',
    });
    expect(checkOnPlatform('ecp2', 'NOPE', undefined, undefined, 'nothing is shown')).toMatchObject({
      code: '3001',
      message: 'folder NOPE is not on ECP 2.0; nothing is shown',
    });
    expect(
      checkOnPlatform('legacy', 'SDPDF', { visible: false, retired: true }, undefined, 'nothing is shown'),
    ).toMatchObject({ code: '3003', status: 404 });
  });

  it('B.5–B.7 apart: the door (2000) says nothing of folders; a folder not shown (2002) names the platform and what it means', () => {
    expect(checkDoor('u@firm.hk', ['EU_ECPCASH'])).toBeNull();
    expect(checkDoor('u@firm.hk', ['EU_ECPSFTP'])).toMatchObject({ code: '2000', status: 403 });
    expect(
      checkFolderShown(
        'legacy',
        { code: 'SD1', ccFunction: 'EU_ECPCASH' },
        'u@firm.hk',
        ['EU_ECPCC'],
        'no activity is shown',
      ),
    ).toMatchObject({
      code: '2002',
      message: expect.stringMatching(/on legacy ECP: it needs EU_ECPCASH.*; no activity is shown: /),
    });
    expect(checkFolderShown('ecp2', { code: 'LEGTEST', ccFunction: null }, 'u@firm.hk', [])).toBeNull();
  });

  it('B.14: a user submits only for a participant they belong to; download folders take no submission', () => {
    expect(checkMembership('01234', 'u@firm.hk', ['01234', '01235'])).toBeNull();
    expect(checkMembership('09999', 'u@firm.hk', ['01234'])).toMatchObject({
      code: '2003',
      message: expect.stringMatching(/not a user of participant 09999.*\(01234\)/),
    });
    expect(checkDirection('CSCTRD', 'download')).toMatchObject({ code: '4001' });
    expect(checkDirection('SD1', 'submit')).toBeNull();
  });

  it('validates calendar dates strictly', () => {
    expect(isIsoDate('2022-05-12')).toBe(true);
    expect(isIsoDate('2022-02-30')).toBe(false);
    expect(isIsoDate('12/05/2022')).toBe(false);
  });
});
