import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { HK_ZONE } from './time';

/** Hong Kong public holidays from the maintained date-holidays library (never a hand-written list). */
const hk = new Holidays('HK', { languages: ['en'], types: ['public'] });

/** Why a Hong Kong calendar date ("2022-06-03") is not a business day, or null if it is one. */
export function nonBusinessReason(isoDate: string): string | null {
  const day = DateTime.fromISO(isoDate, { zone: HK_ZONE });
  if (day.weekday >= 6) return `${isoDate} is a ${day.toFormat('cccc')}`;
  const found = hk.isHoliday(day.set({ hour: 12 }).toJSDate());
  const holiday = Array.isArray(found) ? found.find((h) => h.type === 'public') : undefined;
  return holiday ? `${isoDate} is a Hong Kong public holiday (${holiday.name})` : null;
}

export function isBusinessDay(isoDate: string): boolean {
  return nonBusinessReason(isoDate) === null;
}

/** The last business day strictly before `isoDate`. */
export function previousBusinessDay(isoDate: string): string {
  let day = DateTime.fromISO(isoDate, { zone: HK_ZONE }).minus({ days: 1 });
  while (!isBusinessDay(day.toISODate()!)) day = day.minus({ days: 1 });
  return day.toISODate()!;
}

/**
 * When the reminder of a batch goes out: 09:00 Hong Kong time on the business day before the cutover
 * (or at once, if that is already past when the batch is approved).
 */
export function reminderInstant(plannedAt: DateTime): DateTime {
  const day = previousBusinessDay(plannedAt.setZone(HK_ZONE).toISODate()!);
  return DateTime.fromISO(`${day}T09:00`, { zone: HK_ZONE }).toUTC();
}

/** 09:00 Hong Kong time, `n` business days before the (Hong Kong) date of `instant`. */
export function businessDaysBefore(instant: DateTime, n: number): DateTime {
  let day = instant.setZone(HK_ZONE).toISODate()!;
  for (let i = 0; i < n; i++) day = previousBusinessDay(day);
  return DateTime.fromISO(`${day}T09:00`, { zone: HK_ZONE }).toUTC();
}
