import { describe, expect, it } from 'vitest';
import { checkAccess, checkDirection, checkInputDate, checkIntakeOpen, checkMembership, isIsoDate } from '../../domain/intake-rules';

const SD1 = { pattern: 'SD_{PID5}_{YYYYMMDD}.csv', meaning: 'Trade date (T); must equal date in filename else error 4505' };

describe('platform intake rules (FAQ)', () => {
  it('C.23–C.24: the Input Date must be the date in the filename, to the pattern’s precision, or 4505', () => {
    expect(checkInputDate(SD1, 'SD_09999_20220512.csv', '2022-05-12')).toBeNull();
    expect(checkInputDate(SD1, 'SD_09999_20220512.csv', '2022-05-13')).toMatchObject({ code: '4505', status: 422, message: expect.stringMatching(/choose as Input Date the file's Trade date/) });
    const monthly = { pattern: 'SMM_{PID5}_{YYYYMM}.xlsx', meaning: 'Month-end' };
    expect(checkInputDate(monthly, 'SMM_09999_202206.xlsx', '2022-06-30')).toBeNull();
    expect(checkInputDate(monthly, 'SMM_09999_202206.xlsx', '2022-07-01')?.code).toBe('4505');
    expect(checkInputDate({ pattern: 'ATQ_{PID5}_{YYYY}.pdf', meaning: 'Financial year-end' }, 'ATQ_09999_2022.pdf', '2022-12-31')).toBeNull();
  });

  it('a filename without a date is not a 4505 but a 4506; a pattern without a date, or a folder whose Input Date means nothing, is not checked', () => {
    expect(checkInputDate(SD1, 'SD_09999.csv', '2022-05-12')).toMatchObject({ code: '4506', message: expect.stringMatching(/carries no date/) });
    expect(checkInputDate({ pattern: 'ACK_{PID5}_{CIRCREF}.pdf', meaning: 'Letter date' }, 'ACK_09999_CT08022.pdf', '2022-05-12')).toBeNull();
    expect(checkInputDate({ pattern: 'TEST_{PID5}_{YYYYMMDD}.txt', meaning: 'None' }, 'TEST_09999_20220601.txt', '2022-06-30')).toBeNull();
  });

  it('D.27: a closed folder names the platform to use; a frozen one says to try again; a retired one never sends anyone to ECP 2.0', () => {
    expect(checkIntakeOpen('legacy', 'SD1', 'open')).toBeNull();
    expect(checkIntakeOpen('legacy', 'SD1', 'closed')).toMatchObject({ code: '3001', message: expect.stringMatching(/submit it on ECP 2\.0/) });
    expect(checkIntakeOpen('ecp2', 'SD1', undefined)).toMatchObject({ code: '3001', message: expect.stringMatching(/submit it on legacy ECP/) });
    expect(checkIntakeOpen('legacy', 'SD1', 'frozen')).toMatchObject({ code: '3002', message: expect.stringMatching(/nothing was stored/) });
    const retired = checkIntakeOpen('legacy', 'SDPDF', 'closed', true);
    expect(retired).toMatchObject({ code: '3003' });
    expect(retired?.message).not.toMatch(/ECP 2\.0 instead|submit it on/);
  });

  it('B.5–B.7: 2000 only for a user with no ECP function for the web; a folder the user’s functions do not cover is not shown (2002)', () => {
    const sd1 = { code: 'SD1', ccFunction: 'EU_ECPCASH' };
    expect(checkAccess(sd1, 'u@firm.hk', ['EU_ECPCASH'])).toBeNull();
    expect(checkAccess(sd1, 'u@firm.hk', [])).toMatchObject({ code: '2000' });
    expect(checkAccess(sd1, 'u@firm.hk', ['EU_ECPSFTP'])).toMatchObject({ code: '2000', message: expect.stringMatching(/EU_ECPSFTP alone gives SFTP only/) });
    expect(checkAccess(sd1, 'u@firm.hk', ['EU_ECPDERV'])).toMatchObject({ code: '2002', message: expect.stringMatching(/not shown to user u@firm.hk: it needs EU_ECPCASH/) });
    // A folder with no function of its own is shown to every user who may enter.
    expect(checkAccess({ code: 'GENCORR', ccFunction: null }, 'u@firm.hk', ['EU_ECPDERV'])).toBeNull();
    expect(checkAccess({ code: 'GENCORR', ccFunction: null }, 'u@firm.hk', [])?.code).toBe('2000');
  });

  it('B.14: a user submits only for a participant they belong to; download folders take no submission', () => {
    expect(checkMembership('01234', 'u@firm.hk', ['01234', '01235'])).toBeNull();
    expect(checkMembership('09999', 'u@firm.hk', ['01234'])).toMatchObject({ code: '2003', message: expect.stringMatching(/not a user of participant 09999.*\(01234\)/) });
    expect(checkDirection('CSCTRD', 'download')).toMatchObject({ code: '4001' });
    expect(checkDirection('SD1', 'submit')).toBeNull();
  });

  it('validates calendar dates strictly', () => {
    expect(isIsoDate('2022-05-12')).toBe(true);
    expect(isIsoDate('2022-02-30')).toBe(false);
    expect(isIsoDate('12/05/2022')).toBe(false);
  });
});
