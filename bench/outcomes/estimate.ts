/**
 * The wait estimate a ticket is given at issue, reproduced inside a simulated day: the hall as the server
 * sees it (open windows, a busy window free at its start + the item's mean handling time, or now if it
 * runs over: queue.service's `playInput`), the real `estimateWaits`, then the wait the ticket actually had.
 */
import { estimateAccuracy, type EstimateAccuracy, type EstimateRecord } from '../../server/src/ops/core/estimate-accuracy.ts';
import { simulate, type HallView, type SimScenario, type SimTicket } from '../../server/src/ops/core/simulator.ts';
import { estimateWaits } from '../../server/src/queue/core/eta.ts';

const MIN = 60_000;

/** Variants of the server's estimate, to measure a calibration before making it. Default: the server's. */
export interface EstimateVariant {
  /** A busy window running over its mean is free in this share of the mean (server: 0, i.e. now). */
  overrunShare?: number;
  /** The range's low edge at eta · (1 − z/√position) instead of eta itself (server: none). */
  lowZ?: number;
}

function estimateAt(ticket: SimTicket, hall: HallView, meanHandle: ReadonlyMap<string, number>, v: EstimateVariant) {
  const open = hall.windows.filter((w) => w.open);
  // Before opening (an early check-in) the server estimates as if every window will open: at its opening.
  const windows = (open.length ? open : hall.windows).map(({ window, serving }) => ({
    id: window.id,
    serviceIds: window.serviceIds,
    busyUntil: serving
      ? Math.max(
          hall.now + (v.overrunShare ?? 0) * (meanHandle.get(serving.serviceId) ?? 0) * MIN,
          (serving.calledAt ?? hall.now) + (meanHandle.get(serving.serviceId) ?? 0) * MIN,
        )
      : Math.max(hall.now, window.open?.find((o) => o.to > hall.now)?.from ?? hall.now),
  }));
  const fallbackHandleMin = Math.max(...meanHandle.values());
  return estimateWaits({ now: hall.now, waiting: hall.waiting, windows, meanHandleMin: meanHandle, fallbackHandleMin, only: new Set([ticket.id]) }).get(ticket.id);
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
          if (r?.etaMinutes == null) return;
          const z = variant.lowZ;
          const lowMin = z === undefined ? r.etaMinutes : Math.max(0, Math.floor(r.etaMinutes * (1 - z / Math.sqrt(r.position))));
          given.set(ticket, { estimateMin: r.etaMinutes, highMin: r.etaMinutesHigh ?? r.etaMinutes, lowMin });
        },
      },
      seed,
    );
    for (const [t, g] of given) {
      if (t.calledAt === null) continue;
      // The citizen's screen shows "eta–high min" (web-citizen `waitRange`); that range is what is judged.
      out.push({ estimateMin: g.estimateMin, lowMin: g.lowMin, highMin: g.highMin, actualMin: (t.calledAt - t.arrivalAt) / MIN });
    }
  }
  return out;
}

export function estimateSummary(records: readonly EstimateRecord[]): EstimateAccuracy & { shareAbove: number; shareBelow: number } {
  const a = estimateAccuracy(records);
  const n = Math.max(1, records.length);
  return {
    ...a,
    shareAbove: records.filter((r) => r.actualMin > r.highMin + 0.5).length / n,
    shareBelow: records.filter((r) => r.actualMin < r.lowMin - 0.5).length / n,
  };
}
