/**
 * Working-day arithmetic for case deadlines (办结时限 are set in working days). Pure: dates are
 * `YYYY-MM-DD` strings of the site's local calendar; instants are epoch milliseconds; the zone comes in.
 *
 * A day is a working day when it is Monday–Friday and not a holiday, or when it is listed as a make-up
 * working day (调休上班, e.g. Saturday 2026-02-14 before the Spring Festival).
 */
import { localParts, zonedTimeToMs } from '../../lib/time.ts';
import { CN_HOLIDAYS } from './cn-calendar.ts';

export interface WorkCalendar {
  readonly holidays: ReadonlySet<string>;
  /** Weekend days that are worked (调休). They win over `holidays` if a date is in both. */
  readonly extraWorkdays: ReadonlySet<string>;
}

export function makeCalendar(input: { holidays?: Iterable<string>; extraWorkdays?: Iterable<string>; national?: boolean } = {}): WorkCalendar {
  const holidays = new Set<string>(input.holidays ?? []);
  const extraWorkdays = new Set<string>(input.extraWorkdays ?? []);
  if (input.national ?? true) {
    for (const year of Object.values(CN_HOLIDAYS)) {
      for (const d of year.holidays) holidays.add(d);
      for (const d of year.workdays) extraWorkdays.add(d);
    }
  }
  return { holidays, extraWorkdays };
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toUtcDay(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function fromUtcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

export function addCalendarDays(date: string, days: number): string {
  return fromUtcDay(toUtcDay(date) + days * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(toUtcDay(date)).getUTCDay();
}

export function isWorkingDay(date: string, cal: WorkCalendar): boolean {
  if (cal.extraWorkdays.has(date)) return true;
  if (cal.holidays.has(date)) return false;
  const wd = weekday(date);
  return wd !== 0 && wd !== 6;
}

/** Rationale: the longest run of days off in the calendar is 9 (Spring Festival); 60 only stops a bad calendar. */
const MAX_SCAN_DAYS = 60;

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: string, cal: WorkCalendar): string {
  let d = date;
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    d = addCalendarDays(d, 1);
    if (isWorkingDay(d, cal)) return d;
  }
  throw new RangeError(`no working day within ${MAX_SCAN_DAYS} days after ${date}: check the calendar`);
}

/**
 * The `n`-th working day after `date` (n ≥ 0). With n = 0: `date` itself when it is a working day, else the
 * next one. Worked example (2026): Friday 2026-02-13 + 1 → Saturday 2026-02-14 (a make-up working day);
 * + 2 → Tuesday 2026-02-24 (the Spring Festival runs 02-15 to 02-23).
 */
export function addWorkingDays(date: string, n: number, cal: WorkCalendar): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  let d = isWorkingDay(date, cal) ? date : nextWorkingDay(date, cal);
  for (let i = 0; i < n; i++) d = nextWorkingDay(d, cal);
  return d;
}

/** Working days in (from, to]: how many working days after `from` it takes to reach `to` (0 if to ≤ from). */
export function workingDaysBetween(from: string, to: string, cal: WorkCalendar): number {
  let n = 0;
  for (let d = addCalendarDays(from, 1); d <= to; d = addCalendarDays(d, 1)) if (isWorkingDay(d, cal)) n++;
  return n;
}

export interface WorkingDayRules {
  timeZone: string;
  calendar: WorkCalendar;
  /** `HH:MM`: what arrives at or after this time of a working day counts from the next working day. */
  cutoff: string;
  /** `HH:MM`: the time of day at which a deadline falls (the end of the working day). */
  dueTime: string;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/**
 * The working day a request is deemed received on: its local date when that is a working day and the time
 * is before the cut-off; otherwise the next working day (filed at 16:30 on Friday → Monday, or the Tuesday
 * after a Monday holiday).
 */
export function receivedOn(atMs: number, rules: WorkingDayRules): string {
  const p = localParts(atMs, rules.timeZone);
  const date = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  const beforeCutoff = p.hour * 60 + p.minute < minutesOf(rules.cutoff);
  return isWorkingDay(date, rules.calendar) && beforeCutoff ? date : nextWorkingDay(date, rules.calendar);
}

/**
 * The instant `workingDays` working days after receipt, at `dueTime`. 0 = the day of receipt ("reply the
 * same working day"); 5 = the fifth working day after it (the day of receipt does not count, as in
 * administrative time limits: 期间开始之日不计算在内).
 *
 * Worked example, cut-off 16:00, due 17:00, Asia/Shanghai: filed Thursday 2026-04-30 at 10:00 →
 * received 04-30; +0 → 04-30 17:00; +1 → Wednesday 05-06 17:00 (05-01..05-05 Labour Day); +5 → Monday
 * 05-11 17:00 (Saturday 05-09 is a make-up working day, so 05-06, 05-07, 05-08, 05-09, 05-11).
 */
export function workingDeadline(atMs: number, workingDays: number, rules: WorkingDayRules): number {
  const day = addWorkingDays(receivedOn(atMs, rules), workingDays, rules.calendar);
  return zonedTimeToMs(day, rules.dueTime, rules.timeZone);
}
