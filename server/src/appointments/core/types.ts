/**
 * Vocabulary of the pure appointments core. Times are epoch milliseconds; dates are `YYYY-MM-DD` in the
 * site's zone; wall-clock times are `HH:MM`. Nothing here reads a clock, the environment or a database.
 */
export const MINUTE_MS = 60_000;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `["09:00", "12:00"]`: open from the first time up to (not including) the second. */
export type TimeRange = readonly [string, string];

export interface BookingRules {
  openingHours: Readonly<Record<Weekday, readonly TimeRange[]>>;
  slotMinutes: number;
  /** Booking for a date opens this many days ahead (today counts as day 0). */
  horizonDays: number;
  /** Share of derived capacity offered to appointments; the rest stays for walk-ins. 0…1. */
  appointmentShare: number;
  /** Closed dates (holidays) in the site's zone. */
  closedDates: readonly string[];
}

export const APPOINTMENT_KINDS = ['hall', 'video', 'homeVisit'] as const;
export type AppointmentKind = (typeof APPOINTMENT_KINDS)[number];

export const APPOINTMENT_STATUSES = ['booked', 'checkedIn', 'cancelled', 'noShow', 'done'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const REMINDER_KINDS = ['dayBefore', 'hourBefore'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/**
 * Rationale: hall opening hours of Chinese government service centres (Mon–Fri 09:00–12:00 and
 * 13:30–17:00), 30-minute slots, a week ahead, and half the capacity kept for walk-ins. Used for an item
 * until an administrator sets its rules, so every item can be booked from the start (事项统一预约全覆盖).
 */
export const DEFAULT_BOOKING_RULES: BookingRules = Object.freeze({
  openingHours: Object.freeze({
    mon: [['09:00', '12:00'], ['13:30', '17:00']],
    tue: [['09:00', '12:00'], ['13:30', '17:00']],
    wed: [['09:00', '12:00'], ['13:30', '17:00']],
    thu: [['09:00', '12:00'], ['13:30', '17:00']],
    fri: [['09:00', '12:00'], ['13:30', '17:00']],
    sat: [],
    sun: [],
  }) as Record<Weekday, readonly TimeRange[]>,
  slotMinutes: 30,
  horizonDays: 7,
  appointmentShare: 0.5,
  closedDates: [],
});

export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
