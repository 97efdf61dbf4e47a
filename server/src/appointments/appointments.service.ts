/**
 * Appointments: booking rules, slots, booking, cancel and reschedule, check-in into the hall queue, home
 * visits, and the timers behind reminders and no-shows.
 *
 * The database decides every race: a booking takes a place with one conditional upsert on the slot row
 * (never read-then-write), one person's bookings are serialised by an advisory lock, and a partial unique
 * index keeps one active appointment per person, item and day. Every job handler reads what is due from
 * the database, so running it twice, or on two nodes, changes nothing the second time.
 */
import { createHmac, randomInt } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Appointment, AppointmentCreate, BookingRulesBody, BookingRulesView, Slot } from '../contracts/appointments.ts';
import type { StaffUser, Ticket } from '../contracts/dto.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import type { Db } from '../db/client.ts';
import { pgErrorCode } from '../db/pg-errors.ts';
import { staff as staffTable } from '../db/schema/index.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { Clock } from '../lib/clock.ts';
import { checkCitizen } from '../lib/personal-data.ts';
import type { RateLimiter } from '../lib/rate-limiter.ts';
import { hashToken, newToken, seal, unseal } from '../lib/secrets.ts';
import { isoInZone, localDate } from '../lib/time.ts';
import type { Outbox } from '../notifications/outbox.ts';
import { toStaffUser } from '../auth/auth.service.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { IssueInput } from '../queue/queue.service.ts';
import { eq } from 'drizzle-orm';
import {
  type AppointmentKind, type BookingRules, capacityPerSlot, checkBookingRules, checkInWindow, decideCheckIn, DEFAULT_BOOKING_RULES,
  dueReminder, generateSlots, isWithinHorizon, MINUTE_MS, noShowAt, planReminders, type SlotDef, slotCapacities, type Weekday, WEEKDAYS,
} from './core/index.ts';
import * as repo from './appointments.repository.ts';
import type { AppointmentRow } from './appointments.repository.ts';
import type { SlotPlaces } from './slot-places.ts';

export interface AppointmentsDeps {
  db: Db;
  clock: Clock;
  sites: SiteDirectory;
  config: Pick<Config, 'secret' | 'checkIn' | 'rateLimit'>;
  rateLimiter: RateLimiter;
  jobs: Pick<JobRunner, 'schedule'>;
  outbox: Pick<Outbox, 'cancelFor' | 'deliverDue'>;
  queue: { issue(input: IssueInput): Promise<Result<Ticket>>; get(id: string): Promise<Result<Ticket>> };
  /** What is known of each slot's places left: refusals of a full slot are answered from it. */
  slotPlaces: SlotPlaces;
}

/** The one-off job that runs an appointment's timers (reminders, no-show) at their moment. */
export const APPOINTMENT_DUE_JOB = 'appointments.due';
/**
 * Rationale: one-off timers are only set for the next two hours (at booking, and by an hourly rebuild
 * from the database); the periodic sweep covers anything further out, so no timer ever has to survive
 * days in memory or in Redis.
 */
export const TIMER_HORIZON_MS = 2 * 60 * MINUTE_MS;
/** Rationale: 5 s keeps a burst of bookings off the rules tables while an edit shows up almost at once. */
const DERIVATION_CACHE_MS = 5_000;
/** Rationale: a site's zone practically never changes; a minute bounds how long a change takes to show. */
const ZONE_CACHE_MS = 60_000;
/**
 * Rationale: a release-time burst targets a handful of slot rows; more bookings in the database at once
 * than this only queue on those row locks while holding pool connections every other request needs.
 * Waiting here costs no connection and has no timeout, so a burst does not turn into pool timeouts (503s).
 */
const BOOKING_DB_CONCURRENCY = 8;
/**
 * Rationale: at a few milliseconds each, 2,000 waiting bookings drain within seconds; beyond that a
 * request would wait longer than a citizen would, so it is told to retry (429 with Retry-After).
 */
const BOOKING_MAX_WAITING = 2_000;
const BUSY_RETRY_AFTER_SEC = 2;
const BUSY = Symbol('busy');
/** Unambiguous characters only (no 0/O, 1/I/L): read aloud at a counter, typed at a kiosk. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Rationale: 31^8 ≈ 8.5e11 codes: unguessable at rate-limited speed, short enough to type. */
const CODE_LENGTH = 8;

