import { describe, expect, it } from 'vitest';
import { estimate, quantileSorted, tQuantile975 } from './stats.ts';

describe('estimate', () => {
  it('mean ± t·s/√n: [1, 2, 3, 4, 5] → 3 ± 2.776·1.581/√5 = 3 ± 1.963', () => {
    const e = estimate([1, 2, 3, 4, 5]);
    expect(e.mean).toBe(3);
    expect(e.halfWidth).toBeCloseTo(1.963, 3);
    expect(e.low).toBeCloseTo(1.037, 3);
    expect(e.n).toBe(5);
  });
  it('one observation: unbounded interval; none: NaN', () => {
    expect(estimate([4])).toMatchObject({ mean: 4, halfWidth: Infinity });
    expect(Number.isNaN(estimate([]).mean)).toBe(true);
  });
  it('t quantiles: table, then the large-df approximation towards 1.96', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(19)).toBe(2.093);
    expect(tQuantile975(60)).toBeCloseTo(2.0, 2);
    expect(tQuantile975(10_000)).toBeCloseTo(1.96, 3);
  });
});

describe('quantileSorted', () => {
  it('nearest rank', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantileSorted(xs, 0.9)).toBe(9);
    expect(quantileSorted(xs, 0.5)).toBe(5);
    expect(quantileSorted(xs, 0)).toBe(1);
    expect(quantileSorted(xs, 1)).toBe(10);
    expect(Number.isNaN(quantileSorted([], 0.5))).toBe(true);
  });
});
