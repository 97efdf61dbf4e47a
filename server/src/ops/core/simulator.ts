/**
 * A discrete-event simulation of a hall that calls with the REAL policy of queue/core: every ticket gets its
 * `dueAt` from `computeDueAt`, and a window that frees up calls `pickNext` on the waiting tickets. Times are
 * epoch-like milliseconds (the planner uses 0 = midnight); nothing reads the clock.
 */

import { pickNext, type CallingWindow, type QueuedTicket } from '../../queue/core/calling-order.ts';
import { computeDueAt } from '../../queue/core/due-at.ts';
import { MinHeap } from '../../queue/core/min-heap.ts';
import {
  assertUnreachable,
  DEFAULT_POLICY,
  MINUTE_MS,
  type Channel,
  type Priority,
  type QueuePolicy,
  type ServiceTargets,
} from '../../queue/core/types.ts';
import { createRng, deriveSeed, type Rng } from './rng.ts';
import { estimate, quantileSorted, type Estimate } from './stats.ts';

export const HOUR_MS = 60 * MINUTE_MS;
// Bound once: tsx compiles these files to CommonJS, where every use of an imported binding is a getter
// call; these two are used per ticket (7 % of a planner run in a profile).
const MIN_MS = MINUTE_MS;
const pick = pickNext;

export type HandleTime =
  | { kind: 'exponential'; meanMin: number }
  | { kind: 'lognormal'; meanMin: number; cv: number }
  | { kind: 'fixed'; meanMin: number };

export interface SimService {
  id: string;
  targets: ServiceTargets;
  handle: HandleTime;
}

export interface OpenInterval {
  from: number;
  to: number;
  /**
   * At `to` the clerk keeps calling until nothing eligible is left (closing time, the lunch break): halls
   * serve everyone who took a number. Without it the clerk leaves after the ticket in hand.
   */
  drain?: boolean;
}

export interface SimWindow extends CallingWindow {
  /** When the window calls; absent = always. Sorted, non-overlapping. */
  open?: readonly OpenInterval[];
}

/** Poisson walk-ins for one service at a constant rate over [from, to). */
export interface WalkInStream {
  serviceId: string;
  from: number;
  to: number;
  ratePerHour: number;
  channel?: Extract<Channel, 'kiosk' | 'mobile'>;
}

/** `count` citizens booked for the slot starting at `slotStart`. */
export interface AppointmentBooking {
  serviceId: string;
  slotStart: number;
  count?: number;
}

/** A ticket with a known arrival (a recorded day to replay, a hand-checked test). */
export interface ReplayTicket {
  serviceId: string;
  channel: Channel;
  at: number;
  priority?: Priority;
  /** Appointments: the slot start (default: the arrival). */
  slotStart?: number;
  /** Default: drawn from the service's distribution. */
  handleMin?: number;
}

export interface AppointmentArrival {
  /** Check-in is uniform in [slotStart − earlyMin, slotStart + lateMin]. */
  earlyMin: number;
  lateMin: number;
  /** Share of bookings that never come. */
  noShowShare: number;
}

/**
 * Rationale: citizens with a booking tend to come a little early; 15 min early to 5 min late is the usual
 * check-in window of hall booking rules. No-shows default to 0 so a plan never counts on people not coming.
 */
export const DEFAULT_APPOINTMENT_ARRIVAL: AppointmentArrival = Object.freeze({ earlyMin: 15, lateMin: 5, noShowShare: 0 });

export interface SimScenario {
  services: readonly SimService[];
  windows: readonly SimWindow[];
  walkIns: readonly WalkInStream[];
  appointments?: readonly AppointmentBooking[];
  appointmentArrival?: AppointmentArrival;
  replay?: readonly ReplayTicket[];
  /** Share of citizens in a priority group (elderly, disabled, …), all channels. */
  priorityShare?: number;
  policy?: QueuePolicy;
  /** Tickets arriving in [measureFrom, measureTo) count in the statistics (warm-up excluded). Default: all. */
  measureFrom?: number;
  measureTo?: number;
  /**
   * Origin of the per-hour buckets (hour k = [bucketOrigin + k h, + 1 h)). Default 0. A ticket counts in the
   * hour of its `anchorAt`: an appointment for 09:00 checking in at 08:50 belongs to 09:00–10:00.
   */
  bucketOrigin?: number;
  /** Also report the share waiting ≤ this many minutes (to compare with Erlang C's P(W ≤ t)). */
  withinMin?: number;
  /** Per-hour statistics (default true); long steady-state runs skip them. */
  hourly?: boolean;
  /** The calling order; default the hall's own (`pickNext`, deadline order). Benchmarks pass baselines. */
  order?: CallOrder;
  /**
   * Sees the hall as each ticket joins it (already waiting, before a free window calls it): what the
   * server sees when it gives a new ticket its wait estimate. The outcomes bench checks that estimate.
   */
  onArrival?: (ticket: SimTicket, hall: HallView) => void;
}

