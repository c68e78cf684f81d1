/**
 * The submission rules a platform applies (FAQ B.5–B.7, B.14, C.23–C.25, D.27), as pure functions. Error codes
 * are the platform's: 4505 and 2000 come from the FAQ; the others are this simulator's, each with a message
 * that says what happened, that nothing was stored, and what to do (or what support should check):
 *
 *   2000 the user holds no ECP function for the web at all (FAQ B.5; EU_ECPSFTP alone gives SFTP only, B.6)
 *   2002 the folder is not shown to this user: their functions do not include the folder's (FAQ B.7)
 *   2003 the user is not a user of the participant they submit for (FAQ B.14)
 *   3001 the folder is not open on this platform: submit it on the other one (FAQ D.27)
 *   3002 the folder is being moved right now: submit again in a minute on the other platform
 *   3003 the folder is retired: no platform takes it any more
 *   4001 a download folder: nothing is submitted to it (FAQ D.27–D.29)
 *   4505 the Input Date does not match the date in the filename (FAQ C.24)
 *   4506 the filename carries no date where the folder's pattern has one
 */
export type PlatformName = 'legacy' | 'ecp2';
export type Intake = 'open' | 'frozen' | 'closed';

export const PLATFORM_LABEL: Record<PlatformName, string> = { legacy: 'legacy ECP', ecp2: 'ECP 2.0' };
const other = (p: PlatformName): PlatformName => (p === 'legacy' ? 'ecp2' : 'legacy');

/** Grants SFTP only, never the web interface (FAQ B.6). */
export const SFTP_FUNCTION = 'EU_ECPSFTP';

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

/** A retired folder: no platform takes it, and the refusal never sends anyone to the other one (FAQ D.28). */
export const retiredRefusal = (code: string): Refusal => ({
  status: 409, code: '3003', message: `folder ${code} is retired: neither legacy ECP nor ECP 2.0 takes it any more; nothing was stored (ask HKEX support what replaces it)`,
});

/** I1 at the door: only an open folder accepts; the refusal names the platform to use (never for a retired one). */
export function checkIntakeOpen(platform: PlatformName, code: string, intake: Intake | undefined, retired = false): Refusal | null {
  if (retired) return retiredRefusal(code);
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

/** The web functions a user holds: every ECP function but EU_ECPSFTP (FAQ B.6). */
export const webFunctions = (functions: readonly string[]) => functions.filter((f) => f !== SFTP_FUNCTION);

/**
 * FAQ B.5–B.7 on ECP 2.0: a user with no ECP function for the web is refused at the door (2000); a folder
 * whose function the user lacks is not shown to them (2002). A folder with no function of its own is shown to
 * every user who has entered.
 */
export function checkAccess(folder: { code: string; ccFunction: string | null }, user: string, functions: readonly string[]): Refusal | null {
  const web = webFunctions(functions);
  if (web.length === 0) {
    return {
      status: 403,
      code: '2000',
      message: `user ${user} holds no ECP function for the web, so ECP 2.0 refuses them at the door${functions.includes(SFTP_FUNCTION) ? ` (${SFTP_FUNCTION} alone gives SFTP only, FAQ B.6)` : ''}; nothing was stored: the firm's ECP administrator grants an ECP function in Client Connect (FAQ B.5)`,
    };
  }
  if (folder.ccFunction !== null && !web.includes(folder.ccFunction)) {
    return {
      status: 403,
      code: '2002',
      message: `folder ${folder.code} is not shown to user ${user}: it needs ${folder.ccFunction}, which the user does not hold (FAQ B.7); nothing was stored: the firm's ECP administrator grants ${folder.ccFunction} in Client Connect (user types, functions and folders: user guide Appendix 7.4)`,
    };
  }
  return null;
}

/** FAQ B.14: a user submits (and enquires) only for a participant they belong to. */
export function checkMembership(participant: string, user: string, memberOf: readonly string[]): Refusal | null {
  if (memberOf.includes(participant)) return null;
  return {
    status: 403,
    code: '2003',
    message: `user ${user} is not a user of participant ${participant}; nothing was stored: choose one of your own participant codes${memberOf.length ? ` (${memberOf.join(', ')})` : ''} (FAQ B.14)`,
  };
}

/** Download folders take no submission (FAQ D.27–D.29: the migration is about submission folders). */
export function checkDirection(code: string, direction: string): Refusal | null {
  if (direction !== 'download') return null;
  return { status: 409, code: '4001', message: `folder ${code} is a download folder: files are downloaded from it, nothing is submitted to it; nothing was stored` };
}

/**
 * FAQ C.23–C.24: the Input Date must equal the date in the filename, to the precision the pattern has (a day
 * for {YYYYMMDD}, a month for {YYYYMM}, a year for {YYYY}); the folder's Input Date meaning (its "Trade date",
 * "Month-end" ...) says which date that is. A folder whose Input Date means nothing, or whose pattern has no
 * date, is not checked; a filename that carries no date where the pattern has one is 4506, not 4505.
 */
export function checkInputDate(folder: { pattern: string; meaning: string }, filename: string, inputDate: string): Refusal | null {
  const { pattern, meaning } = folder;
  const precision = pattern.includes('{YYYYMMDD}') ? 8 : pattern.includes('{YYYYMM}') ? 6 : pattern.includes('{YYYY}') ? 4 : 0;
  if (precision === 0 || /^none$/i.test(meaning.trim())) return null;
  const found = new RegExp(`(?<!\\d)(\\d{${precision}})(?!\\d)`).exec(filename)?.[1];
  const what = meaning.trim() ? `its ${meaning.trim().toLowerCase().replace(/\s*\(.*$/, '')}` : 'its date';
  if (found === undefined) {
    return { status: 422, code: '4506', message: `filename ${filename} carries no date where the folder's pattern ${pattern} has one; nothing was stored: rename the file (the date is ${what})` };
  }
  const wanted = inputDate.replaceAll('-', '').slice(0, precision);
  if (found === wanted) return null;
  return {
    status: 422,
    code: '4505',
    message: `Input Date ${inputDate} does not match ${found} in the filename ${filename}; nothing was stored: choose as Input Date the file's ${meaning.trim() || 'date'} (FAQ C.23–C.24)`,
  };
}

export function isIsoDate(value: unknown): value is string {
  // Year 1 or later: PostgreSQL has no year 0.
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value < '0001') return false;
  const d = new Date(value + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}
