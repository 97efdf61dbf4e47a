import { computeDueAt } from '../../queue/core/due-at.ts';
import { DEFAULT_POLICY, MINUTE_MS, resolveServiceTargets, type Complexity, type QueuePolicy, type ServiceTargets } from '../../queue/core/types.ts';
import { mmc } from './erlang-c.ts';
import {
  DEFAULT_APPOINTMENT_ARRIVAL,
  HOUR_MS,
  createReplicator,
  type AppointmentArrival,
  type AppointmentBooking,
  type HandleTime,
  type OpenInterval,
  type Replicator,
  type SimScenario,
  type SimService,
  type SimWindow,
  type WalkInStream,
} from './simulator.ts';

/**
 * The staffing planner behind `GET /sites/:siteId/staffing-plan`: for each opening hour, the fewest windows
 * so that at least `serviceLevel` of tickets are called within their wait target (called by `dueAt`).
 *
 * 1. Erlang C per hour (closed form, steady state, FCFS, Poisson, exponential handling), with the hour's
 *    ticket classes (walk-in / appointment × normal / priority) each judged against its own target.
 * 2. The simulator plays the whole day with that plan under the real calling policy (EDF on `dueAt`,
 *    appointments arriving around their slot, priority groups, queues carried from hour to hour, windows
 *    draining at lunch and closing time) and corrects it: add a window to the earliest hour that misses the
 *    level until none does, then take windows away, earliest hour first, while every hour that met the
 *    level still does — never below the hour's stability floor (see `correctBySimulation`). All plans are
 *    compared on the same simulated citizens (common random numbers), so the corrections respond to
 *    staffing, not to sampling noise; close calls are replayed on 4× as many days.
 *
 * Output figures are the simulated day's (or Erlang C's with `simulation.enabled: false`), per hour of the
 * ticket's wait anchor (arrival; for appointments max(check-in, slot start)); waits count from arrival.
 */

export interface PlanService {
  id: string;
  complexity: Complexity;
  targetWaitMin?: number | null;
  targetHandleMin?: number | null;
  /** Mean handling minutes from history; falls back to the handling target. */
  meanHandleMin?: number | null;
}

/** Expected tickets in one clock hour for one service. */
export interface HourCount {
  hour: number;
  serviceId: string;
  count: number;
  /**
   * Appointments only: the slot starts at hh:`minute`, and all `count` citizens are booked for it. Without
   * it the bookings are spread evenly over the hour. Slots bunch arrivals — the case Erlang C's Poisson
   * arrivals cannot see — so pass them when the booking rules have slots longer than a few minutes.
   */
  minute?: number;
}

/** Replace the history for every hour ("what if 60 people an hour come for a 15-minute item?"). */
export interface WhatIf {
  /** Total walk-ins per hour (Poisson), split over services as history splits them (one item if none). */
  arrivalsPerHour?: number;
  meanHandleMin?: number;
  /** The wait target of every ticket, walk-in or appointment. */
  targetWaitMin?: number;
}

export interface StaffingPlanInput {
  /** Clock hours the hall takes numbers, e.g. [9, 10, 11, 13, 14, 15, 16] (a lunch break at 12). */
  openingHours: readonly number[];
  services: readonly PlanService[];
  /** Expected walk-in tickets per hour and service (the shell averages the same weekday over past weeks). */
  walkIns: readonly HourCount[];
  /** Booked appointments by the hour (and optionally minute) their slot starts. */
  appointments: readonly HourCount[];
  /** In (0, 1); default 0.9 as in API.md. */
  serviceLevel?: number;
  whatIf?: WhatIf;
  /** Share of citizens in priority groups; they are due within `policy.priorityTargetShare` of the target. Default 0. */
  priorityShare?: number;
  /** Coefficient of variation of handling times: 1 = exponential (default, Erlang C's own assumption), 0 = fixed, else lognormal. */
  handleCv?: number;
  appointmentArrival?: AppointmentArrival;
  policy?: QueuePolicy;
  /** Fewest windows in an open hour. Rationale: 1 — an open hall has someone calling, even with no history. */
  minWindows?: number;
  /** Rationale: 200 is more counters than the largest district centre has; it only bounds the search. */
  maxWindows?: number;
  simulation?: {
    /** false: Erlang C only. Default true. */
    enabled?: boolean;
    /**
     * Rationale: 20 simulated days put an hourly share's 95 % interval at ±3–5 points for 60 tickets an hour;
     * close calls are replayed on 4× as many (REFINE_FACTOR), so the default stays cheap.
     */
    replications?: number;
    seed?: number;
  };
}

