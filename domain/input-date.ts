import type { Refusal } from './intake-rules';

/**
 * The Input Date of a submission (FAQ C.23–C.24): the date the file is about, which the participant picks on the
 * web form and which must agree with the date in the filename, else error 4505. FAQ C.23 says that for SD-1 it is
 * the trade date and that each other folder's meaning is in the user guide; here the catalog's `input_date_meaning`
 * stands for that guide. How a meaning reads — the project's reading of the catalog, not the FAQ's words:
 *
 *   filename date   meaning                    the Input Date must be
 *   YYYYMMDD        any                        that day
 *   YYYYMM          "month-end …"              the last day of that month
 *   YYYYMM          anything else              a day of that month
 *   YYYY            "… year-end", "period end" the last day of a month of that year (a firm's financial year may end
 *                                              in any month, and the platform does not know which)
 *   YYYY            anything else              a day of that year
 *
 * A folder whose meaning is "None", or whose pattern has no date, is not checked; a filename that carries no date
 * where the pattern has one is 4506, not 4505.
 */
type Precision = 8 | 6 | 4;
type Rule = { precision: Precision; periodEnd: boolean };

function ruleOf(pattern: string, meaning: string): Rule | null {
  if (/^none$/i.test(meaning.trim())) return null;
  const precision: Precision | 0 = pattern.includes('{YYYYMMDD}')
    ? 8
    : pattern.includes('{YYYYMM}')
      ? 6
      : pattern.includes('{YYYY}')
        ? 4
        : 0;
  if (precision === 0) return null;
  const periodEnd =
    precision === 6
      ? /month-end/i.test(meaning)
      : precision === 4
        ? /year-end|period end/i.test(meaning)
        : false;
  return { precision, periodEnd };
}

/** The date digits of a filename at the pattern's precision (not part of a longer run of digits), or undefined. */
const dateIn = (filename: string, precision: Precision) =>
  new RegExp(`(?<!\\d)(\\d{${precision}})(?!\\d)`).exec(filename)?.[1];

const lastDayOf = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const isMonthEnd = (date: string) =>
  Number(date.slice(8, 10)) === lastDayOf(Number(date.slice(0, 4)), Number(date.slice(5, 7)));

const noDate = (filename: string, pattern: string, meaning: string): Refusal => ({
  status: 422,
  code: '4506',
  message: `filename ${filename} carries no date where the folder's pattern ${pattern} has one; nothing was stored: rename the file (the date is its ${
    meaning
      .trim()
      .toLowerCase()
      .replace(/\s*\(.*$/, '') || 'date'
  })`,
});
const mismatch = (inputDate: string, found: string, filename: string, wanted: string): Refusal => ({
  status: 422,
  code: '4505',
  message: `Input Date ${inputDate} does not match ${found} in the filename ${filename}; nothing was stored: choose as Input Date ${wanted} (FAQ C.23–C.24)`,
});

/** The web form's check: the Input Date chosen against the date in the filename. */
export function checkInputDate(
  folder: { pattern: string; meaning: string },
  filename: string,
  inputDate: string,
): Refusal | null {
  const rule = ruleOf(folder.pattern, folder.meaning);
  if (!rule) return null;
  const found = dateIn(filename, rule.precision);
  if (found === undefined) return noDate(filename, folder.pattern, folder.meaning);
  const meaning = folder.meaning.trim() || 'date';
  if (inputDate.replaceAll('-', '').slice(0, rule.precision) !== found)
    return mismatch(inputDate, found, filename, `the file's ${meaning}`);
  if (!rule.periodEnd || (rule.precision === 4 ? isMonthEnd(inputDate) : inputDate === periodEnd(found)))
    return null;
  const wanted =
    rule.precision === 6
      ? `${periodEnd(found)} (${meaning}: the last day of the month)`
      : `the last day of the month in which the file's ${meaning.toLowerCase()} falls, in ${found}`;
  return mismatch(inputDate, found, filename, wanted);
}

/** The last day of the period that date digits name (a month or a year); the day itself for a full date. */
function periodEnd(found: string): string {
  const y = Number(found.slice(0, 4));
  if (found.length === 4) return iso(y, 12, 31);
  const m = Number(found.slice(4, 6));
  return iso(y, m, found.length === 6 ? lastDayOf(y, m) : Number(found.slice(6, 8)));
}

/**
 * SFTP has no form to pick an Input Date on, so it is read from the filename (the project's rule): the day the
 * filename names, or the last day of the month or year it names; today (Hong Kong) for a folder whose pattern
 * has no date. The same checks as the web's then hold by construction, except for a filename without the date
 * its pattern has (4506) or with one that is no calendar date (4505).
 */
export function inputDateFromFilename(
  folder: { pattern: string; meaning: string },
  filename: string,
  today: string,
): { inputDate: string } | { refusal: Refusal } {
  const rule = ruleOf(folder.pattern, folder.meaning);
  if (!rule) return { inputDate: today };
  const found = dateIn(filename, rule.precision);
  if (found === undefined) return { refusal: noDate(filename, folder.pattern, folder.meaning) };
  const date = periodEnd(found);
  const [y, m, d] = date.split('-').map(Number);
  const real = y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= lastDayOf(y, m);
  if (!real)
    return {
      refusal: {
        status: 422,
        code: '4505',
        message: `${found} in the filename ${filename} is not a calendar date; nothing was stored: rename the file with the date it is about (FAQ C.23–C.24)`,
      },
    };
  return { inputDate: date };
}
