import { describe, expect, it } from 'vitest';
import { estimateAccuracy } from './estimate-accuracy.ts';

describe('estimateAccuracy', () => {
  it('mean absolute error, bias (estimate − actual, as the API: waited longer than told is negative) and share inside the range', () => {
    const a = estimateAccuracy([
      { estimateMin: 10, lowMin: 6, highMin: 15, actualMin: 12 }, // −2, inside
      { estimateMin: 10, lowMin: 6, highMin: 15, actualMin: 4 }, // +6, below
      { estimateMin: 20, lowMin: 14, highMin: 30, actualMin: 30.4 }, // −10.4, inside by the half-minute edge
      { estimateMin: 5, lowMin: 3, highMin: 9, actualMin: 9.6 }, // −4.6, above
    ]);
    expect(a.tickets).toBe(4);
    expect(a.maeMin).toBeCloseTo((2 + 6 + 10.4 + 4.6) / 4, 10);
    expect(a.biasMin).toBeCloseTo((-2 + 6 - 10.4 - 4.6) / 4, 10);
    expect(a.shareInRange).toBe(0.5);
  });

  it('no tickets: nothing to say, not a perfect score', () => {
    expect(estimateAccuracy([])).toEqual({ tickets: 0, maeMin: null, biasMin: null, shareInRange: null });
  });
});
