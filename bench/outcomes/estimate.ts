/**
 * The wait estimate a ticket is given at issue, reproduced inside a simulated day: the hall as the server
 * sees it (open windows, a busy window free at its start + the item's mean handling time, or a little
 * after now if it runs over: queue.service's `playInput` with the core's `busyWindowFreeAt`), the real `estimateWaits`, then the wait the ticket actually had.
 */
import { estimateAccuracy, type EstimateAccuracy, type EstimateRecord } from '../../server/src/ops/core/estimate-accuracy.ts';
import { simulate, type HallView, type SimScenario, type SimTicket } from '../../server/src/ops/core/simulator.ts';
import { busyWindowFreeAt, estimateWaits, type EtaResult } from '../../server/src/queue/core/eta.ts';

const MIN = 60_000;

/**
 * Variants of the server's estimate, to measure a calibration before (or after) making it. Default: the server's.
 * A variant's range is eta · (1 ± spread/√position) around the rounded estimate (the server uses the play's
 * exact wait: the same to within a minute's rounding).
 */
export interface EstimateVariant {
  /** A busy window running over its mean is free in this share of the mean (server: OVERRUN_REMAINDER_SHARE). */
  overrunShare?: number;
  /** The range's low edge at eta · (1 − lowSpread/√position); 0 is eta itself (server: RANGE_SPREAD). */
  lowSpread?: number;
  /** The range's high edge at eta · (1 + highSpread/√position) (server: RANGE_SPREAD). */
  highSpread?: number;
  /**
   * What-if: the range at eta · (1 ± spread) with this spread, given the position and the open windows
   * (rounds of service ahead = position / windows); overrides lowSpread and highSpread.
   */
  spreadOf?: (position: number, windows: number) => number;
}

function estimateAt(ticket: SimTicket, hall: HallView, meanHandle: ReadonlyMap<string, number>, v: EstimateVariant) {
  const open = hall.windows.filter((w) => w.open);
  // Before opening (an early check-in) the server estimates as if every window will open: at its opening.
  const windows = (open.length ? open : hall.windows).map(({ window, serving }) => {
    const mean = meanHandle.get(serving?.serviceId ?? '') ?? 0;
    const startedAt = serving?.calledAt ?? hall.now;
    return {
      id: window.id,
      serviceIds: window.serviceIds,
      busyUntil: serving
        ? v.overrunShare === undefined
          ? busyWindowFreeAt(hall.now, startedAt, mean)
          : Math.max(hall.now + v.overrunShare * mean * MIN, startedAt + mean * MIN)
        : Math.max(hall.now, window.open?.find((o) => o.to > hall.now)?.from ?? hall.now),
    };
  });
  const fallbackHandleMin = Math.max(...meanHandle.values());
  const result = estimateWaits({ now: hall.now, waiting: hall.waiting, windows, meanHandleMin: meanHandle, fallbackHandleMin, only: new Set([ticket.id]) }).get(ticket.id);
  return result && { ...result, windows: windows.length };
}

/** The range a variant gives around estimate `eta` at `position`: the server's own unless the variant says. */
function rangeOf(r: EtaResult & { etaMinutes: number; windows: number }, v: EstimateVariant): { lowMin: number; highMin: number } {
  if (v.spreadOf) {
    const spread = v.spreadOf(r.position, r.windows);
    return { lowMin: Math.max(0, Math.floor(r.etaMinutes * (1 - spread))), highMin: Math.max(r.etaMinutes, Math.ceil(r.etaMinutes * (1 + spread))) };
  }
  const edge = (spread: number, sign: 1 | -1) => r.etaMinutes * (1 + (sign * spread) / Math.sqrt(r.position));
  return {
    lowMin: v.lowSpread === undefined ? (r.etaMinutesLow ?? r.etaMinutes) : Math.max(0, Math.floor(edge(v.lowSpread, -1))),
    highMin: v.highSpread === undefined ? (r.etaMinutesHigh ?? r.etaMinutes) : Math.max(r.etaMinutes, Math.ceil(edge(v.highSpread, 1))),
  };
}

/** Every called ticket of `days` days: the estimate and range it was given at issue beside its actual wait. */
export function estimateRecords(scenario: SimScenario, seeds: readonly number[], variant: EstimateVariant = {}): EstimateRecord[] {
  const meanHandle = new Map(scenario.services.map((s) => [s.id, s.handle.meanMin]));
  const out: EstimateRecord[] = [];
  for (const seed of seeds) {
    const given = new Map<SimTicket, { estimateMin: number; highMin: number; lowMin: number }>();
    simulate(
      {
        ...scenario,
        onArrival: (ticket, hall) => {
          const r = estimateAt(ticket, hall, meanHandle, variant);
          if (r === undefined || r.etaMinutes === null) return;
          given.set(ticket, { estimateMin: r.etaMinutes, ...rangeOf({ ...r, etaMinutes: r.etaMinutes }, variant) });
        },
      },
      seed,
    );
    for (const [t, g] of given) {
      if (t.calledAt === null) continue;
      // The citizen's screen shows "low–high min" (web-citizen `waitRange`); that range is what is judged.
      out.push({ estimateMin: g.estimateMin, lowMin: g.lowMin, highMin: g.highMin, actualMin: (t.calledAt - t.arrivalAt) / MIN });
    }
  }
  return out;
}

export function estimateSummary(
  records: readonly EstimateRecord[],
): EstimateAccuracy & { shareAbove: number; shareBelow: number; shareInRangeTold: number | null; told: number } {
  const a = estimateAccuracy(records);
  const n = Math.max(1, records.length);
  // A ticket told 0 min is called at once (a free window): inside by construction. The rest is the test.
  const told = records.filter((r) => r.estimateMin > 0);
  return {
    ...a,
    told: told.length / n,
    shareInRangeTold: estimateAccuracy(told).shareInRange,
    shareAbove: records.filter((r) => r.actualMin > r.highMin + 0.5).length / n,
    shareBelow: records.filter((r) => r.actualMin < r.lowMin - 0.5).length / n,
  };
}
