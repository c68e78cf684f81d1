import { DateTime } from 'luxon';
import { InputError } from './errors';

export const HK_ZONE = 'Asia/Hong_Kong';

/**
 * Reads an operator's time: "YYYY-MM-DD HH:mm" in Hong Kong time, or with an explicit zone
 * ("2022-08-08 08:00 Europe/London", or an ISO string with an offset). Returns the UTC instant.
 */
export function parseHkTime(input: string): DateTime<true> {
  const trimmed = input.trim();
  const withZone = /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2})\s+([A-Za-z_]+\/[A-Za-z_]+|UTC)$/.exec(trimmed);
  let dt: DateTime;
  if (withZone)
    dt = DateTime.fromFormat(withZone[1].replace('T', ' '), 'yyyy-MM-dd HH:mm', { zone: withZone[2] });
  else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(trimmed))
    dt = DateTime.fromFormat(trimmed, 'yyyy-MM-dd HH:mm', { zone: HK_ZONE });
  else dt = DateTime.fromISO(trimmed, { setZone: true });
  if (!dt.isValid) {
    throw new InputError(
      `'${input}' is not a time: write it as "YYYY-MM-DD HH:mm" (Hong Kong time) or add a zone`,
    );
  }
  return (dt as DateTime<true>).toUTC();
}

/** "2022-06-06 08:00 HKT" */
export function formatHk(instant: Date | string | null | undefined): string {
  if (!instant) return '-';
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  return dt.setZone(HK_ZONE).toFormat("yyyy-MM-dd HH:mm 'HKT'");
}

/** The Hong Kong calendar date of an instant, "2022-06-06". */
export function hkDate(instant: Date | string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  return dt.setZone(HK_ZONE).toISODate() ?? '';
}
