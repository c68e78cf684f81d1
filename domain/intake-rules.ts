/**
 * The submission rules a platform applies (FAQ B.5, C.23–C.25, D.27), as pure functions. Error codes are the
 * platform's: 4505 and 2000 come from the FAQ; 3001 and 3002 are this simulator's for a folder that is not
 * open on the platform asked (moved, or not moved yet) and for a folder inside a cutover's freeze window.
 */
export type PlatformName = 'legacy' | 'ecp2';
export type Intake = 'open' | 'frozen' | 'closed';

export const PLATFORM_LABEL: Record<PlatformName, string> = { legacy: 'legacy ECP', ecp2: 'ECP 2.0' };
const other = (p: PlatformName): PlatformName => (p === 'legacy' ? 'ecp2' : 'legacy');

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

/** I1 at the door: only an open folder accepts; the refusal names the platform to use. */
export function checkIntakeOpen(platform: PlatformName, code: string, intake: Intake | undefined): Refusal | null {
  if (intake === 'open') return null;
  if (intake === 'frozen') {
    return {
      status: 409,
      code: '3002',
      message: `folder ${code} is being moved between legacy ECP and ECP 2.0 right now; nothing was stored: submit again in a minute on ${PLATFORM_LABEL[other(platform)]} (see the migration status page)`,
    };
  }
  return {
    status: 409,
    code: '3001',
    message: `folder ${code} is not open on ${PLATFORM_LABEL[platform]}; nothing was stored: submit it on ${PLATFORM_LABEL[other(platform)]} (FAQ D.27)`,
  };
}

/** FAQ B.5–B.7: on ECP 2.0 a user needs the folder's function; EU_ECPSFTP alone grants SFTP, not the web UI. */
export function checkFunction(ccFunction: string | null, userFunctions: readonly string[]): Refusal | null {
  if (ccFunction !== null && userFunctions.includes(ccFunction)) return null;
  return {
    status: 403,
    code: '2000',
    message: `user lacks the ECP function for this folder (${ccFunction ?? 'none'}): ask your firm's ECP administrator to grant it in Client Connect`,
  };
}

/**
 * FAQ C.23–C.24: the Input Date must equal the date in the filename (to the precision the pattern has:
 * a day for {YYYYMMDD}, a month for {YYYYMM}, a year for {YYYY}). Patterns without a date are not checked.
 */
export function checkInputDate(pattern: string, filename: string, inputDate: string): Refusal | null {
  const precision = pattern.includes('{YYYYMMDD}') ? 8 : pattern.includes('{YYYYMM}') ? 6 : pattern.includes('{YYYY}') ? 4 : 0;
  if (precision === 0) return null;
  const found = new RegExp(`(?<!\\d)(\\d{${precision}})(?!\\d)`).exec(filename)?.[1];
  const wanted = inputDate.replaceAll('-', '').slice(0, precision);
  if (found !== undefined && found === wanted) return null;
  return {
    status: 422,
    code: '4505',
    message: found
      ? `Input Date ${inputDate} does not match the date ${found} in the filename ${filename}: choose the Input Date the filename carries (FAQ C.24)`
      : `filename ${filename} carries no date in the form ${pattern}: rename the file (FAQ C.24)`,
  };
}

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(value + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}