/** One row of API.md's `staffing-plan` response. */
export interface StaffingHour {
  hour: number;
  expectedArrivals: number;
  meanHandleMin: number;
  windowsNeeded: number;
  expectedShareWithinTarget: number;
  /**
   * The share within target on a bad day (10th percentile over the simulated days); `null` with Erlang C
   * alone. An hour staffed at the stability floor can average well and still fail one day in ten.
   */
  badDayShareWithinTarget: number | null;
  /** `null` only when even `maxWindows` cannot keep up (the queue grows without bound). */
  expectedMeanWaitMin: number | null;
}

export interface StaffingPlan {
  hours: StaffingHour[];
}

/** One class of tickets in an hour: same service, channel and target. Rates per hour. */
interface TicketClass {
  serviceId: string;
  rate: number;
  handleMin: number;
  targetMin: number;
}

interface HourModel {
  hour: number;
  classes: TicketClass[];
  rate: number;
  meanHandleMin: number;
}

interface Resolved {
  input: StaffingPlanInput;
  policy: QueuePolicy;
  serviceLevel: number;
  minWindows: number;
  maxWindows: number;
  services: Map<string, { targets: ServiceTargets; handleMin: number }>;
  hours: HourModel[];
  /** What the simulator plays: the same citizens for every plan. */
  scenario: Omit<SimScenario, 'windows'>;
  replicator: Replicator;
}

const WHAT_IF_SERVICE = 'whatIf';

export function planStaffing(input: StaffingPlanInput): StaffingPlan {
  const r = resolve(input);
  const erlang = r.hours.map((h) => erlangHour(h, r.serviceLevel, r.minWindows, r.maxWindows));
  if (input.simulation?.enabled === false) {
    return {
      hours: r.hours.map((h, i) => {
        const e = erlang[i] as ErlangHour;
        return row(h, e.windows, e.share, e.meanWaitMin, null);
      }),
    };
  }
  const { plan: windows, outcome: sim } = correctBySimulation(r, erlang.map((e) => e.windows));
  return {
    hours: r.hours.map((h, i) => {
      const s = sim[i] as HourOutcome;
      return row(h, windows[i] ?? 0, s.share, s.meanWaitMin, s.shareP10);
    }),
  };
}

function row(h: HourModel, windowsNeeded: number, share: number, meanWaitMin: number | null, badDayShare: number | null): StaffingHour {
  return {
    hour: h.hour,
    expectedArrivals: round(h.rate, 1),
    meanHandleMin: round(h.meanHandleMin, 1),
    windowsNeeded,
    expectedShareWithinTarget: round(share, 3),
    badDayShareWithinTarget: badDayShare === null ? null : round(badDayShare, 3),
    expectedMeanWaitMin: meanWaitMin === null || !Number.isFinite(meanWaitMin) ? null : round(meanWaitMin, 1),
  };
}

// ---- inputs → per-hour ticket classes ------------------------------------------------------------------

