import { describe, expect, it } from 'vitest';
import { estimateAccuracy, showsRange } from './estimate-accuracy.ts';

describe('estimateAccuracy', () => {
  it('mean absolute error, bias (estimate − actual, as the API: waited longer than told is negative) and share inside the range', () => {
    const a = estimateAccuracy([
      { estimateMin: 10, lowMin: 6, highMin: 15, actualMin: 12 }, // −2, inside
      { estimateMin: 10, lowMin: 6, highMin: 15, actualMin: 4 }, // +6, below
      { estimateMin: 20, lowMin: 14, highMin: 30, actualMin: 30.4 }, // −10.4, inside by the half-minute edge
      { estimateMin: 5, lowMin: 3, highMin: 9, actualMin: 9.6 }, // −4.6, above
      // Told "now" (0–0) and "soon" (0–1): no range on the screen, no promise to judge; their errors count.
      { estimateMin: 0, lowMin: 0, highMin: 0, actualMin: 0 },
      { estimateMin: 1, lowMin: 0, highMin: 1, actualMin: 0.6 }, // +0.4
    ]);
    expect(a.tickets).toBe(6);
    expect(a.maeMin).toBeCloseTo((2 + 6 + 10.4 + 4.6 + 0 + 0.4) / 6, 10);
    expect(a.biasMin).toBeCloseTo((-2 + 6 - 10.4 - 4.6 + 0 + 0.4) / 6, 10);
    // 2 of the 4 shown a range, not 4 of 6.
    expect(a.rangeShown).toBe(4);
    expect(a.shareInRange).toBe(0.5);
  });

  it('judges only what the screen shows as a range (high ≥ 2 min above low), as web-citizen does', () => {
    expect([showsRange(0, 0), showsRange(0, 1), showsRange(1, 1), showsRange(0, 2), showsRange(5, 5), showsRange(5, 9)]).toEqual([
      false, false, false, true, false, true,
    ]);
    const calledAtOnce = Array.from({ length: 9 }, () => ({ estimateMin: 0, lowMin: 0, highMin: 0, actualMin: 0 }));
    // Nine called at once and one told 3–8 who waited 12: the screen's promise failed for the only one it was made to.
    expect(estimateAccuracy([...calledAtOnce, { estimateMin: 5, lowMin: 3, highMin: 8, actualMin: 12 }])).toMatchObject({ tickets: 10, rangeShown: 1, shareInRange: 0 });
  });

  it('no tickets: nothing to say, not a perfect score', () => {
    expect(estimateAccuracy([])).toEqual({ tickets: 0, maeMin: null, biasMin: null, rangeShown: 0, shareInRange: null });
  });
});