export interface HallView {
  now: number;
  waiting: readonly SimTicket[];
  windows: readonly { window: SimWindow; open: boolean; serving: SimTicket | null }[];
}

/** Which waiting ticket a window calls next (undefined: none it may serve). */
export type CallOrder = (waiting: readonly SimTicket[], w: CallingWindow, now: number) => SimTicket | undefined;

export interface SimTicket extends QueuedTicket {
  channel: Channel;
  priority: Priority;
  arrivalAt: number;
  /** Where the wait target's clock starts: the arrival, or for an appointment max(check-in, slot start). */
  anchorAt: number;
  handleMin: number;
  calledAt: number | null;
  windowId: string | null;
}

export interface SimStats {
  tickets: number;
  served: number;
  /** Over served tickets; 0 when none. */
  meanWaitMin: number;
  p90WaitMin: number;
  /** Called by `dueAt`; an unserved ticket missed. 1 when there were no tickets (nobody was let down). */
  shareWithinTarget: number;
  /** Share waiting ≤ `withinMin` (unserved missed), when asked. */
  shareWithinMin: number | null;
}

/** Per hour: as SimStats without the p90 (sorting every hour of every replication costs more than it tells). */
export interface SimHourStats extends Omit<SimStats, 'p90WaitMin'> {
  hourStart: number;
}

export interface SimRun {
  tickets: SimTicket[];
  summary: SimStats;
  perHour: SimHourStats[];
}

/** Simulates one day (or one long steady-state stretch). Same scenario and seed → same result. */
export function simulate(scenario: SimScenario, seed: number): SimRun {
  const day = drawDay(scenario, seed);
  play(scenario.windows, day, scenario.order, scenario.onArrival);
  return { tickets: day.tickets, ...summarise(scenario, day.tickets) };
}

/** One replication's citizens: in creation order, and by arrival for the play. */
interface Day {
  tickets: SimTicket[];
  byArrival: SimTicket[];
}

function drawDay(scenario: Omit<SimScenario, 'windows'>, seed: number): Day {
  const tickets = generateTickets(scenario, seed);
  return { tickets, byArrival: [...tickets].sort((a, b) => a.arrivalAt - b.arrivalAt) };
}

/**
 * All randomness is drawn before the play, from streams split by purpose, and each ticket carries its own
 * handling time: two scenarios that differ only in windows see the very same citizens (common random
 * numbers), so the planner compares staffing levels without sampling noise between them.
 */