/** At most `n` callers inside at once; up to `maxWaiting` more wait in arrival order; the rest are turned away. */
function createGate(n: number, maxWaiting: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T | typeof BUSY> => {
    if (active < n) active++;
    else if (waiting.length >= maxWaiting) return BUSY;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // Hand the place straight to the next waiter, so a newcomer cannot slip in between.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

class Refusal extends Error {
  constructor(readonly result: { ok: false; error: { code: import('../contracts/errors.ts').ErrorCode; details?: Record<string, unknown> } }) {
    super(result.error.code);
  }
}

function constraintOf(err: unknown): string | undefined {
  for (let e = err as { constraint?: unknown; cause?: unknown } | null, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.constraint === 'string') return e.constraint;
  }
  return undefined;
}

function newCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** 上海市青浦区华新镇新凤中路100号 → 上海市青浦区**** (the district stays readable; the street does not). */
export function maskAddress(address: string): string {
  const chars = [...address.trim()];
  return `${chars.slice(0, Math.min(6, Math.max(1, chars.length - 4))).join('')}****`;
}

function rulesFromRow(row: repo.BookingRulesRow): BookingRules {
  const openingHours = {} as Record<Weekday, [string, string][]>;
  for (const d of WEEKDAYS) openingHours[d] = row.openingHours[d] ?? [];
  return { openingHours, slotMinutes: row.slotMinutes, horizonDays: row.horizonDays, appointmentShare: row.appointmentShare, closedDates: row.closedDates };
}

export function createAppointmentsService(deps: AppointmentsDeps) {
  const { db, clock, config, slotPlaces } = deps;
  const policy = config.checkIn;
  let timersEnabled = false;
  // Caches hold the promise, not the value: a burst arriving on a cold or expired entry waits for one
  // load instead of each request loading it again (a stampede that starves the pool).
  const derivationCache = new Map<string, { at: number; value: Promise<Derivation | null> }>();
  const zoneCache = new Map<string, { at: number; value: Promise<string | null> }>();
  const bookingGate = createGate(BOOKING_DB_CONCURRENCY, BOOKING_MAX_WAITING);

  interface Derivation {
    service: NonNullable<Awaited<ReturnType<typeof repo.findService>>>;
    rules: BookingRules;
    isDefault: boolean;
    windows: Awaited<ReturnType<typeof repo.windowsServing>>;
    meanHandleMin: number;
    /** Day slots already derived from this snapshot, by `date|zone` (the booking path asks for the same day again and again). */
    days: Map<string, (SlotDef & { capacity: number })[]>;
  }

  /** What capacity is derived from, for one item: its rules, the windows serving it, its handling time. */
  async function derivation(siteId: string, serviceId: string): Promise<Result<Derivation>> {
    const d = await cachedLoad(derivationCache, serviceId, DERIVATION_CACHE_MS, async () => {
      const service = await repo.findService(db, serviceId);
      if (!service) return null;
      const [rulesRow, windows] = await Promise.all([repo.findRules(db, serviceId), repo.windowsServing(db, service.siteId, serviceId)]);
      return {
        service,
        rules: rulesRow ? rulesFromRow(rulesRow) : DEFAULT_BOOKING_RULES,
        isDefault: !rulesRow,
        windows,
        // The planned handling time: a stable figure, so capacities do not drift with last week's queue.
        meanHandleMin: service.targetHandleMin,
        days: new Map(),
      };
    });
    if (!d) return fail('NOT_FOUND', { resource: 'service' });
    if (d.service.siteId !== siteId) return fail('NOT_FOUND', { resource: 'service' });
    return ok(d);
  }

  function capacityInput(d: Derivation) {
    return { windowsServing: d.windows.length, slotMinutes: d.rules.slotMinutes, meanHandleMin: d.meanHandleMin, appointmentShare: d.rules.appointmentShare };
  }

  /** A date's slots with their derived capacities. */
  function daySlots(d: Derivation, date: string, timeZone: string): (SlotDef & { capacity: number })[] {
    const key = `${date}|${timeZone}`;
    let day = d.days.get(key);
    if (!day) {
      const slots = generateSlots(date, d.rules, timeZone);
      const caps = slotCapacities(capacityInput(d), slots.length);
      day = slots.map((s, i) => ({ ...s, capacity: caps[i] ?? 0 }));
      // Rationale: a horizon of a few months at most; the snapshot itself lives seconds.
      if (d.days.size < 400) d.days.set(key, day);
    }
    return day;
  }

  async function cachedLoad<T>(cache: Map<string, { at: number; value: Promise<T> }>, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && clock.now() - hit.at < ttlMs) return hit.value;
    const value = load();
    cache.set(key, { at: clock.now(), value });
    // A failed load is not cached.
    value.catch(() => cache.get(key)?.value === value && cache.delete(key));
    return value;
  }

  async function zoneOf(siteId: string): Promise<string | null> {
    return cachedLoad(zoneCache, siteId, ZONE_CACHE_MS, async () => (await deps.sites.get(siteId))?.timeZone ?? null);
  }

  // ---------- rules and slots ----------

  function rulesView(siteId: string, d: Derivation): BookingRulesView {
    return {
      siteId, serviceId: d.service.id,
      openingHours: Object.fromEntries(WEEKDAYS.map((w) => [w, d.rules.openingHours[w].map((r) => [...r])])) as BookingRulesView['openingHours'],
      slotMinutes: d.rules.slotMinutes, horizonDays: d.rules.horizonDays, appointmentShare: d.rules.appointmentShare,
      closedDates: [...d.rules.closedDates], isDefault: d.isDefault,
      derivation: { windowsServing: d.windows.length, meanHandleMin: d.meanHandleMin, capacityPerSlot: capacityPerSlot(capacityInput(d)) },
    };
  }

  async function getRules(siteId: string, serviceId: string): Promise<Result<BookingRulesView>> {
    if (!(await zoneOf(siteId))) return fail('NOT_FOUND', { resource: 'site' });
    const d = await derivation(siteId, serviceId);
    return d.ok ? ok(rulesView(siteId, d.value)) : d;
  }

  async function setRules(siteId: string, serviceId: string, body: BookingRulesBody): Promise<Result<BookingRulesView>> {
    const timeZone = await zoneOf(siteId);
    if (!timeZone) return fail('NOT_FOUND', { resource: 'site' });
    const service = await repo.findService(db, serviceId);
    if (!service || service.siteId !== siteId) return fail('NOT_FOUND', { resource: 'service' });
    const checked = checkBookingRules(body);
    if (!checked.ok) return fail('VALIDATION_FAILED', { field: checked.field, reason: checked.reason });
    const rules = checked.value;
    await db.transaction(async (tx) => {
      await repo.upsertRules(tx, {
        serviceId, siteId, openingHours: Object.fromEntries(WEEKDAYS.map((w) => [w, rules.openingHours[w].map(([a, b]) => [a, b] as [string, string])])), slotMinutes: rules.slotMinutes,
        horizonDays: rules.horizonDays, appointmentShare: rules.appointmentShare, closedDates: [...rules.closedDates], updatedAt: new Date(clock.now()),
      });
      // Places already made for future slots follow the new rules, never below what is already booked;
      // a slot the new rules no longer have keeps its bookings and takes no more.
      const rows = await repo.futureSlotRows(tx, serviceId, clock.now());
      if (rows.length === 0) return;
      const d: Derivation = { service, rules, isDefault: false, windows: await repo.windowsServing(tx, siteId, serviceId), meanHandleMin: service.targetHandleMin, days: new Map() };
      const byDay = new Map<string, Map<number, number>>();
      for (const row of rows) {
        const day = localDate(row.start.getTime(), timeZone);
        if (!byDay.has(day)) byDay.set(day, new Map(daySlots(d, day, timeZone).map((s) => [s.start, s.capacity])));
        await repo.setSlotCapacity(tx, serviceId, row.start, byDay.get(day)?.get(row.start.getTime()) ?? 0);
      }
    });
    derivationCache.delete(serviceId);
    await slotPlaces.forgetService(serviceId);
    return getRules(siteId, serviceId);
  }

  async function listSlots(siteId: string, serviceId: string, date: string): Promise<Result<Slot[]>> {
    const timeZone = await zoneOf(siteId);
    if (!timeZone) return fail('NOT_FOUND', { resource: 'site' });
    const dr = await derivation(siteId, serviceId);
    if (!dr.ok) return dr;
    const now = clock.now();
    if (!isWithinHorizon(date, localDate(now, timeZone), dr.value.rules.horizonDays)) return ok([]);
    const slots = daySlots(dr.value, date, timeZone).filter((s) => s.start > now);
    if (slots.length === 0) return ok([]);
    const first = slots[0] as SlotDef;
    const last = slots[slots.length - 1] as SlotDef;
    const rows = new Map((await repo.slotRows(db, serviceId, new Date(first.start), new Date(last.start + 1))).map((r) => [r.start.getTime(), r]));
    return ok(slots.map((s) => {
      const row = rows.get(s.start);
      const capacity = row ? row.capacity : s.capacity;
      return { start: isoInZone(s.start, timeZone), end: isoInZone(s.end, timeZone), capacity, remaining: Math.max(0, capacity - (row?.booked ?? 0)) };
    }));
  }

  /** The slot an ISO start names, if it is one of the item's bookable slots now. */
  async function resolveSlot(siteId: string, serviceId: string, startIso: string): Promise<Result<{ d: Derivation; slot: SlotDef & { capacity: number }; day: string; timeZone: string }>> {
    const timeZone = await zoneOf(siteId);
    if (!timeZone) return fail('NOT_FOUND', { resource: 'site' });
    const dr = await derivation(siteId, serviceId);
    if (!dr.ok) return dr.error.code === 'NOT_FOUND' ? fail('VALIDATION_FAILED', { field: 'serviceId', reason: 'not an item of this site' }) : dr;
    const startMs = Date.parse(startIso);
    if (!Number.isFinite(startMs)) return fail('VALIDATION_FAILED', { field: 'start', reason: 'not a time' });
    const now = clock.now();
    if (startMs <= now) return fail('VALIDATION_FAILED', { field: 'start', reason: 'this slot has already begun' });
    const day = localDate(startMs, timeZone);
    const slot = daySlots(dr.value, day, timeZone).find((s) => s.start === startMs);
    if (!slot) return fail('VALIDATION_FAILED', { field: 'start', reason: 'not a slot of this item' });
    if (!isWithinHorizon(day, localDate(now, timeZone), dr.value.rules.horizonDays)) {
      return fail('VALIDATION_FAILED', { field: 'start', reason: `booking opens ${dr.value.rules.horizonDays} days ahead` });
    }
    return ok({ d: dr.value, slot, day, timeZone });
  }

  // ---------- presenting ----------

  async function present(row: AppointmentRow, options: { staff?: boolean; accessToken?: string } = {}): Promise<Appointment> {
    const tz = (await zoneOf(row.siteId)) ?? 'Asia/Shanghai';
    const iso = (d: Date | null) => (d ? isoInZone(d.getTime(), tz) : null);
    const window = row.kind === 'homeVisit' ? null : checkInWindow(row.start.getTime(), policy);
    // Staff of the site need the full address to go there, until the visit is recorded.
    const address = row.kind !== 'homeVisit' ? null : options.staff && row.addressSealed ? unseal(row.addressSealed, config.secret) ?? row.addressMasked : row.addressMasked;
    const a: Appointment = {
      id: row.id, code: row.code, siteId: row.siteId, serviceId: row.serviceId, kind: row.kind, status: row.status,
      start: isoInZone(row.start.getTime(), tz), end: isoInZone(row.end.getTime(), tz), bookedAt: isoInZone(row.bookedAt.getTime(), tz),
      checkedInAt: iso(row.checkedInAt), ticketId: row.ticketId,
      checkIn: window ? { opensAt: isoInZone(window.opensAt, tz), closesAt: isoInZone(window.closesAt, tz) } : null,
      citizen: { name: row.citizenNameMasked, idNumber: row.citizenIdMasked, phone: row.citizenPhoneMasked },
      address, assignedStaffId: row.assignedStaffId,
      visit: row.visit ? { outcome: row.visit.outcome as 'completed' | 'incomplete' | 'notHome', note: row.visit.note, at: isoInZone(Date.parse(row.visit.at), tz), staffId: row.visit.staffId } : null,
    };
    if (options.accessToken) a.accessToken = options.accessToken;
    return a;
  }

  // ---------- booking ----------

  async function limit(key: string, max: number, windowSec: number): Promise<Result<true>> {
    const d = await deps.rateLimiter.hit(key, max, windowSec);
    return d.allowed ? ok(true) : fail('RATE_LIMITED', { retryAfterSec: d.retryAfterSec });
  }

  /**
   * Places left in a slot: what is known, else the committed count, read once for all the requests that
   * ask at the same moment (a burst on a slot nobody knows about yet makes one read, not hundreds).
   * Infinity when nothing is booked in it yet.
   */
  const reading = new Map<string, Promise<number>>();
  async function placesLeft(serviceId: string, startMs: number): Promise<number> {
    const look = await slotPlaces.look(serviceId, startMs);
    if (look.full) return 0;
    const key = `${serviceId}|${startMs}`;
    let read = reading.get(key);
    if (!read) {
      read = (async () => {
        try {
          const left = await repo.placesLeft(db, serviceId, new Date(startMs));
          if (left !== null && left <= 0) await slotPlaces.learn(serviceId, startMs, look.version, left);
          return left ?? Number.POSITIVE_INFINITY;
        } finally {
          reading.delete(key);
        }
      })();
      reading.set(key, read);
    }
    return read;
  }

  /** What a retry must repeat exactly; keyed with the secret, since it covers an id number. */
  function bookingHash(input: AppointmentCreate): string {
    const c = input.citizen;
    const fingerprint = [input.siteId, input.serviceId, input.start, input.kind ?? 'hall', input.address ?? null, c.name, c.idNumber, c.phone];
    return createHmac('sha256', config.secret).update(JSON.stringify(fingerprint)).digest('base64url');
  }

  /** The first answer to this key again, with its access token; a different request under it is refused. */
  async function replayBooking(key: string, hash: string): Promise<Result<Appointment> | null> {
    const prior = await repo.findIdempotencyKey(db, key);
    if (!prior) return null;
    if (prior.requestHash !== hash) return fail('IDEMPOTENCY_MISMATCH', { header: 'Idempotency-Key' });
    const row = await repo.findAppointment(db, prior.appointmentId);
    if (!row) return null;
    const token = unseal(prior.accessTokenSealed, config.secret) ?? undefined;
    return ok(await present(row, token ? { accessToken: token } : {}));
  }

  async function book(input: AppointmentCreate, context: { ip: string; idempotencyKey?: string }): Promise<Result<Appointment>> {
    const rl = config.rateLimit;
    const byIp = await limit(`booking:ip:${context.ip}`, rl.bookingsPerMinPerIp, 60);
    if (!byIp.ok) return byIp;
    const key = context.idempotencyKey;
    const hash = key ? bookingHash(input) : '';
    if (key) {
      // Before the per-person limit and the duplicate check: a retry is the same booking, not another.
      const replay = await replayBooking(key, hash);
      if (replay) return replay;
    }
    const citizen = checkCitizen(input.citizen, config.secret, ['name', 'idNumber', 'phone']);
    if (!citizen.ok) return fail('VALIDATION_FAILED', { field: citizen.field, reason: citizen.reason });
    const person = citizen.value;
    const idHash = person.idHash as string;
    const byPerson = await limit(`booking:person:${idHash}`, rl.bookingsPerDayPerPerson, 24 * 3600);
    if (!byPerson.ok) return byPerson;

    const kind: AppointmentKind = input.kind ?? 'hall';
    if (kind === 'homeVisit' && !input.address?.trim()) return fail('VALIDATION_FAILED', { field: 'address', reason: 'a home visit needs an address' });
    if (kind !== 'homeVisit' && input.address !== undefined) return fail('VALIDATION_FAILED', { field: 'address', reason: 'only home visits take an address' });
    const resolved = await resolveSlot(input.siteId, input.serviceId, input.start);
    if (!resolved.ok) return resolved;
    const { d, slot, day } = resolved.value;
    if (kind === 'video' && !d.windows.some((w) => w.kind === 'virtual')) {
      return fail('VALIDATION_FAILED', { field: 'kind', reason: 'no virtual window of this site serves the item' });
    }

    // A slot known to be full is refused here, before any database work or waiting at the gate: under a
    // release-time burst nearly every request ends here. Only the conditional update below grants a place.
    const full = () => fail('SLOT_FULL', { start: input.start });
    if ((await slotPlaces.look(input.serviceId, slot.start)).full) return full();

    const now = clock.now();
    const accessToken = newToken();
    const reminders = planReminders(slot.start, now);

    /** The database part: at most BOOKING_DB_CONCURRENCY at once, the rest wait their turn in arrival order. */
    const place = async (): Promise<Result<AppointmentRow>> => {
      // It may have filled while this request waited at the gate: look again, then at the committed count.
      if ((await placesLeft(input.serviceId, slot.start)) <= 0) return full();
      // Taken before the transaction: what it finds is recorded only if no place was given back meanwhile.
      const { version } = await slotPlaces.look(input.serviceId, slot.start);
      for (let attempt = 0; ; attempt++) {
        // Set inside the transaction; `as` keeps TypeScript from narrowing it to null out here.
        let remaining = null as number | null;
        try {
          const row = await db.transaction(async (tx) => {
            await repo.lockPerson(tx, idHash);
            const load = await repo.personLoad(tx, idHash, now, input.serviceId, day);
            if (load.sameDay > 0) throw new Refusal(fail('DUPLICATE_BOOKING', { serviceId: input.serviceId, date: day }));
            if (load.active >= rl.maxActiveAppointmentsPerPerson) throw new Refusal(fail('TOO_MANY_APPOINTMENTS', { limit: rl.maxActiveAppointmentsPerPerson }));
            const inserted = await repo.insertAppointment(tx, {
              code: newCode(), siteId: input.siteId, serviceId: input.serviceId, kind, status: 'booked',
              start: new Date(slot.start), end: new Date(slot.end), day, bookedAt: new Date(now),
              citizenNameMasked: person.nameMasked as string, citizenIdHash: idHash, citizenIdMasked: person.idMasked as string,
              citizenPhoneMasked: person.phoneMasked as string, phoneSealed: seal(person.phone as string, config.secret),
              addressSealed: kind === 'homeVisit' ? seal((input.address as string).trim(), config.secret) : null,
              addressMasked: kind === 'homeVisit' ? maskAddress(input.address as string) : null,
              accessTokenHash: hashToken(accessToken),
              remindDayBeforeAt: reminders.dayBefore === null ? null : new Date(reminders.dayBefore),
              remindHourBeforeAt: reminders.hourBefore === null ? null : new Date(reminders.hourBefore),
            });
            // Last, so the slot row's lock is held only for this statement and the commit.
            if (key) await repo.insertIdempotencyKey(tx, { key, requestHash: hash, appointmentId: inserted.id, accessTokenSealed: seal(accessToken, config.secret) });
            remaining = await repo.takePlace(tx, { serviceId: input.serviceId, siteId: input.siteId, start: new Date(slot.start), capacity: slot.capacity });
            if (remaining === null) throw new Refusal(full());
            return inserted;
          });
          // Committed: the count it left is now the database's own.
          if (remaining !== null) await slotPlaces.learn(input.serviceId, slot.start, version, remaining);
          return ok(row);
        } catch (err) {
          if (err instanceof Refusal) {
            if (err.result.error.code === 'SLOT_FULL') await slotPlaces.learn(input.serviceId, slot.start, version, 0);
            return err.result;
          }
          if (pgErrorCode(err) === '23505') {
            const constraint = constraintOf(err);
            if (constraint === 'appointments_person_service_day_uq') return fail('DUPLICATE_BOOKING', { serviceId: input.serviceId, date: day });
            if (constraint === 'appointments_code_uq' && attempt < 3) continue;
            // Two tries with one key at once: the second waits on the first's key row (answered below).
            if (key && constraint === 'appointment_idempotency_keys_pkey') return fail('DUPLICATE_BOOKING', { serviceId: input.serviceId, date: day });
          }
          throw err;
        }
      }
    };
    const placed = await bookingGate(place);
    // Shed load rather than let requests time out inside the pool: the caller retries shortly.
    if (placed === BUSY) return fail('RATE_LIMITED', { reason: 'busy', retryAfterSec: BUSY_RETRY_AFTER_SEC });
    if (!placed.ok) {
      // A retry that raced its first try (which committed while it waited on the person's lock) gets that answer.
      const replay = key && placed.error.code === 'DUPLICATE_BOOKING' ? await replayBooking(key, hash) : null;
      return replay ?? placed;
    }
    await scheduleTimers(placed.value);
    return ok(await present(placed.value, { accessToken }));
  }

  async function cancel(id: string): Promise<Result<Appointment>> {
    const result = await db.transaction(async (tx): Promise<Result<AppointmentRow>> => {
      const row = await repo.findAppointment(tx, id, true);
      if (!row) return fail('NOT_FOUND', { resource: 'appointment' });
      if (row.status !== 'booked') return fail('INVALID_TRANSITION', { from: row.status, command: 'cancel' });
      const updated = await repo.updateAppointment(tx, id, { status: 'cancelled', cancelledAt: new Date(clock.now()), phoneSealed: null, addressSealed: null });
      await repo.freePlace(tx, row.serviceId, row.start);
      await deps.outbox.cancelFor(tx, id);
      return ok(updated as AppointmentRow);
    });
    if (!result.ok) return result;
    // After the commit, so no node refuses the place given back.
    await slotPlaces.forget(result.value.serviceId, result.value.start.getTime());
    return ok(await present(result.value));
  }

  /** Moves a booking to another slot of the same item: the new place is taken before the old is freed, in one transaction. */
  async function reschedule(id: string, startIso: string, context: { ip: string }): Promise<Result<Appointment>> {
    const byIp = await limit(`booking:ip:${context.ip}`, config.rateLimit.bookingsPerMinPerIp, 60);
    if (!byIp.ok) return byIp;
    const current = await repo.findAppointment(db, id);
    if (!current) return fail('NOT_FOUND', { resource: 'appointment' });
    const resolved = await resolveSlot(current.siteId, current.serviceId, startIso);
    if (!resolved.ok) return resolved;
    const { slot, day } = resolved.value;
    const now = clock.now();
    let freed: number | null = null;
    try {
      const result = await db.transaction(async (tx): Promise<Result<AppointmentRow>> => {
        const row = await repo.findAppointment(tx, id, true);
        if (!row) return fail('NOT_FOUND', { resource: 'appointment' });
        if (row.status !== 'booked') return fail('INVALID_TRANSITION', { from: row.status, command: 'reschedule' });
        if (row.start.getTime() === slot.start) return ok(row);
        if ((await repo.takePlace(tx, { serviceId: row.serviceId, siteId: row.siteId, start: new Date(slot.start), capacity: slot.capacity })) === null) {
          throw new Refusal(fail('SLOT_FULL', { start: startIso }));
        }
        freed = row.start.getTime();
        await repo.freePlace(tx, row.serviceId, row.start);
        const reminders = planReminders(slot.start, now);
        const updated = await repo.updateAppointment(tx, id, {
          start: new Date(slot.start), end: new Date(slot.end), day, rescheduleCount: row.rescheduleCount + 1,
          remindDayBeforeAt: reminders.dayBefore === null ? null : new Date(reminders.dayBefore),
          remindHourBeforeAt: reminders.hourBefore === null ? null : new Date(reminders.hourBefore),
        });
        // Reminders written for the old slot no longer apply.
        await deps.outbox.cancelFor(tx, id);
        return ok(updated as AppointmentRow);
      });
      if (!result.ok) return result;
      if (freed !== null) await slotPlaces.forget(current.serviceId, freed);
      await scheduleTimers(result.value);
      return ok(await present(result.value));
    } catch (err) {
      if (err instanceof Refusal) return err.result;
      if (pgErrorCode(err) === '23505' && constraintOf(err) === 'appointments_person_service_day_uq') return fail('DUPLICATE_BOOKING', { serviceId: current.serviceId, date: day });
      throw err;
    }
  }

  // ---------- check-in ----------

  function outsideWindow(row: AppointmentRow, reason: 'early' | 'late', tz: string) {
    const w = checkInWindow(row.start.getTime(), policy);
    // The kiosk offers a walk-in ticket for the same item instead.
    return fail('CHECK_IN_WINDOW', {
      reason, opensAt: isoInZone(w.opensAt, tz), closesAt: isoInZone(w.closesAt, tz),
      offerWalkIn: true, walkIn: { siteId: row.siteId, serviceId: row.serviceId },
    });
  }

  /**
   * Check-in: a ticket due at max(checkInAt, slotStart) + targetWaitMin. Idempotent: the appointment is
   * claimed once (its check-in time fixed), and the ticket is issued under an idempotency key derived from
   * the appointment, so a repeat, a concurrent double tap, or a retry after a crash all get the same ticket.
   */
  async function checkIn(id: string): Promise<Result<Ticket>> {
    let row = await repo.findAppointment(db, id);
    if (!row) return fail('NOT_FOUND', { resource: 'appointment' });
    const tz = (await zoneOf(row.siteId)) ?? 'Asia/Shanghai';
    if (row.kind === 'homeVisit') return fail('INVALID_TRANSITION', { from: row.status, command: 'checkIn', reason: 'home visits have no ticket' });
    if (row.status === 'booked') {
      const now = clock.now();
      const decision = decideCheckIn(now, row.start.getTime(), policy);
      if (!decision.ok) return outsideWindow(row, decision.reason, tz);
      const claimed = await repo.updateAppointment(db, id, { status: 'checkedIn', checkedInAt: new Date(now), phoneSealed: null }, ['booked']);
      row = claimed ?? (await repo.findAppointment(db, id));
      if (!row) return fail('NOT_FOUND', { resource: 'appointment' });
      if (claimed) await deps.outbox.cancelFor(db, id);
    }
    if (row.status === 'noShow') return outsideWindow(row, 'late', tz);
    if (row.status !== 'checkedIn' || !row.checkedInAt) return fail('INVALID_TRANSITION', { from: row.status, command: 'checkIn' });

    let targetWindowId: string | null = null;
    if (row.kind === 'video') {
      const dr = await derivation(row.siteId, row.serviceId);
      const virtual = dr.ok ? dr.value.windows.filter((w) => w.kind === 'virtual') : [];
      // An open virtual window first, so the citizen is called soonest.
      targetWindowId = (virtual.find((w) => w.status === 'open') ?? virtual[0])?.id ?? null;
      if (!targetWindowId) return fail('SERVICE_NOT_SERVED', { reason: 'no virtual window serves this item' });
    }
    const ticket = await deps.queue.issue({
      siteId: row.siteId, serviceId: row.serviceId, channel: 'appointment',
      appointment: { id: row.id, slotStart: row.start.getTime(), checkInAt: row.checkedInAt.getTime(), targetWindowId },
      storedCitizen: { nameMasked: row.citizenNameMasked, idHash: row.citizenIdHash, idMasked: row.citizenIdMasked, phoneMasked: row.citizenPhoneMasked },
      idempotencyKey: `appointment:${row.id}`,
    });
    if (!ticket.ok) return ticket;
    if (row.ticketId !== ticket.value.id) await repo.updateAppointment(db, id, { ticketId: ticket.value.id });
    return ticket;
  }

  // ---------- home visits ----------

  async function assign(id: string, staffId: string, user: StaffUser): Promise<Result<Appointment>> {
    const row = await repo.findAppointment(db, id);
    if (!row) return fail('NOT_FOUND', { resource: 'appointment' });
    if (row.kind !== 'homeVisit') return fail('INVALID_TRANSITION', { from: row.status, command: 'assign', reason: 'only home visits are assigned' });
    if (!(await deps.sites.canAccess(user, row.siteId))) return fail('FORBIDDEN', { reason: 'site' });
    const [member] = await db.select().from(staffTable).where(eq(staffTable.id, staffId)).limit(1);
    if (!member || !member.active) return fail('VALIDATION_FAILED', { field: 'staffId', reason: 'no such staff member' });
    if (!(await deps.sites.canAccess(toStaffUser(member), row.siteId))) return fail('VALIDATION_FAILED', { field: 'staffId', reason: 'not staff of this site' });
    const updated = await repo.updateAppointment(db, id, { assignedStaffId: staffId }, ['booked']);
    if (!updated) return fail('INVALID_TRANSITION', { from: row.status, command: 'assign' });
    return ok(await present(updated, { staff: true }));
  }

  async function recordVisit(id: string, body: { outcome: 'completed' | 'incomplete' | 'notHome'; note: string }, user: StaffUser): Promise<Result<Appointment>> {
    const row = await repo.findAppointment(db, id);
    if (!row) return fail('NOT_FOUND', { resource: 'appointment' });
    if (row.kind !== 'homeVisit') return fail('INVALID_TRANSITION', { from: row.status, command: 'recordVisit', reason: 'only home visits have a visit record' });
    if (!(await deps.sites.canAccess(user, row.siteId))) return fail('FORBIDDEN', { reason: 'site' });
    if (user.role !== 'admin' && user.role !== 'supervisor' && row.assignedStaffId !== user.id) return fail('FORBIDDEN', { reason: 'not assigned to you' });
    const now = clock.now();
    const updated = await db.transaction(async (tx) => {
      const u = await repo.updateAppointment(tx, id, {
        status: body.outcome === 'notHome' ? 'noShow' : 'done',
        visit: { outcome: body.outcome, note: body.note, at: new Date(now).toISOString(), staffId: user.id },
        ...(body.outcome === 'notHome' ? { noShowAt: new Date(now) } : {}),
        // The visit is over: the address and the phone are no longer needed.
        addressSealed: null, phoneSealed: null,
      }, ['booked']);
      if (u) await deps.outbox.cancelFor(tx, id);
      return u;
    });
    if (!updated) return fail('INVALID_TRANSITION', { from: row.status, command: 'recordVisit' });
    return ok(await present(updated, { staff: true }));
  }

  // ---------- timers: reminders and no-shows ----------

  async function reminderText(row: AppointmentRow, serviceNames: Map<string, string>): Promise<string> {
    const site = await deps.sites.get(row.siteId);
    const tz = site?.timeZone ?? 'Asia/Shanghai';
    let serviceName = serviceNames.get(row.serviceId);
    if (serviceName === undefined) {
      serviceName = (await repo.findService(db, row.serviceId))?.name ?? '';
      serviceNames.set(row.serviceId, serviceName);
    }
    const when = isoInZone(row.start.getTime(), tz);
    const [, mm, dd] = when.slice(0, 10).split('-');
    const hm = when.slice(11, 16);
    const w = checkInWindow(row.start.getTime(), policy);
    const from = isoInZone(w.opensAt, tz).slice(11, 16);
    const to = isoInZone(w.closesAt, tz).slice(11, 16);
    const where = site?.name ?? '';
    switch (row.kind) {
      case 'hall':
        return `【一窗】您预约的${where}“${serviceName}”在${Number(mm)}月${Number(dd)}日${hm}办理，请于${from}–${to}到场签到，预约码${row.code}。`;
      case 'video':
        return `【一窗】您预约的${where}“${serviceName}”视频办理在${Number(mm)}月${Number(dd)}日${hm}，请于${from}–${to}在手机上签到，预约码${row.code}。`;
      case 'homeVisit':
        return `【一窗】${where}工作人员将于${Number(mm)}月${Number(dd)}日${hm}上门办理“${serviceName}”，请保持电话畅通，预约码${row.code}。`;
      default: {
        const never: never = row.kind;
        return never;
      }
    }
  }

  /**
   * Everything due at the clock's now: missed appointments become `noShow`, due reminders go into the
   * outbox (at most one per appointment, kind and slot). Idempotent; `appointmentId` narrows it to one.
   */
  async function sweep(appointmentId?: string): Promise<{ noShows: number; reminders: number }> {
    const now = clock.now();
    const missed = await repo.markNoShows(db, now, policy.lateMin, appointmentId);
    for (const m of missed) await deps.outbox.cancelFor(db, m.id);
    let reminders = 0;
    const names = new Map<string, string>();
    for (const a of await repo.reminderCandidates(db, now, appointmentId)) {
      const kind = dueReminder(now, a.start.getTime(), { dayBefore: a.remindDayBeforeAt?.getTime() ?? null, hourBefore: a.remindHourBeforeAt?.getTime() ?? null });
      if (!kind) continue;
      if (await repo.enqueueReminder(db, { appointmentId: a.id, kind, slotStart: a.start, body: await reminderText(a, names), nowMs: now })) reminders++;
    }
    return { noShows: missed.length, reminders };
  }

  /** The one-off timer handler: this appointment's due work, then its messages. */
  async function processDue(appointmentId: string): Promise<void> {
    await sweep(appointmentId);
    await deps.outbox.deliverDue({ subjectId: appointmentId });
  }

  function timersOf(row: Pick<AppointmentRow, 'id' | 'kind' | 'start' | 'remindDayBeforeAt' | 'remindHourBeforeAt'>): { tag: string; at: number }[] {
    const out: { tag: string; at: number }[] = [];
    if (row.remindDayBeforeAt) out.push({ tag: 'dayBefore', at: row.remindDayBeforeAt.getTime() });
    if (row.remindHourBeforeAt) out.push({ tag: 'hourBefore', at: row.remindHourBeforeAt.getTime() });
    if (row.kind !== 'homeVisit') out.push({ tag: 'noShow', at: noShowAt(row.start.getTime(), policy) });
    return out;
  }

  async function scheduleTimers(row: Parameters<typeof timersOf>[0], horizonEnd = clock.now() + TIMER_HORIZON_MS): Promise<number> {
    if (!timersEnabled) return 0;
    const now = clock.now();
    let n = 0;
    for (const t of timersOf(row)) {
      if (t.at <= now || t.at > horizonEnd) continue;
      // The id names the moment: a rescheduled appointment gets new timers; the old ones find nothing due.
      await deps.jobs.schedule(APPOINTMENT_DUE_JOB, { appointmentId: row.id }, t.at, `${row.id}.${t.tag}.${t.at}`);
      n++;
    }
    return n;
  }

  /** Sets the one-off timers of the coming horizon from the database (at boot, and hourly). */
  async function rebuildTimers(): Promise<number> {
    if (!timersEnabled) return 0;
    const now = clock.now();
    const end = now + TIMER_HORIZON_MS;
    let n = 0;
    for (const row of await repo.upcomingTimers(db, now, end, policy.lateMin)) n += await scheduleTimers(row, end);
    return n;
  }

  return {
    getRules, setRules, listSlots, book, cancel, reschedule, checkIn, assign, recordVisit,
    sweep, processDue, rebuildTimers,
    enableTimers() {
      timersEnabled = true;
    },
    find: (id: string) => repo.findAppointment(db, id),
    findByCode: (code: string) => repo.findByCode(db, code),
    listForDay: (siteId: string, day: string) => repo.listForDay(db, siteId, day),
    present,
  };
}

export type AppointmentsService = ReturnType<typeof createAppointmentsService>;
