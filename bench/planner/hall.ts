/**
 * The benchmark hall: 20 items (事项), 10 windows — 4 comprehensive windows serving every item and 6
 * specialised ones serving 5 items each — open 9–12 and 13–17, with a morning peak, bookings and elderly
 * visitors. Numbers are plausible for a district centre's sub-hall; they only need to be realistic in shape.
 */
import { resolveServiceTargets, type Complexity } from '../../server/src/queue/core/types.ts';
import { HOUR_MS, type SimScenario, type SimWindow } from '../../server/src/ops/core/simulator.ts';
import type { HourCount, PlanService, StaffingPlanInput } from '../../server/src/ops/core/staffing-plan.ts';

const MIN = 60_000;
export const OPENING_HOURS = [9, 10, 11, 13, 14, 15, 16];
/** Share of the day's walk-ins per opening hour (morning peak, quieter after lunch). Sums to 1. */
const HOUR_PROFILE = [0.16, 0.2, 0.15, 0.11, 0.14, 0.13, 0.11];
/** Rationale: ~250 tickets a day keeps 10 windows around 80–90 % busy with these handling times. */
const WALK_INS_PER_DAY = 200;
const BOOKINGS_PER_HOUR_PER_ITEM = 0.35;

export const SERVICES: (PlanService & { complexity: Complexity; meanHandleMin: number; weight: number })[] = Array.from(
  { length: 20 },
  (_, i) => ({
    id: `item${String(i + 1).padStart(2, '0')}`,
    complexity: i % 5 === 4 ? 'complex' : 'general',
    // 6–31 min, complex items the slowest.
    meanHandleMin: i % 5 === 4 ? 25 + (i % 7) : 6 + ((i * 7) % 13),
    // A few items take most of the traffic (Zipf-like).
    weight: 1 / (1 + i * 0.35),
  }),
);
const WEIGHT_SUM = SERVICES.reduce((s, x) => s + x.weight, 0);

export const WINDOWS: SimWindow[] = [
  ...Array.from({ length: 4 }, (_, i) => ({ id: `C${i + 1}`, serviceIds: SERVICES.map((s) => s.id) })),
  ...Array.from({ length: 6 }, (_, i) => ({
    id: `S${i + 1}`,
    serviceIds: SERVICES.filter((_, k) => k % 6 === i || (k + 3) % 6 === i).slice(0, 5).map((s) => s.id),
  })),
].map((w) => ({ ...w, open: [{ from: 9 * HOUR_MS, to: 12 * HOUR_MS, drain: true }, { from: 13 * HOUR_MS, to: 17 * HOUR_MS, drain: true }] }));

export const WALK_IN_COUNTS: HourCount[] = OPENING_HOURS.flatMap((hour, h) =>
  SERVICES.map((s) => ({ hour, serviceId: s.id, count: (WALK_INS_PER_DAY * (HOUR_PROFILE[h] ?? 0) * s.weight) / WEIGHT_SUM })),
);
export const BOOKED_COUNTS: HourCount[] = OPENING_HOURS.flatMap((hour) =>
  SERVICES.filter((_, i) => i % 2 === 0).map((s) => ({ hour, serviceId: s.id, count: Math.round(BOOKINGS_PER_HOUR_PER_ITEM * 2) })),
);

export const DAY_SCENARIO: SimScenario = {
  services: SERVICES.map((s) => ({
    id: s.id,
    targets: resolveServiceTargets(s),
    // Rationale: hall handling times are right-skewed; CV 0.8 is between fixed and exponential.
    handle: { kind: 'lognormal', meanMin: s.meanHandleMin, cv: 0.8 },
  })),
  windows: WINDOWS,
  walkIns: WALK_IN_COUNTS.map((c) => ({ serviceId: c.serviceId, from: c.hour * HOUR_MS, to: (c.hour + 1) * HOUR_MS, ratePerHour: c.count })),
  appointments: BOOKED_COUNTS.flatMap((c) =>
    Array.from({ length: c.count }, (_, i) => ({ serviceId: c.serviceId, slotStart: c.hour * HOUR_MS + i * 30 * MIN })),
  ),
  priorityShare: 0.15,
};

export const PLAN_INPUT: StaffingPlanInput = {
  openingHours: OPENING_HOURS,
  services: SERVICES.map(({ id, complexity, meanHandleMin }) => ({ id, complexity, meanHandleMin })),
  walkIns: WALK_IN_COUNTS,
  appointments: BOOKED_COUNTS,
  priorityShare: 0.15,
  handleCv: 0.8,
};