function resolve(input: StaffingPlanInput): Resolved {
  const policy = input.policy ?? DEFAULT_POLICY;
  const serviceLevel = input.serviceLevel ?? 0.9;
  if (!(serviceLevel > 0 && serviceLevel < 1)) throw new RangeError(`serviceLevel must be in (0, 1), got ${serviceLevel}`);
  const whatIf = input.whatIf ?? {};
  const priorityShare = input.priorityShare ?? 0;
  const hoursOpen = [...new Set(input.openingHours)].sort((a, b) => a - b);

  const services = new Map<string, { targets: ServiceTargets; handleMin: number }>();
  const addService = (s: PlanService): void => {
    const base = resolveServiceTargets(s, policy);
    const targets: ServiceTargets =
      whatIf.targetWaitMin === undefined ? base : { ...base, targetWaitMin: whatIf.targetWaitMin, walkInTargetMin: whatIf.targetWaitMin };
    services.set(s.id, { targets, handleMin: whatIf.meanHandleMin ?? s.meanHandleMin ?? base.targetHandleMin });
  };
  input.services.forEach(addService);

  const count = (list: readonly HourCount[], hour: number) => list.filter((c) => c.hour === hour && c.count > 0 && services.has(c.serviceId));
  const walkIns: WalkInStream[] = [];
  const appointments: AppointmentBooking[] = [];
  const arrival = input.appointmentArrival ?? DEFAULT_APPOINTMENT_ARRIVAL;

  const hours = hoursOpen.map((hour): HourModel => {
    let walk = count(input.walkIns, hour).map((c) => ({ serviceId: c.serviceId, rate: c.count }));
    // Bookings are whole citizens (walk-in counts are averages, hence rates, and may be fractional).
    let booked = count(input.appointments, hour).map((b) => ({ ...b, count: Math.round(b.count) }));
    if (whatIf.arrivalsPerHour !== undefined) {
      // The what-if replaces history and bookings alike: that many walk-ins, split as history splits them.
      const mix = [...walk, ...booked.map((b) => ({ serviceId: b.serviceId, rate: b.count }))];
      const total = mix.reduce((s, m) => s + m.rate, 0);
      if (total > 0) {
        const byService = new Map<string, number>();
        for (const m of mix) byService.set(m.serviceId, (byService.get(m.serviceId) ?? 0) + m.rate);
        walk = [...byService].map(([serviceId, rate]) => ({ serviceId, rate: (rate / total) * (whatIf.arrivalsPerHour ?? 0) }));
      } else {
        if (!services.has(WHAT_IF_SERVICE)) addService({ id: WHAT_IF_SERVICE, complexity: 'general' });
        walk = [{ serviceId: WHAT_IF_SERVICE, rate: whatIf.arrivalsPerHour }];
      }
      booked = [];
    }
    const classes: TicketClass[] = [];
    const addClasses = (serviceId: string, rate: number, channel: 'kiosk' | 'appointment'): void => {
      const s = services.get(serviceId);
      if (!s || rate <= 0) return;
      // Target as computeDueAt encodes it, for a normal and a priority citizen (anchor 0 = arrival/slot).
      for (const [share, priority] of [[1 - priorityShare, 'normal'], [priorityShare, 'elderly']] as const) {
        if (share <= 0) continue;
        const due = computeDueAt({ channel, priority, waitAnchorAt: 0, checkInAt: 0, slotStart: 0, service: s.targets, policy });
        classes.push({ serviceId, rate: rate * share, handleMin: s.handleMin, targetMin: due / MINUTE_MS });
      }
    };
    for (const w of walk) {
      addClasses(w.serviceId, w.rate, 'kiosk');
      walkIns.push({ serviceId: w.serviceId, from: hour * HOUR_MS, to: (hour + 1) * HOUR_MS, ratePerHour: w.rate });
    }
    for (const b of booked) {
      addClasses(b.serviceId, b.count * (1 - arrival.noShowShare), 'appointment');
      for (let i = 0; i < b.count; i++) {
        const minute = b.minute ?? Math.floor((i / b.count) * 60);
        appointments.push({ serviceId: b.serviceId, slotStart: hour * HOUR_MS + minute * MINUTE_MS });
      }
    }
    const rate = classes.reduce((s, c) => s + c.rate, 0);
    const meanHandleMin =
      rate > 0
        ? classes.reduce((s, c) => s + c.rate * c.handleMin, 0) / rate
        : whatIf.meanHandleMin ?? average([...services.values()].map((s) => s.handleMin)) ?? policy.defaultTargetHandleMin;
    return { hour, classes, rate, meanHandleMin };
  });

  const cv = input.handleCv ?? 1;
  const handle = (meanMin: number): HandleTime =>
    cv === 1 ? { kind: 'exponential', meanMin } : cv === 0 ? { kind: 'fixed', meanMin } : { kind: 'lognormal', meanMin, cv };
  const simServices: SimService[] = [...services].map(([id, s]) => ({ id, targets: s.targets, handle: handle(s.handleMin) }));
  const scenario: Omit<SimScenario, 'windows'> = { services: simServices, walkIns, appointments, appointmentArrival: arrival, priorityShare, policy };
  return {
    input,
    policy,
    serviceLevel,
    minWindows: input.minWindows ?? 1,
    maxWindows: input.maxWindows ?? 200,
    services,
    hours,
    scenario,
    replicator: createReplicator(scenario, input.simulation?.seed ?? 1),
  };
}

// ---- step 1: Erlang C -------------------------------------------------------------------------------------