function generateTickets(s: Omit<SimScenario, 'windows'>, seed: number): SimTicket[] {
  const policy = s.policy ?? DEFAULT_POLICY;
  const services = new Map(s.services.map((x) => [x.id, x]));
  const arrivalsRng = createRng(deriveSeed(seed, 1));
  const attributesRng = createRng(deriveSeed(seed, 2));
  const priorityShare = s.priorityShare ?? 0;
  const out: SimTicket[] = [];

  const make = (serviceId: string, channel: Channel, at: number, slotStart?: number, fixed?: ReplayTicket): void => {
    const service = services.get(serviceId);
    if (!service) throw new RangeError(`unknown service ${serviceId}`);
    const priority: Priority = fixed ? fixed.priority ?? 'normal' : attributesRng.chance(priorityShare) ? 'elderly' : 'normal';
    const dueAt = computeDueAt({ channel, priority, waitAnchorAt: at, checkInAt: at, slotStart, service: service.targets, policy });
    out.push({
      id: `t${out.length}`,
      serviceId,
      channel,
      priority,
      arrivalAt: at,
      anchorAt: slotStart === undefined ? at : Math.max(at, slotStart),
      issuedAt: at,
      dueAt,
      handleMin: fixed?.handleMin ?? drawHandle(attributesRng, service.handle),
      calledAt: null,
      windowId: null,
    });
  };

  for (const r of s.replay ?? []) make(r.serviceId, r.channel, r.at, r.channel === 'appointment' ? r.slotStart ?? r.at : undefined, r);
  for (const stream of s.walkIns) {
    if (stream.ratePerHour <= 0) continue;
    const meanGapMs = HOUR_MS / stream.ratePerHour;
    for (let t = stream.from + arrivalsRng.exponential(meanGapMs); t < stream.to; t += arrivalsRng.exponential(meanGapMs)) {
      make(stream.serviceId, stream.channel ?? 'kiosk', t);
    }
  }
  const arrival = s.appointmentArrival ?? DEFAULT_APPOINTMENT_ARRIVAL;
  for (const booking of s.appointments ?? []) {
    for (let i = 0; i < (booking.count ?? 1); i++) {
      const at = booking.slotStart + arrivalsRng.uniform(-arrival.earlyMin, arrival.lateMin) * MIN_MS;
      // Drawn even for no-shows so the stream stays aligned across scenarios.
      if (!arrivalsRng.chance(arrival.noShowShare)) make(booking.serviceId, 'appointment', at, booking.slotStart);
    }
  }
  return out;
}

function drawHandle(rng: Rng, h: HandleTime): number {
  switch (h.kind) {
    case 'exponential':
      return rng.exponential(h.meanMin);
    case 'lognormal':
      return rng.lognormal(h.meanMin, h.cv);
    case 'fixed':
      return h.meanMin;
    default:
      return assertUnreachable(h);
  }
}

/** Window events; arrivals are pre-drawn and merged in from a sorted array. */
type WindowEvent = { at: number; seq: number; kind: 'open' | 'close' | 'free'; window: number };

/**
 * Runs the calling policy over the pre-drawn tickets, filling `calledAt` and `windowId`. At equal times
 * window events come first (a window freeing at 10:00 calls among those already waiting, then the 10:00
 * arrival queues), then arrivals in ticket order.
 */
