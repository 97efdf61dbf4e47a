import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, mulberry32 } from './rng.ts';

const N = 100_000;
const moments = (draw: () => number): { mean: number; sd: number } => {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < N; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / N;
  return { mean, sd: Math.sqrt(s2 / N - mean * mean) };
};

describe('rng', () => {
  it('same seed, same sequence; another seed, another one', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });
  it('uniform in [0, 1) with mean 1/2 and sd 1/√12', () => {
    const u = mulberry32(1);
    let min = 1;
    let max = 0;
    const m = moments(() => {
      const x = u();
      min = Math.min(min, x);
      max = Math.max(max, x);
      return x;
    });
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.sd).toBeCloseTo(1 / Math.sqrt(12), 2);
  });
  it('exponential: mean = sd = the mean asked for', () => {
    const rng = createRng(7);
    const e = moments(() => rng.exponential(15));
    expect(e.mean).toBeGreaterThan(14.7);
    expect(e.mean).toBeLessThan(15.3);
    expect(e.sd / e.mean).toBeCloseTo(1, 1);
  });
  it('lognormal: the mean and coefficient of variation asked for', () => {
    const rng = createRng(9);
    const m = moments(() => rng.lognormal(12, 0.6));
    expect(m.mean).toBeGreaterThan(11.85);
    expect(m.mean).toBeLessThan(12.15);
    expect(m.sd / m.mean).toBeCloseTo(0.6, 1);
  });
  it('normal: mean 0, sd 1', () => {
    const rng = createRng(11);
    const m = moments(() => rng.normal());
    expect(Math.abs(m.mean)).toBeLessThan(0.01);
    expect(m.sd).toBeCloseTo(1, 2);
  });
  it('deriveSeed spreads streams: distinct and unrelated to the base seed', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(1, i)));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(2, 0));
    expect(deriveSeed(5, 3)).toBe(deriveSeed(5, 3));
  });
});