export interface ErlangHour {
  windows: number;
  share: number;
  /** Infinity when even `maxWindows` is unstable. */
  meanWaitMin: number;
}

/**
 * Erlang C for one hour with several ticket classes: under FCFS every class sees the same wait distribution,
 * so the share within target is the rate-weighted mix of P(W ≤ t_k) = 1 − P_w·e^{−(cμ−λ)t_k}, with one
 * pooled handling mean (a supervisor plans comprehensive windows that serve every item).
 */
function erlangHour(h: HourModel, serviceLevel: number, minWindows: number, maxWindows: number): ErlangHour {
  const lambda = h.rate / 60; // per minute
  const evaluate = (c: number): ErlangHour => {
    if (c === 0 || lambda === 0) return { windows: c, share: lambda === 0 ? 1 : 0, meanWaitMin: lambda === 0 ? 0 : Infinity };
    const m = mmc({ arrivalRate: lambda, meanServiceTime: h.meanHandleMin, servers: c });
    if (!m.stable) return { windows: c, share: 0, meanWaitMin: Infinity };
    const decay = c / h.meanHandleMin - lambda;
    const share = h.classes.reduce((s, k) => s + (k.rate / h.rate) * (1 - m.probWait * Math.exp(-decay * Math.max(0, k.targetMin))), 0);
    return { windows: c, share, meanWaitMin: m.meanWait };
  };
  const start = Math.max(minWindows, lambda > 0 ? Math.floor(lambda * h.meanHandleMin) + 1 : 0);
  for (let c = start; c <= maxWindows; c++) {
    const e = evaluate(c);
    if (e.share >= serviceLevel) return e;
  }
  return evaluate(Math.max(minWindows, maxWindows));
}

// ---- step 2: simulate the day, correct ------------------------------------------------------------------

/** Rationale: see `simulation.replications`. */
const DEFAULT_REPLICATIONS = 20;
/** Rationale: 4× the days halves the interval, enough to settle a close call without paying it everywhere. */
const REFINE_FACTOR = 4;

export interface HourOutcome {
  share: number;
  /** 95 % CI of `share` over the replications. */
  shareLow: number;
  shareHigh: number;
  /** 10th percentile of the hour's share over the simulated days. */
  shareP10: number;
  meanWaitMin: number;
}

/**
 * Greedy correction of the Erlang C plan on the simulated day.
 *
 * Verdict per hour: does its simulated share meet the level? Hourly shares of 20 simulated days carry
 * ±0.03–0.05 of noise, so when an hour's 95 % interval straddles the level the same plan is replayed on
 * 4× the days (a superset of the same seeds) and the verdict is that mean's; clear cases stay cheap.
 *
 * A window in hour h changes hours ≥ h only, so both passes go earliest hour first: the earliest hour that
 * misses gets a window until none does; then each hour, in clock order, gives up windows while every hour
 * that met the level still does. The typical downward correction is the hour after opening or after lunch,
 * which starts with an empty hall; upward ones come from what Erlang C leaves out (heavy-tailed handling,
 * a queue handed on). No hour goes below its stability floor ⌊a⌋ + 1 (a = offered load in Erlangs): fewer
 * windows would meet this hour's target only by handing a growing queue to the next — the simulated day
 * allows that (EDF serves the older tickets first), a supervisor would not. Evaluations are cached.
 */
