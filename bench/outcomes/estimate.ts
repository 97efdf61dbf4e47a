/**
 * The wait estimate a ticket is given at issue, reproduced inside a simulated day: the hall as the server
 * sees it (open windows, a busy window free at its start + the item's mean handling time, or a little
 * after now if it runs over: queue.service's `playInput` with the core's `busyWindowFreeAt`), the real `estimateWaits`, then the wait the ticket actually had.
 */
import { estimateAccuracy, INSIDE_EDGE_MIN, insideRange, showsRange, type EstimateAccuracy, type EstimateRecord } from '../../server/src/ops/core/estimate-accuracy.ts';
import { quantileSorted } from '../../server/src/ops/core/stats.ts';
import { simulate, type HallView, type SimScenario, type SimTicket } from '../../server/src/ops/core/simulator.ts';
import { busyWindowFreeAt, estimateWaits, type EtaResult } from '../../server/src/queue/core/eta.ts';

const MIN = 60_000;

/**
 * Variants of the server's estimate, to measure a calibration before (or after) making it. Default: the server's.
 * A variant's range is eta · (1 ± spread/√position) around the rounded estimate (the server's own range uses
 * the play's exact wait: a variant is the same to within a minute's rounding).
 */
export interface EstimateVariant {
  /** A busy window running over its mean is free in this share of the mean (server: OVERRUN_REMAINDER_SHARE). */
  overrunShare?: number;
  /** The range's low edge at eta · (1 − lowSpread/√position); 0 is eta itself (server: see `waitRange`). */
  lowSpread?: number;
  /** The range's high edge at eta · (1 + highSpread/√position) (server: see `waitRange`). */
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

/** The bench's figures: those of the stats API, plus who is shown a range, where the misses fall, and its width. */
export function estimateSummary(records: readonly EstimateRecord[]): EstimateAccuracy & {
  /** Share of tickets whose screen shows a range (and the sentence): the population the range is fitted to. */
  shown: number;
  /** Of those shown a range: called before its low edge, after its high edge; median width in minutes. */
  shareBelow: number | null;
  shareAbove: number | null;
  medianWidthMin: number | null;
  /** Inside the range, of every ticket (those told "now" inside by construction): the old headline figure. */
  shareInRangeAll: number | null;
} {
  const a = estimateAccuracy(records);
  const shown = records.filter((r) => showsRange(r.lowMin, r.highMin));
  const of = (n: number, d: number) => (d > 0 ? n / d : null);
  const widths = shown.map((r) => r.highMin - r.lowMin).sort((x, y) => x - y);
  return {
    ...a,
    shown: of(shown.length, records.length) ?? 0,
    shareBelow: of(shown.filter((r) => r.actualMin < r.lowMin - INSIDE_EDGE_MIN).length, shown.length),
    shareAbove: of(shown.filter((r) => r.actualMin > r.highMin + INSIDE_EDGE_MIN).length, shown.length),
    medianWidthMin: widths.length ? quantileSorted(widths, 0.5) : null,
    shareInRangeAll: of(records.filter((r) => insideRange(r.actualMin, r.lowMin, r.highMin)).length, records.length),
  };
}
