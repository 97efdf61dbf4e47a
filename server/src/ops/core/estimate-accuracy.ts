/**
 * How right the wait estimates were: each ticket's estimate (likely minutes and the range shown) beside the
 * wait it actually had. Pure: the live report and the outcomes bench feed it the same records.
 */

export interface EstimateRecord {
  /** Likely minutes until the call, as given. */
  estimateMin: number;
  /** The range the citizen saw, in minutes (low ≤ estimate ≤ high). */
  lowMin: number;
  highMin: number;
  /** Minutes from the estimate to the actual call. */
  actualMin: number;
}

export interface EstimateAccuracy {
  tickets: number;
  /** Mean |estimate − actual|; null without tickets. */
  maeMin: number | null;
  /**
   * Mean (estimate − actual), the sign `GET /sites/:siteId/stats` and `/metrics` use: positive, we said
   * longer than it took; negative, citizens waited longer than told. Null without tickets.
   */
  biasMin: number | null;
  /** Tickets whose screen showed a range (`showsRange`): those told "about 8 in 10 are called within it". */
  rangeShown: number;
  /**
   * Share of those whose actual wait fell inside [low, high]; null without any. A ticket told "now" (high
   * ≤ 1 min: called at once, inside by construction) is not counted: the screen promised it no range.
   */
  shareInRange: number | null;
}

/**
 * Whether the citizen's screen shows the estimate as a range with the sentence about 8 in 10 (web-citizen
 * `screens/ticket.tsx` `waitRange`, the same rule): a high edge of 2 min or more, above the low edge. A high
 * of 0 or 1 reads "soon"; low = high reads as one figure. Rows from before the low edge was kept pass the
 * estimate as `lowMin`.
 */
export function showsRange(lowMin: number, highMin: number): boolean {
  return highMin > 1 && highMin > lowMin;
}

/**
 * Rationale: the estimate and the range are whole minutes (rounded up), the actual wait is not; a wait
 * of 5.4 min told "5 min" is inside, so the range's edges get the half minute a citizen would grant.
 */
export const INSIDE_EDGE_MIN = 0.5;

/** Whether an actual wait falls in the range a citizen was shown (whole minutes, so ±half a minute). */
export function insideRange(actualMin: number, lowMin: number, highMin: number): boolean {
  return actualMin >= lowMin - INSIDE_EDGE_MIN && actualMin <= highMin + INSIDE_EDGE_MIN;
}

export function estimateAccuracy(records: Iterable<EstimateRecord>): EstimateAccuracy {
  let n = 0;
  let abs = 0;
  let signed = 0;
  let shown = 0;
  let inside = 0;
  for (const r of records) {
    n++;
    const err = r.estimateMin - r.actualMin;
    abs += Math.abs(err);
    signed += err;
    if (!showsRange(r.lowMin, r.highMin)) continue;
    shown++;
    if (insideRange(r.actualMin, r.lowMin, r.highMin)) inside++;
  }
  const shareInRange = shown > 0 ? inside / shown : null;
  if (n === 0) return { tickets: 0, maeMin: null, biasMin: null, rangeShown: 0, shareInRange };
  return { tickets: n, maeMin: abs / n, biasMin: signed / n, rangeShown: shown, shareInRange };
}