function correctBySimulation(r: Resolved, initial: readonly number[]): { plan: number[]; outcome: HourOutcome[] } {
  const plan = [...initial];
  const floor = r.hours.map((h) => Math.min(r.maxWindows, Math.max(r.minWindows, h.rate > 0 ? Math.floor((h.rate / 60) * h.meanHandleMin) + 1 : 0)));
  const reps = r.input.simulation?.replications ?? DEFAULT_REPLICATIONS;
  const cache = new Map<string, HourOutcome[]>();
  const outcome = (p: readonly number[], replications: number): HourOutcome[] => {
    const key = `${replications}:${p.join(',')}`;
    let o = cache.get(key);
    if (!o) {
      o = simulatePlan(r, p, replications);
      cache.set(key, o);
    }
    return o;
  };
  const quick = (p: readonly number[]): HourOutcome[] => outcome(p, reps);
  const straddles = (h: HourOutcome | undefined): boolean => h !== undefined && h.shareLow < r.serviceLevel && h.shareHigh >= r.serviceLevel;
  const meets = (p: readonly number[], o: readonly HourOutcome[], j: number): boolean =>
    (o[j]?.share ?? 1) >= r.serviceLevel || (p[j] ?? 0) >= r.maxWindows;
  /** Verdicts for the hours in `which`; the plan is replayed on more days only if one of them is a close call. */
  const verdicts = (p: readonly number[], which: readonly number[]): boolean[] => {
    let o = quick(p);
    if (which.some((j) => straddles(o[j]))) o = outcome(p, REFINE_FACTOR * reps);
    return which.map((j) => meets(p, o, j));
  };
  const all = plan.map((_, j) => j);

  // Rationale: each hour can need at most a handful of corrections; 10 per hour bounds a pathological input.
  for (let step = 0; step < 10 * plan.length; step++) {
    const failing = verdicts(plan, all).indexOf(false);
    if (failing < 0) break;
    plan[failing] = (plan[failing] ?? 0) + 1;
  }
  for (let i = 0; i < plan.length; i++) {
    for (;;) {
      const current = plan[i] ?? 0;
      if (current <= (floor[i] ?? r.minWindows)) break;
      const trial = [...plan];
      trial[i] = current - 1;
      // Same citizens in both plans: an hour whose statistics did not move at all keeps its verdict.
      const before = quick(plan);
      const after = quick(trial);
      const changed = all.filter((j) => before[j]?.share !== after[j]?.share || before[j]?.meanWaitMin !== after[j]?.meanWaitMin);
      const was = verdicts(plan, changed);
      const now = verdicts(trial, changed);
      // An hour stuck short at maxWindows cannot veto; every hour that met the level must still meet it.
      if (!changed.every((_, k) => !was[k] || now[k])) break;
      plan[i] = current - 1;
    }
  }
  return { plan, outcome: cache.get(`${REFINE_FACTOR * reps}:${plan.join(',')}`) ?? quick(plan) };
}

/**
 * Simulates the day with `windowsPerHour[i]` comprehensive windows in hour `r.hours[i]`: window k is open in
 * the hours that staff more than k windows; before a closed hour (lunch, evening) it drains the queue.
 */
function simulatePlan(r: Resolved, windowsPerHour: readonly number[], replications: number): HourOutcome[] {
  const open = new Set(r.hours.map((h) => h.hour));
  const serviceIds = r.scenario.services.map((s) => s.id);
  const most = Math.max(0, ...windowsPerHour);
  const windows: SimWindow[] = [];
  for (let k = 0; k < most; k++) {
    const intervals: OpenInterval[] = [];
    r.hours.forEach((h, i) => {
      if ((windowsPerHour[i] ?? 0) <= k) return;
      const last = intervals[intervals.length - 1];
      if (last && last.to === h.hour * HOUR_MS) last.to = (h.hour + 1) * HOUR_MS;
      else intervals.push({ from: h.hour * HOUR_MS, to: (h.hour + 1) * HOUR_MS });
    });
    for (const interval of intervals) interval.drain = !open.has(interval.to / HOUR_MS);
    windows.push({ id: `w${k + 1}`, serviceIds, open: intervals });
  }
  const result = r.replicator.run(windows, replications);
  const byHour = new Map(result.perHour.map((h) => [Math.round(h.hourStart / HOUR_MS), h]));
  return r.hours.map((h) => {
    const e = byHour.get(h.hour);
    const share = e?.shareWithinTarget;
    return {
      share: share?.mean ?? 1,
      shareLow: share?.low ?? 1,
      shareHigh: share?.high ?? 1,
      shareP10: e?.shareWithinTargetP10 ?? 1,
      meanWaitMin: e?.meanWaitMin.mean ?? 0,
    };
  });
}

/** The simulated outcome of a given plan, per opening hour (for tests, the bench, and "what if we staff this?"). */
export function evaluatePlan(
  input: StaffingPlanInput,
  windowsPerHour: readonly number[],
  replications = input.simulation?.replications ?? DEFAULT_REPLICATIONS,
): ({ hour: number } & HourOutcome)[] {
  const r = resolve(input);
  return simulatePlan(r, windowsPerHour, replications).map((o, i) => ({ hour: r.hours[i]?.hour ?? 0, ...o }));
}

function average(values: readonly number[]): number | undefined {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : undefined;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
