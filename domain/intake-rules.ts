/**
 * The rules a platform applies to participants (FAQ B.5–B.7, B.14, C.23–C.25, D.27), as pure functions. Error
 * codes are the platform's: 4505 and 2000 come from the FAQ; the others are this simulator's own, each with a
 * message that says what happened, what it means for the request, and what to do:
 *
 *   2000 the user holds no ECP function for the web at all (FAQ B.5; EU_ECPSFTP alone gives SFTP only, B.6)
 *   2002 the folder is not shown to this user: their functions do not include the folder's (FAQ B.7)
 *   2003 the user is not a user of the participant they submit for (the project's reading of FAQ B.14)
 *   3001 the folder is not open (or not shown) on this platform: it is on the other one (FAQ D.27)
 *   3002 the folder is being moved right now: submit again in a minute on the other platform
 *   3003 the folder is retired: no platform takes it any more (the catalog's retirements, not the FAQ's)
 *   4001 a download folder: nothing is submitted to it (the project's rule)
 *   4002 a submission folder: nothing is downloaded from it, submitted files never are (FAQ C.26)
 *   4505 the Input Date does not match the date in the filename (FAQ C.24; see input-date.ts)
 *   4506 the filename carries no date where the folder's pattern has one
 */
export { checkInputDate, inputDateFromFilename } from './input-date';

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

/** A retired folder: no platform takes it, and the refusal never sends anyone to the other one (this cutover's rule: the FAQ retires nothing). */
export const retiredRefusal = (code: string): Refusal => ({
  status: 409,
  code: '3003',
  message: `folder ${code} is retired: neither legacy ECP nor ECP 2.0 takes it any more; nothing was stored (ask HKEX support what replaces it)`,
});

/** I1 at the door: only an open folder accepts; the refusal names the platform to use (never for a retired one). */
export function checkIntakeOpen(
  platform: PlatformName,
  code: string,
  intake: Intake | undefined,
  retired = false,
): Refusal | null {
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
 * FAQ B.5–B.6: a user who holds no ECP function for the web is refused at ECP 2.0's door (2000), before any
 * folder rule — at login, and on every request of a session whose user has lost their functions since.
 */
export function checkDoor(user: string, functions: readonly string[]): Refusal | null {
  if (webFunctions(functions).length > 0) return null;
  return {
    status: 403,
    code: '2000',
    message: `user ${user} holds no ECP function for the web, so ECP 2.0 refuses them at the door${functions.includes(SFTP_FUNCTION) ? ` (${SFTP_FUNCTION} alone gives SFTP only, FAQ B.6)` : ''}: the firm's ECP administrator grants an ECP function in Client Connect (FAQ B.5)`,
  };
}

/**
 * FAQ B.7: a folder whose function the user lacks is not shown to them (2002); a folder with no function of its
 * own is shown to every user who may enter. Legacy ECP shows folders by the same functions here (the simulator
 * keeps one record of who holds what; legacy's own administration is not simulated). `outcome` says what the
 * refusal means for the request ("nothing was stored", "no activity is shown").
 */
export function checkFolderShown(
  platform: PlatformName,
  folder: { code: string; ccFunction: string | null },
  user: string,
  functions: readonly string[],
  outcome = 'nothing was stored',
): Refusal | null {
  if (folder.ccFunction === null || functions.includes(folder.ccFunction)) return null;
  const where =
    platform === 'ecp2'
      ? ' in Client Connect (user types, functions and folders: user guide Appendix 7.4)'
      : '';
  return {
    status: 403,
    code: '2002',
    message: `folder ${folder.code} is not shown to user ${user} on ${PLATFORM_LABEL[platform]}: it needs ${folder.ccFunction}, which the user does not hold (FAQ B.7); ${outcome}: the firm's ECP administrator grants ${folder.ccFunction}${where}`,
  };
}

/** Both of the above, as ECP 2.0's web applies them to a submission. */
export function checkAccess(
  folder: { code: string; ccFunction: string | null },
  user: string,
  functions: readonly string[],
): Refusal | null {
  return checkDoor(user, functions) ?? checkFolderShown('ecp2', folder, user, webFunctions(functions));
}

/** The project's reading of FAQ B.14 (choose the right participant code): a user submits (and enquires) only for a participant they belong to. */
export function checkMembership(
  participant: string,
  user: string,
  memberOf: readonly string[],
  outcome = 'nothing was stored',
): Refusal | null {
  if (memberOf.includes(participant)) return null;
  return {
    status: 403,
    code: '2003',
    message: `user ${user} is not a user of participant ${participant}; ${outcome}: choose one of your own participant codes${memberOf.length ? ` (${memberOf.join(', ')})` : ''} (FAQ B.14)`,
  };
}

/**
 * A folder a participant cannot reach on this platform at all: unknown here, or hidden — moved to the other
 * platform (FAQ D.27: hidden on legacy once moved), retired, or not yet moved here. Its activity and files are
 * then not shown (3001, or 3003 for a retired one), and the message says where the folder is.
 */
export function checkOnPlatform(
  platform: PlatformName,
  code: string,
  here: { visible: boolean; retired: boolean } | undefined,
  elsewhere: { visible: boolean } | undefined,
  outcome: string,
): Refusal | null {
  if (here?.visible) return null;
  if (here?.retired)
    return {
      ...retiredRefusal(code),
      status: 404,
      message: `folder ${code} is retired: neither legacy ECP nor ECP 2.0 shows it any more; ${outcome}`,
    };
  const there = elsewhere?.visible
    ? `: it is on ${PLATFORM_LABEL[other(platform)]}${platform === 'legacy' ? ' (moved, FAQ D.27)' : ''}`
    : '';
  return {
    status: 404,
    code: '3001',
    message: `folder ${code} is not on ${PLATFORM_LABEL[platform]}${there}; ${outcome}`,
  };
}

/**
 * Download folders take no submission. The project's rule (the FAQ speaks of submission folders only): a
 * download folder is one HKEX puts files in for participants to fetch.
 */
export function checkDirection(code: string, direction: string): Refusal | null {
  if (direction !== 'download') return null;
  return {
    status: 409,
    code: '4001',
    message: `folder ${code} is a download folder: files are downloaded from it, nothing is submitted to it; nothing was stored`,
  };
}

/**
 * FAQ C.26: nothing submitted is ever downloaded — Activity Enquiry shows its SHA-256 instead. Only a download
 * folder (or one that is both) has files to fetch: the ones HKEX puts there (the simulator's code 4002).
 */
export function checkDownloadable(code: string, direction: string): Refusal | null {
  if (direction === 'download' || direction === 'both') return null;
  return {
    status: 409,
    code: '4002',
    message: `folder ${code} is a submission folder: nothing is downloaded from it, and submitted files never are (FAQ C.26): compare your file's SHA-256 with the one Activity Enquiry shows`,
  };
}

export function isIsoDate(value: unknown): value is string {
  // Year 1 or later: PostgreSQL has no year 0.
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value < '0001') return false;
  const d = new Date(value + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}