function play(windows: readonly SimWindow[], day: Day, order: CallOrder = pick, onArrival?: SimScenario['onArrival']): void {
  // Compared without subtraction: an always-open window opens at −Infinity.
  const events = new MinHeap<WindowEvent>((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  let seq = 0;
  const busy = windows.map(() => false);
  const serving: (SimTicket | null)[] = windows.map(() => null);
  /** Open, idle, and nothing it may serve is waiting: calls as soon as a ticket for it arrives. */
  const ready = windows.map(() => false);
  let readyCount = 0;
  const setReady = (i: number, value: boolean): void => {
    if (ready[i] !== value) readyCount += value ? 1 : -1;
    ready[i] = value;
  };
  windows.forEach((w, window) => {
    for (const interval of w.open ?? [{ from: -Infinity, to: Infinity }]) {
      events.push({ at: interval.from, seq: seq++, kind: 'open', window });
      if (interval.to !== Infinity) events.push({ at: interval.to, seq: seq++, kind: 'close', window });
    }
  });
  const arrivals = day.byArrival;
  for (const t of arrivals) {
    // A day is replayed against several staffing plans: start from nobody called.
    t.calledAt = null;
    t.windowId = null;
  }

  // pickNext looks at every ticket, so their order here is irrelevant: removal swaps with the last, O(1).
  const waiting: SimTicket[] = [];
  /** The window presses call-next: true if it got someone. */
  const call = (window: number, at: number): boolean => {
    const w = windows[window] as SimWindow;
    const next = order(waiting, w, at);
    if (!next) return false;
    const last = waiting.pop() as SimTicket;
    if (last !== next) waiting[waiting.indexOf(next)] = last;
    next.calledAt = at;
    next.windowId = w.id;
    busy[window] = true;
    serving[window] = next;
    setReady(window, false);
    events.push({ at: at + next.handleMin * MIN_MS, seq: seq++, kind: 'free', window });
    return true;
  };

  let a = 0;
  for (;;) {
    const e = events.peek();
    const ticket = arrivals[a];
    if (ticket !== undefined && (e === undefined || ticket.arrivalAt < e.at)) {
      a++;
      waiting.push(ticket);
      if (onArrival) {
        const now = ticket.arrivalAt;
        onArrival(ticket, { now, waiting, windows: windows.map((w, i) => ({ window: w, open: openAt(w, now, false), serving: serving[i] ?? null })) });
      }
      // A ready window that may serve it calls at once (the lowest-numbered one, as clerks would race).
      for (let i = 0; readyCount > 0 && i < windows.length; i++) {
        if (ready[i] && call(i, ticket.arrivalAt)) break;
      }
      continue;
    }
    if (e === undefined) return;
    events.pop();
    switch (e.kind) {
      case 'open':
        // A window still busy (draining, or an adjacent interval) calls when it frees up.
        if (!busy[e.window] && !call(e.window, e.at)) setReady(e.window, true);
        break;
      case 'close':
        // An idle window leaves at closing time; a busy one decides when it frees up (drain or not).
        if (!openAt(windows[e.window] as SimWindow, e.at, false)) setReady(e.window, false);
        break;
      case 'free':
        busy[e.window] = false;
        serving[e.window] = null;
        // Still open, or past a draining close: keep calling; with nothing to call, wait only if open.
        if (!(openAt(windows[e.window] as SimWindow, e.at, true) && call(e.window, e.at))) {
          setReady(e.window, openAt(windows[e.window] as SimWindow, e.at, false));
        }
        break;
      default:
        assertUnreachable(e.kind);
    }
  }
}

/**
 * Whether the window may call at `at`. `draining` (the window just finished a ticket) extends an interval
 * marked `drain` past its end; the chain stops as soon as the window finds nothing to call.
 */
function openAt(w: SimWindow, at: number, draining: boolean): boolean {
  if (!w.open) return true;
  for (const i of w.open) {
    if (at >= i.from && (at < i.to || (draining && i.drain === true && !startsLater(w.open, i, at)))) return true;
  }
  return false;
}

/** A draining interval yields to the next interval once that one has started (it calls on its own). */
function startsLater(intervals: readonly OpenInterval[], current: OpenInterval, at: number): boolean {
  return intervals.some((j) => j !== current && j.from > current.from && j.from <= at);
}

function summarise(s: Omit<SimScenario, 'windows'>, tickets: readonly SimTicket[]): { summary: SimStats; perHour: SimHourStats[] } {
  const from = s.measureFrom ?? -Infinity;
  const to = s.measureTo ?? Infinity;
  const origin = s.bucketOrigin ?? 0;
  const withinMin = s.withinMin;
  const total = new Tally(withinMin !== undefined);
  const byHour = new Map<number, Tally>();
  const waits = new Float64Array(tickets.length);
  for (const t of tickets) {
    if (t.arrivalAt < from || t.arrivalAt >= to) continue;
    const wait = total.add(t, withinMin);
    if (wait !== null) waits[total.served - 1] = wait;
    if (s.hourly === false) continue;
    const hourStart = origin + Math.floor((t.anchorAt - origin) / HOUR_MS) * HOUR_MS;
    let tally = byHour.get(hourStart);
    if (!tally) byHour.set(hourStart, (tally = new Tally(withinMin !== undefined)));
    tally.add(t, withinMin);
  }
  // A typed array sorts numerically without a comparator; the p90 is for the whole run only.
  const p90 = total.served ? quantileSorted(waits.subarray(0, total.served).sort(), 0.9) : 0;
  const perHour = [...byHour.entries()].sort((a, b) => a[0] - b[0]).map(([hourStart, t]) => ({ hourStart, ...t.stats() }));
  return { summary: { ...total.stats(), p90WaitMin: p90 }, perHour };
}

class Tally {
  tickets = 0;
  served = 0;
  met = 0;
  within = 0;
  sum = 0;
  constructor(readonly wantsWithin: boolean) {}

  /** Counts one ticket; returns its wait in minutes, null if never called. */
  add(t: SimTicket, withinMin: number | undefined): number | null {
    this.tickets++;
    if (t.calledAt === null) return null;
    const wait = (t.calledAt - t.arrivalAt) / MIN_MS;
    this.served++;
    this.sum += wait;
    if (t.calledAt <= t.dueAt) this.met++;
    if (withinMin !== undefined && wait <= withinMin) this.within++;
    return wait;
  }

  stats(): Omit<SimStats, 'p90WaitMin'> {
    const n = this.tickets;
    return {
      tickets: n,
      served: this.served,
      meanWaitMin: this.served ? this.sum / this.served : 0,
      shareWithinTarget: n ? this.met / n : 1,
      shareWithinMin: this.wantsWithin ? (n ? this.within / n : 1) : null,
    };
  }
}

// ---- replications --------------------------------------------------------------------------------------

export interface ReplicationOptions {
  replications: number;
  seed: number;
}

export interface HourEstimate {
  hourStart: number;
  arrivals: Estimate;
  meanWaitMin: Estimate;
  shareWithinTarget: Estimate;
  /** The hour's share within target on a bad day: the 10th percentile over the replications. */
  shareWithinTargetP10: number;
}

export interface ReplicationResult {
  replications: number;
  tickets: Estimate;
  meanWaitMin: Estimate;
  p90WaitMin: Estimate;
  shareWithinTarget: Estimate;
  shareWithinMin: Estimate | null;
  perHour: HourEstimate[];
}

/**
 * Independent replications (seed i derived from `seed`), each summarised, then a Student-t 95 % interval
 * across them: the replication means are independent, the tickets inside one day are not.
 */
export function replicate(scenario: SimScenario, options: ReplicationOptions): ReplicationResult {
  return createReplicator(scenario, options.seed).run(scenario.windows, options.replications);
}

export interface Replicator {
  /** Replications 0..n−1 of the same citizens, called by these windows. */
  run(windows: readonly SimWindow[], replications: number): ReplicationResult;
}

/**
 * Draws each replication's citizens once and replays them against any windows: comparing staffing plans
 * on the same days (common random numbers) at the cost of the play alone. Replication i always has seed
 * deriveSeed(seed, i), so n replications are a prefix of 4n.
 */
export function createReplicator(scenario: Omit<SimScenario, 'windows'>, seed: number): Replicator {
  const days: Day[] = [];
  return {
    run(windows, replications) {
      const runs: Omit<SimRun, 'tickets'>[] = [];
      for (let i = 0; i < replications; i++) {
        const day = (days[i] ??= drawDay(scenario, deriveSeed(seed, i)));
        play(windows, day, scenario.order, scenario.onArrival);
        runs.push(summarise(scenario, day.tickets));
      }
      return combine(runs);
    },
  };
}

function combine(runs: readonly Omit<SimRun, 'tickets'>[]): ReplicationResult {
  const hours = [...new Set(runs.flatMap((r) => r.perHour.map((h) => h.hourStart)))].sort((a, b) => a - b);
  const perHour = hours.map((hourStart): HourEstimate => {
    // A replication without arrivals in that hour counts as 0 arrivals, nobody waiting, target met.
    const cells = runs.map((r) => r.perHour.find((h) => h.hourStart === hourStart));
    const shares = cells.map((c) => c?.shareWithinTarget ?? 1);
    return {
      hourStart,
      arrivals: estimate(cells.map((c) => c?.tickets ?? 0)),
      meanWaitMin: estimate(cells.map((c) => c?.meanWaitMin ?? 0)),
      shareWithinTarget: estimate(shares),
      // Rationale: one day in ten is how often a supervisor lives through a bad day, not a freak one.
      shareWithinTargetP10: quantileSorted(Float64Array.from(shares).sort(), 0.1),
    };
  });
  const within = runs.map((r) => r.summary.shareWithinMin);
  return {
    replications: runs.length,
    tickets: estimate(runs.map((r) => r.summary.tickets)),
    meanWaitMin: estimate(runs.map((r) => r.summary.meanWaitMin)),
    p90WaitMin: estimate(runs.map((r) => r.summary.p90WaitMin)),
    shareWithinTarget: estimate(runs.map((r) => r.summary.shareWithinTarget)),
    shareWithinMin: within.every((x): x is number => x !== null) ? estimate(within) : null,
    perHour,
  };
}
