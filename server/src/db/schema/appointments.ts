import { sql } from 'drizzle-orm';
import { check, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { services } from './services.ts';
import { sites } from './sites.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });

const APPOINTMENT_KINDS = ['hall', 'video', 'homeVisit'] as const;
const APPOINTMENT_STATUSES = ['booked', 'checkedIn', 'cancelled', 'noShow', 'done'] as const;

/** Per service: when it can be booked. Absent → the core's DEFAULT_BOOKING_RULES. */
export const bookingRules = pgTable('booking_rules', {
  serviceId: uuid('service_id').primaryKey().references(() => services.id),
  siteId: uuid('site_id').notNull().references(() => sites.id),
  /** `{ mon: [["09:00","12:00"], …], …, sun: [] }` in the site's zone. */
  openingHours: jsonb('opening_hours').$type<Record<string, [string, string][]>>().notNull(),
  slotMinutes: integer('slot_minutes').notNull(),
  horizonDays: integer('horizon_days').notNull(),
  appointmentShare: doublePrecision('appointment_share').notNull(),
  closedDates: text('closed_dates').array().notNull().default(sql`'{}'::text[]`),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

/**
 * One row per (service, slot start) once anyone books it: the database decides who gets the last place.
 * A booking is `booked = booked + 1 WHERE booked < capacity`, and the CHECK makes overbooking impossible
 * even for a statement that forgot the condition.
 */
export const appointmentSlots = pgTable(
  'appointment_slots',
  {
    serviceId: uuid('service_id').notNull().references(() => services.id),
    start: tz('start').notNull(),
    siteId: uuid('site_id').notNull(),
    /** Derived when the row is made; refreshed when the rules change (never below `booked`). */
    capacity: integer('capacity').notNull(),
    booked: integer('booked').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.serviceId, t.start] }),
    check('appointment_slots_booked_ck', sql`${t.booked} >= 0 AND ${t.booked} <= ${t.capacity}`),
  ],
);

export const appointments = pgTable(
  'appointments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Short human code (QR / kiosk), unique. */
    code: text('code').notNull(),
    siteId: uuid('site_id').notNull().references(() => sites.id),
    serviceId: uuid('service_id').notNull().references(() => services.id),
    kind: text('kind', { enum: APPOINTMENT_KINDS }).notNull(),
    status: text('status', { enum: APPOINTMENT_STATUSES }).notNull(),
    start: tz('start').notNull(),
    end: tz('end').notNull(),
    /** The site's local date of `start`: the duplicate rule is per person, service and day. */
    day: date('day').notNull(),
    bookedAt: tz('booked_at').notNull(),
    checkedInAt: tz('checked_in_at'),
    cancelledAt: tz('cancelled_at'),
    noShowAt: tz('no_show_at'),
    ticketId: uuid('ticket_id'),
    citizenNameMasked: text('citizen_name_masked').notNull(),
    /** Keyed hash of the resident id: matches the same person without keeping the number. */
    citizenIdHash: text('citizen_id_hash').notNull(),
    citizenIdMasked: text('citizen_id_masked').notNull(),
    citizenPhoneMasked: text('citizen_phone_masked').notNull(),
    /** The phone, sealed, kept only while reminders may still be sent; blanked once the appointment is over. */
    phoneSealed: text('phone_sealed'),
    /** Home visits: the address, sealed, until the visit is recorded. */
    addressSealed: text('address_sealed'),
    addressMasked: text('address_masked'),
    accessTokenHash: text('access_token_hash').notNull(),
    remindDayBeforeAt: tz('remind_day_before_at'),
    remindHourBeforeAt: tz('remind_hour_before_at'),
    assignedStaffId: uuid('assigned_staff_id'),
    visit: jsonb('visit').$type<{ outcome: string; note: string; at: string; staffId: string }>(),
    rescheduleCount: integer('reschedule_count').notNull().default(0),
  },
  (t) => [
    uniqueIndex('appointments_code_uq').on(t.code),
    // DUPLICATE_BOOKING: one active appointment per person, service and day, decided by the database.
    uniqueIndex('appointments_person_service_day_uq').on(t.citizenIdHash, t.serviceId, t.day).where(sql`status IN ('booked', 'checkedIn')`),
    index('appointments_person_active_idx').on(t.citizenIdHash).where(sql`status = 'booked'`),
    index('appointments_site_day_idx').on(t.siteId, t.day),
    index('appointments_booked_start_idx').on(t.start).where(sql`status = 'booked'`),
  ],
);

/**
 * `Idempotency-Key` of POST /appointments: a retry gets the first answer again, with its access token
 * (sealed with the server secret, as for tickets). The request hash is keyed with the secret too, since
 * what it fingerprints includes an id number.
 */
export const appointmentIdempotencyKeys = pgTable('appointment_idempotency_keys', {
  key: text('key').primaryKey(),
  requestHash: text('request_hash').notNull(),
  appointmentId: uuid('appointment_id').notNull().references(() => appointments.id),
  accessTokenSealed: text('access_token_sealed').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});
