/** SQL of appointments: every function takes the transaction it runs in. */
import { and, asc, eq, gt, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { appointmentIdempotencyKeys, appointments, appointmentSlots, bookingRules, notificationOutbox, services, windowServices, windows } from '../db/schema/index.ts';

export type AppointmentRow = typeof appointments.$inferSelect;
export type AppointmentInsert = typeof appointments.$inferInsert;
export type BookingRulesRow = typeof bookingRules.$inferSelect;
export type SlotRow = typeof appointmentSlots.$inferSelect;

export async function findService(tx: Tx, serviceId: string) {
  const [row] = await tx.select().from(services).where(eq(services.id, serviceId)).limit(1);
  return row;
}

export async function findRules(tx: Tx, serviceId: string): Promise<BookingRulesRow | undefined> {
  const [row] = await tx.select().from(bookingRules).where(eq(bookingRules.serviceId, serviceId)).limit(1);
  return row;
}

export async function upsertRules(tx: Tx, row: typeof bookingRules.$inferInsert): Promise<void> {
  await tx.insert(bookingRules).values(row).onConflictDoUpdate({
    target: bookingRules.serviceId,
    set: { openingHours: row.openingHours, slotMinutes: row.slotMinutes, horizonDays: row.horizonDays, appointmentShare: row.appointmentShare, closedDates: row.closedDates, updatedAt: row.updatedAt },
  });
}

/** Windows of the site serving the item, with their kind. */
export async function windowsServing(tx: Tx, siteId: string, serviceId: string) {
  return tx
    .select({ id: windows.id, kind: windows.kind, number: windows.number, status: windows.status })
    .from(windowServices)
    .innerJoin(windows, eq(windows.id, windowServices.windowId))
    .where(and(eq(windowServices.serviceId, serviceId), eq(windows.siteId, siteId)))
    .orderBy(asc(windows.number));
}

export async function slotRows(tx: Tx, serviceId: string, from: Date, to: Date): Promise<SlotRow[]> {
  return tx
    .select()
    .from(appointmentSlots)
    .where(and(eq(appointmentSlots.serviceId, serviceId), sql`${appointmentSlots.start} >= ${from.toISOString()}`, sql`${appointmentSlots.start} < ${to.toISOString()}`));
}

/**
 * Takes one place of a slot, or none: the row is made with its derived capacity on first use, and an
 * existing row only moves while `booked < capacity`. One statement, decided under the row's lock, so
 * concurrent bookings can never take more places than there are. Returns the places left after it, or
 * null when the slot was full.
 */
export async function takePlace(tx: Tx, slot: { serviceId: string; siteId: string; start: Date; capacity: number }): Promise<number | null> {
  if (slot.capacity <= 0) {
    // A zero-capacity slot has no row to lock; a rules change may have made an existing one bookable.
    const [row] = await tx
      .update(appointmentSlots)
      .set({ booked: sql`${appointmentSlots.booked} + 1` })
      .where(and(eq(appointmentSlots.serviceId, slot.serviceId), eq(appointmentSlots.start, slot.start), sql`${appointmentSlots.booked} < ${appointmentSlots.capacity}`))
      .returning({ booked: appointmentSlots.booked, capacity: appointmentSlots.capacity });
    return row ? row.capacity - row.booked : null;
  }
  const result = (await tx.execute(sql`
    INSERT INTO appointment_slots (service_id, start, site_id, capacity, booked)
    VALUES (${slot.serviceId}, ${slot.start.toISOString()}, ${slot.siteId}, ${slot.capacity}, 1)
    ON CONFLICT (service_id, start) DO UPDATE SET booked = appointment_slots.booked + 1
    WHERE appointment_slots.booked < appointment_slots.capacity
    RETURNING capacity - booked AS remaining`)) as { rows: { remaining: number | string }[] };
  const [row] = result.rows;
  return row ? Number(row.remaining) : null;
}

/** The places left in the slot by its committed count, or null when no place has been taken in it yet. */
export async function placesLeft(tx: Tx, serviceId: string, start: Date): Promise<number | null> {
  const [row] = await tx
    .select({ remaining: sql<number>`(${appointmentSlots.capacity} - ${appointmentSlots.booked})::int` })
    .from(appointmentSlots)
    .where(and(eq(appointmentSlots.serviceId, serviceId), eq(appointmentSlots.start, start)))
    .limit(1);
  return row ? Number(row.remaining) : null;
}

export async function freePlace(tx: Tx, serviceId: string, start: Date): Promise<void> {
  await tx
    .update(appointmentSlots)
    .set({ booked: sql`${appointmentSlots.booked} - 1` })
    .where(and(eq(appointmentSlots.serviceId, serviceId), eq(appointmentSlots.start, start), gt(appointmentSlots.booked, 0)));
}

/** Serialises one person's bookings (the active-appointment limit), across every node. */
export async function lockPerson(tx: Tx, idHash: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`appt-person:${idHash}`}, 0))`);
}

/** The person's upcoming booked appointments, and whether one is for this service and day. */
export async function personLoad(tx: Tx, idHash: string, nowMs: number, serviceId: string, day: string) {
  const [row] = await tx
    .select({
      active: sql<number>`count(*) FILTER (WHERE ${appointments.status} = 'booked' AND ${appointments.end} > ${new Date(nowMs).toISOString()})::int`,
      sameDay: sql<number>`count(*) FILTER (WHERE ${appointments.serviceId} = ${serviceId} AND ${appointments.day} = ${day})::int`,
    })
    .from(appointments)
    .where(and(eq(appointments.citizenIdHash, idHash), inArray(appointments.status, ['booked', 'checkedIn'])));
  return { active: row?.active ?? 0, sameDay: row?.sameDay ?? 0 };
}

export async function insertAppointment(tx: Tx, row: AppointmentInsert): Promise<AppointmentRow> {
  const [inserted] = await tx.insert(appointments).values(row).returning();
  return inserted as AppointmentRow;
}

export type AppointmentIdempotencyRow = typeof appointmentIdempotencyKeys.$inferSelect;

export async function insertIdempotencyKey(tx: Tx, row: typeof appointmentIdempotencyKeys.$inferInsert): Promise<void> {
  await tx.insert(appointmentIdempotencyKeys).values(row);
}

export async function findIdempotencyKey(tx: Tx, key: string): Promise<AppointmentIdempotencyRow | undefined> {
  const [row] = await tx.select().from(appointmentIdempotencyKeys).where(eq(appointmentIdempotencyKeys.key, key)).limit(1);
  return row;
}

export async function findAppointment(tx: Tx, id: string, lock = false): Promise<AppointmentRow | undefined> {
  const q = tx.select().from(appointments).where(eq(appointments.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

export async function findByCode(tx: Tx, code: string): Promise<AppointmentRow | undefined> {
  const [row] = await tx.select().from(appointments).where(eq(appointments.code, code.toUpperCase())).limit(1);
  return row;
}

export async function listForDay(tx: Tx, siteId: string, day: string): Promise<AppointmentRow[]> {
  return tx.select().from(appointments).where(and(eq(appointments.siteId, siteId), eq(appointments.day, day))).orderBy(asc(appointments.start), asc(appointments.bookedAt));
}

export async function updateAppointment(tx: Tx, id: string, set: Partial<AppointmentInsert>, onlyIfStatus?: AppointmentRow['status'][]): Promise<AppointmentRow | undefined> {
  const [row] = await tx
    .update(appointments)
    .set(set)
    .where(onlyIfStatus ? and(eq(appointments.id, id), inArray(appointments.status, onlyIfStatus)) : eq(appointments.id, id))
    .returning();
  return row;
}

/** Booked hall and video appointments whose check-in has closed, marked `noShow` (idempotent). */
export async function markNoShows(tx: Tx, nowMs: number, lateMin: number, appointmentId?: string): Promise<AppointmentRow[]> {
  const cutoff = new Date(nowMs - lateMin * 60_000).toISOString();
  return tx
    .update(appointments)
    .set({ status: 'noShow', noShowAt: new Date(nowMs), phoneSealed: null })
    .where(and(
      eq(appointments.status, 'booked'),
      inArray(appointments.kind, ['hall', 'video']),
      sql`${appointments.start} < ${cutoff}`,
      appointmentId ? eq(appointments.id, appointmentId) : undefined,
    ))
    .returning();
}

/** Booked appointments with a reminder due and not yet written to the outbox for this slot. */
export async function reminderCandidates(tx: Tx, nowMs: number, appointmentId?: string, limit = 500): Promise<AppointmentRow[]> {
  const now = new Date(nowMs).toISOString();
  const written = (kind: string) => sql`EXISTS (SELECT 1 FROM ${notificationOutbox} o WHERE o.subject_id = ${appointments.id} AND o.kind = ${kind}
    AND o.dedupe_key = 'appointment:' || ${appointments.id}::text || ':' || ${kind} || ':' || (extract(epoch from ${appointments.start}) * 1000)::bigint::text)`;
  return tx
    .select()
    .from(appointments)
    .where(and(
      eq(appointments.status, 'booked'),
      isNotNull(appointments.phoneSealed),
      sql`${appointments.start} > ${now}`,
      or(
        and(sql`${appointments.remindHourBeforeAt} <= ${now}`, sql`NOT ${written('hourBefore')}`),
        and(sql`${appointments.remindDayBeforeAt} <= ${now}`, sql`(${appointments.remindHourBeforeAt} IS NULL OR ${appointments.remindHourBeforeAt} > ${now})`, sql`NOT ${written('dayBefore')}`),
      ),
      appointmentId ? eq(appointments.id, appointmentId) : undefined,
    ))
    .limit(limit);
}

/**
 * Writes a reminder to the outbox if the appointment is still booked for that slot. `FOR SHARE` makes a
 * concurrent cancel either wait for this row (and then cancel it) or win first (and then nothing is written).
 */
export async function enqueueReminder(tx: Tx, r: { appointmentId: string; kind: string; slotStart: Date; body: string; nowMs: number }): Promise<boolean> {
  const dedupeKey = `appointment:${r.appointmentId}:${r.kind}:${r.slotStart.getTime()}`;
  const result = (await tx.execute(sql`
    INSERT INTO notification_outbox (topic, kind, subject_id, dedupe_key, channel, recipient_sealed, recipient_masked, body, status, next_attempt_at, expires_at, created_at)
    SELECT 'appointment.reminder', ${r.kind}, a.id, ${dedupeKey}, 'sms', a.phone_sealed, a.citizen_phone_masked, ${r.body}, 'pending',
      ${new Date(r.nowMs).toISOString()}, a.start, ${new Date(r.nowMs).toISOString()}
    FROM appointments a
    WHERE a.id = ${r.appointmentId} AND a.status = 'booked' AND a.start = ${r.slotStart.toISOString()} AND a.phone_sealed IS NOT NULL
    FOR SHARE
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id`)) as { rows: unknown[] };
  return result.rows.length === 1;
}

/** Booked appointments with a timer (reminder or no-show) between `from` and `to`. */
export async function upcomingTimers(tx: Tx, fromMs: number, toMs: number, lateMin: number) {
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const lateMs = lateMin * 60_000;
  return tx
    .select({ id: appointments.id, kind: appointments.kind, start: appointments.start, remindDayBeforeAt: appointments.remindDayBeforeAt, remindHourBeforeAt: appointments.remindHourBeforeAt })
    .from(appointments)
    .where(and(
      eq(appointments.status, 'booked'),
      or(
        and(sql`${appointments.remindDayBeforeAt} > ${from}`, sql`${appointments.remindDayBeforeAt} <= ${to}`),
        and(sql`${appointments.remindHourBeforeAt} > ${from}`, sql`${appointments.remindHourBeforeAt} <= ${to}`),
        and(sql`${appointments.start} > ${new Date(fromMs - lateMs).toISOString()}`, sql`${appointments.start} <= ${new Date(toMs - lateMs).toISOString()}`),
      ),
    ))
    .limit(10_000);
}

/** Slot rows of a service from `from` on, for refreshing capacities after a rules change. */
export async function futureSlotRows(tx: Tx, serviceId: string, fromMs: number): Promise<SlotRow[]> {
  return tx.select().from(appointmentSlots).where(and(eq(appointmentSlots.serviceId, serviceId), sql`${appointmentSlots.start} > ${new Date(fromMs).toISOString()}`));
}

export async function setSlotCapacity(tx: Tx, serviceId: string, start: Date, capacity: number): Promise<void> {
  await tx
    .update(appointmentSlots)
    .set({ capacity: sql`GREATEST(${capacity}, ${appointmentSlots.booked})` })
    .where(and(eq(appointmentSlots.serviceId, serviceId), eq(appointmentSlots.start, start)));
}

