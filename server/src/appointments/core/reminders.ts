/**
 * Reminder times. A randomised trial found SMS reminders cut missed appointments by about a quarter; two
 * reminders (the day before, and an hour before) are what halls commonly send.
 *
 * Worked examples (slot Tuesday 09:00):
 * - booked the Friday before → reminders Monday 09:00 (dayBefore) and Tuesday 08:00 (hourBefore)
 * - booked Monday 15:00 → dayBefore would be in the past at booking: only hourBefore (08:00)
 * - booked Tuesday 08:30 → none: the citizen has just booked
 * - the server was down Monday 08:00 – Tuesday 08:10: at 08:10 both are due; only hourBefore is sent,
 *   a day-before message an hour before the slot would only confuse
 */
import { MINUTE_MS, type ReminderKind } from './types.ts';

/** Rationale: "the day before" and "an hour before", the two reminders halls commonly send. */
export const REMINDER_LEAD_MIN: Readonly<Record<ReminderKind, number>> = Object.freeze({ dayBefore: 24 * 60, hourBefore: 60 });

export interface PlannedReminders {
  dayBefore: number | null;
  hourBefore: number | null;
}

/** The reminders worth sending for a booking made at `bookedAt`: only those still ahead of it. */
export function planReminders(slotStart: number, bookedAt: number): PlannedReminders {
  const at = (kind: ReminderKind) => {
    const t = slotStart - REMINDER_LEAD_MIN[kind] * MINUTE_MS;
    return t > bookedAt ? t : null;
  };
  return { dayBefore: at('dayBefore'), hourBefore: at('hourBefore') };
}

/**
 * The reminder to send at `now`, if any: the latest planned one whose time has come, while the slot is
 * still ahead. An earlier one that is also due is superseded (see the module comment).
 */
export function dueReminder(now: number, slotStart: number, planned: PlannedReminders): ReminderKind | null {
  if (now >= slotStart) return null;
  if (planned.hourBefore !== null && planned.hourBefore <= now) return 'hourBefore';
  if (planned.dayBefore !== null && planned.dayBefore <= now) return 'dayBefore';
  return null;
}
