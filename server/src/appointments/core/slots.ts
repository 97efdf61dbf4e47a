/**
 * Slot generation: a date's bookable slots from the booking rules, in the site's time zone.
 *
 * Worked examples (rules Mon–Fri 09:00–12:00 and 13:30–17:00, 30-minute slots, Asia/Shanghai):
 * - Monday 2026-11-23 → 09:00, 09:30, … 11:30, then 13:30, … 16:30: 13 slots; 09:00 is 01:00Z.
 * - Saturday 2026-11-28, or a closed date (holiday) → no slots.
 * - A range that does not divide into whole slots keeps only whole ones: 13:30–17:00 in 45-minute slots →
 *   13:30, 14:15, 15:00, 15:45 (16:30 would end after closing).
 * - The same rules in America/New_York on 2026-03-09 (the day after clocks went forward) put 09:00 at
 *   13:00Z, on 2026-03-06 at 14:00Z: slots follow the local wall clock, not a fixed offset.
 */
import { zonedTimeToMs } from '../../lib/time.ts';
import { type BookingRules, MINUTE_MS, type TimeRange, type Weekday, WEEKDAYS } from './types.ts';

export interface SlotDef {
  start: number;
  end: number;
  /** Position within the day, 0-based: the capacity derivation shares fractions in this order. */
  index: number;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidDate(date: string): boolean {
  const m = DATE_RE.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function minutesOfDay(time: string): number | null {
  const m = TIME_RE.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The weekday of a calendar date (the date itself has no zone). */
export function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // getUTCDay: 0 = Sunday … 6 = Saturday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7] as Weekday;
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The opening ranges of a weekday in minutes, sorted. */
function ranges(list: readonly TimeRange[]): [number, number][] {
  return list
    .map(([a, b]) => [minutesOfDay(a), minutesOfDay(b)] as const)
    .filter((r): r is readonly [number, number] => r[0] !== null && r[1] !== null && r[0] < r[1])
    .map(([a, b]) => [a, b] as [number, number])
    .sort((x, y) => x[0] - y[0]);
}

/** Every slot of a date, in time order (past ones included: callers filter by the clock). */
export function generateSlots(date: string, rules: BookingRules, timeZone: string): SlotDef[] {
  if (!isValidDate(date) || rules.closedDates.includes(date)) return [];
  const out: SlotDef[] = [];
  for (const [from, to] of ranges(rules.openingHours[weekdayOf(date)] ?? [])) {
    for (let m = from; m + rules.slotMinutes <= to; m += rules.slotMinutes) {
      const start = zonedTimeToMs(date, hhmm(m), timeZone);
      out.push({ start, end: start + rules.slotMinutes * MINUTE_MS, index: out.length });
    }
  }
  return out;
}

/**
 * Whether a date is open for booking today: from today (the site's local date of `now`) up to
 * `horizonDays` days ahead. Booking for a date opens at local midnight `horizonDays` days before it.
 */
export function isWithinHorizon(date: string, today: string, horizonDays: number): boolean {
  return date >= today && date <= addDays(today, horizonDays);
}
