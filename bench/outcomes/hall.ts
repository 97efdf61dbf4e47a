/**
 * The outcomes bench's hall: 10 comprehensive windows (一窗受理: every window serves every item), open
 * 09:00–12:00 and 13:30–17:00, four general and two complex items, 40 % of citizens booked in 30-minute
 * slots (checking in 15 min early to 5 min late), 12 % in a priority group, walk-ins with a morning peak.
 * Arrivals are scaled so the offered work is `utilisation` × the windows' open time.
 */
import { resolveServiceTargets, type Complexity } from '../../server/src/queue/core/types.ts';
import { HOUR_MS, type AppointmentBooking, type SimScenario, type SimWindow, type WalkInStream } from '../../server/src/ops/core/simulator.ts';

const MIN = 60_000;
const WINDOWS = 10;
/** Rationale: 一窗受理 halls make every window comprehensive; it also keeps utilisation one clear figure. */
const OPEN = [
  { from: 9 * HOUR_MS, to: 12 * HOUR_MS },
  { from: 13.5 * HOUR_MS, to: 17 * HOUR_MS },
];
const OPEN_HOURS = OPEN.reduce((s, o) => s + (o.to - o.from) / HOUR_MS, 0);
/** Rationale: 40 % booked and 12 % priority are the figures for a district hall. */
export const APPOINTMENT_SHARE = 0.4;
export const PRIORITY_SHARE = 0.12;

const ITEMS: { id: string; complexity: Complexity; meanHandleMin: number; weight: number }[] = [
  { id: 'residence', complexity: 'general', meanHandleMin: 8, weight: 0.3 },
  { id: 'socialSecurity', complexity: 'general', meanHandleMin: 10, weight: 0.2 },
  { id: 'medicalInsurance', complexity: 'general', meanHandleMin: 12, weight: 0.15 },
  { id: 'certificate', complexity: 'general', meanHandleMin: 15, weight: 0.15 },
  { id: 'businessLicence', complexity: 'complex', meanHandleMin: 25, weight: 0.12 },
  { id: 'realEstate', complexity: 'complex', meanHandleMin: 35, weight: 0.08 },
];
const WEIGHT_SUM = ITEMS.reduce((s, x) => s + x.weight, 0);
export const MEAN_HANDLE_MIN = ITEMS.reduce((s, x) => s + (x.weight / WEIGHT_SUM) * x.meanHandleMin, 0);

/** Walk-in intensity per stretch of the day, relative (morning peak, quieter after lunch). */
const WALK_IN_PROFILE = [
  { from: 9, to: 10, weight: 1.15 },
  { from: 10, to: 11, weight: 1.25 },
  { from: 11, to: 12, weight: 1.0 },
  { from: 13.5, to: 14.5, weight: 0.9 },
  { from: 14.5, to: 15.5, weight: 1.0 },
  { from: 15.5, to: 16.5, weight: 0.85 },
  { from: 16.5, to: 17, weight: 0.7 },
];
const PROFILE_MASS = WALK_IN_PROFILE.reduce((s, p) => s + p.weight * (p.to - p.from), 0);
/** 30-minute slots from each opening to half an hour before its close. */
const SLOTS = OPEN.flatMap((o) => Array.from({ length: (o.to - o.from) / (30 * MIN) }, (_, i) => o.from + i * 30 * MIN));

export function hallScenario(utilisation: number): SimScenario & { expectedTickets: number } {
  const tickets = (utilisation * WINDOWS * OPEN_HOURS * 60) / MEAN_HANDLE_MIN;
  const walkIns = tickets * (1 - APPOINTMENT_SHARE);
  const booked = tickets * APPOINTMENT_SHARE;
  const streams: WalkInStream[] = WALK_IN_PROFILE.flatMap((p) =>
    ITEMS.map((it) => ({
      serviceId: it.id,
      from: p.from * HOUR_MS,
      to: p.to * HOUR_MS,
      ratePerHour: (walkIns * p.weight * it.weight) / PROFILE_MASS / WEIGHT_SUM,
    })),
  );
  // Bookings are whole citizens: each item's fractional count per slot is carried to the next slot.
  const appointments: AppointmentBooking[] = [];
  for (const it of ITEMS) {
    let carry = 0;
    for (const slotStart of SLOTS) {
      carry += (booked * it.weight) / WEIGHT_SUM / SLOTS.length;
      const count = Math.floor(carry + 1e-9);
      carry -= count;
      if (count > 0) appointments.push({ serviceId: it.id, slotStart, count });
    }
  }
  const windows: SimWindow[] = Array.from({ length: WINDOWS }, (_, i) => ({
    id: `W${i + 1}`,
    serviceIds: ITEMS.map((x) => x.id),
    open: OPEN.map((o) => ({ ...o, drain: true })),
  }));
  return {
    expectedTickets: tickets,
    services: ITEMS.map((it) => ({
      id: it.id,
      targets: resolveServiceTargets(it),
      // Rationale: hall handling times are right-skewed; CV 0.8 is between fixed and exponential.
      handle: { kind: 'lognormal', meanMin: it.meanHandleMin, cv: 0.8 },
    })),
    windows,
    walkIns: streams,
    appointments,
    priorityShare: PRIORITY_SHARE,
    hourly: false,
  };
}
