/** Validation of booking rules as an administrator sends them. */
import { isValidDate, minutesOfDay } from './slots.ts';
import { type BookingRules, type TimeRange, type Weekday, WEEKDAYS } from './types.ts';

export interface BookingRulesInput {
  openingHours: Partial<Record<Weekday, readonly (readonly string[])[]>>;
  slotMinutes: number;
  horizonDays: number;
  appointmentShare: number;
  closedDates?: readonly string[];
}

export type RulesCheck = { ok: true; value: BookingRules } | { ok: false; field: string; reason: string };

/**
 * Checks and normalises: every range is `[HH:MM, HH:MM]` with start before end, no two ranges of a day
 * overlap, each range holds at least one slot, closed dates are real dates. Missing weekdays are closed.
 */
export function checkBookingRules(input: BookingRulesInput): RulesCheck {
  if (!Number.isInteger(input.slotMinutes) || input.slotMinutes < 5 || input.slotMinutes > 240) {
    return { ok: false, field: 'slotMinutes', reason: 'an integer from 5 to 240' };
  }
  if (!Number.isInteger(input.horizonDays) || input.horizonDays < 0 || input.horizonDays > 180) {
    return { ok: false, field: 'horizonDays', reason: 'an integer from 0 to 180' };
  }
  if (!(input.appointmentShare >= 0 && input.appointmentShare <= 1)) {
    return { ok: false, field: 'appointmentShare', reason: 'a number from 0 to 1' };
  }
  const openingHours = {} as Record<Weekday, TimeRange[]>;
  for (const key of Object.keys(input.openingHours)) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) return { ok: false, field: `openingHours.${key}`, reason: 'not a weekday (mon … sun)' };
  }
  for (const day of WEEKDAYS) {
    const list = input.openingHours[day] ?? [];
    const parsed: { from: number; to: number; range: TimeRange }[] = [];
    for (const [i, r] of list.entries()) {
      const field = `openingHours.${day}.${i}`;
      if (r.length !== 2) return { ok: false, field, reason: 'a range is ["HH:MM", "HH:MM"]' };
      const [a, b] = r as [string, string];
      const from = minutesOfDay(a);
      const to = minutesOfDay(b);
      if (from === null || to === null) return { ok: false, field, reason: 'times are HH:MM' };
      if (from >= to) return { ok: false, field, reason: 'the range must end after it starts' };
      if (to - from < input.slotMinutes) return { ok: false, field, reason: 'the range is shorter than one slot' };
      parsed.push({ from, to, range: [a, b] });
    }
    parsed.sort((x, y) => x.from - y.from);
    for (let i = 1; i < parsed.length; i++) {
      if ((parsed[i]?.from ?? 0) < (parsed[i - 1]?.to ?? 0)) return { ok: false, field: `openingHours.${day}`, reason: 'ranges overlap' };
    }
    openingHours[day] = parsed.map((p) => p.range);
  }
  const closedDates = [...new Set(input.closedDates ?? [])].sort();
  for (const [i, d] of closedDates.entries()) {
    if (!isValidDate(d)) return { ok: false, field: `closedDates.${i}`, reason: 'a date YYYY-MM-DD' };
  }
  return {
    ok: true,
    value: { openingHours, slotMinutes: input.slotMinutes, horizonDays: input.horizonDays, appointmentShare: input.appointmentShare, closedDates },
  };
}
