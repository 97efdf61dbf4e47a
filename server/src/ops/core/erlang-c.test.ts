import { describe, expect, it } from 'vitest';
import { erlangB, erlangC, mmc, serversForServiceLevel, shareWithin } from './erlang-c.ts';

/** Erlang C straight from its definition, for moderate c where factorials are still exact enough. */
function erlangCDirect(c: number, a: number): number {
  let sum = 0;
  let term = 1; // a^k / k!
  for (let k = 0; k < c; k++) {
    sum += term;
    term *= a / (k + 1);
  }
  const top = term * (c / (c - a)); // a^c / c! · c / (c − a)
  return top / (sum + top);
}

describe('erlangB / erlangC', () => {
  it('small cases by hand', () => {
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 12); // a / (1 + a)
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12); // (a²/2) / (1 + a + a²/2)
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12); // M/M/1: P(wait) = ρ
    expect(erlangB(5, 0)).toBe(0);
    expect(erlangC(5, 0)).toBe(0);
  });
  it('matches the textbook formula', () => {
    for (const [c, a] of [[2, 1.5], [10, 7], [16, 15], [30, 25.5]] as const) {
      expect(erlangC(c, a)).toBeCloseTo(erlangCDirect(c, a), 10);
    }
  });
  it('stays finite and in [0, 1] for large halls where factorials overflow', () => {
    const p = erlangC(1000, 990);
    expect(Number.isFinite(p)).toBe(true);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(erlangB(2000, 1500)).toBeGreaterThanOrEqual(0);
  });
  it('is 1 when the offered load reaches the servers', () => {
    expect(erlangC(15, 15)).toBe(1);
    expect(erlangC(3, 4)).toBe(1);
  });
  it('refuses a non-positive or fractional server count (a caller bug)', () => {
    expect(() => erlangC(0, 1)).toThrow(RangeError);
    expect(() => erlangB(2.5, 1)).toThrow(RangeError);
  });
});

describe('mmc', () => {
  it('M/M/1, λ = 0.5, μ = 1: Wq = ρ/(μ − λ) = 1, Lq = 0.5', () => {
    const r = mmc({ arrivalRate: 0.5, meanServiceTime: 1, servers: 1 });
    expect(r.meanWait).toBeCloseTo(1, 12);
    expect(r.meanQueueLength).toBeCloseTo(0.5, 12);
    expect(r.utilisation).toBeCloseTo(0.5, 12);
  });
  it('textbook: 3 servers, 300 arrivals a year, 2-day mean service → Lq 0.352, Wq 0.43 days', () => {
    const r = mmc({ arrivalRate: 300 / 365, meanServiceTime: 2, servers: 3 });
    expect(r.meanQueueLength).toBeCloseTo(0.352, 3);
    expect(r.meanWait).toBeCloseTo(0.43, 2);
    expect(r.stable).toBe(true);
  });
  it.each([
    // 60 arrivals/h, 15-min mean service (a = 15): mean wait and share within 10 min
    [16, 10.9, 0.625],
    [17, 3.9, 0.863],
    [18, 1.8, 0.951],
  ])('60/h × 15 min on %i windows → %f min, %f within 10 min', (c, wait, within) => {
    const input = { arrivalRate: 1, meanServiceTime: 15, servers: c }; // per minute
    expect(Math.abs(mmc(input).meanWait - wait)).toBeLessThan(0.06); // 10.95, 3.90, 1.81
    expect(shareWithin(input, 10)).toBeCloseTo(within, 3);
  });
  it('unstable (λ ≥ cμ): infinite waits, nobody within any target', () => {
    const input = { arrivalRate: 1, meanServiceTime: 15, servers: 15 };
    expect(mmc(input)).toMatchObject({ stable: false, probWait: 1, meanWait: Infinity, meanQueueLength: Infinity });
    expect(shareWithin(input, 60)).toBe(0);
  });
  it('no arrivals: no wait', () => {
    expect(mmc({ arrivalRate: 0, meanServiceTime: 15, servers: 1 })).toMatchObject({ probWait: 0, meanWait: 0 });
    expect(shareWithin({ arrivalRate: 0, meanServiceTime: 15, servers: 1 }, 0)).toBe(1);
  });
  it('share within 0 is the probability of not waiting; it rises with t and with c', () => {
    const input = { arrivalRate: 1, meanServiceTime: 15, servers: 17 };
    expect(shareWithin(input, 0)).toBeCloseTo(1 - mmc(input).probWait, 12);
    expect(shareWithin(input, 5)).toBeLessThan(shareWithin(input, 10));
    expect(shareWithin(input, 10)).toBeLessThan(shareWithin({ ...input, servers: 18 }, 10));
  });
});

describe('serversForServiceLevel', () => {
  const base = { arrivalRate: 1, meanServiceTime: 15, targetWait: 10 };
  it('smallest c meeting the level: 0.9 → 18, 0.6 → 16 (the first stable count), 0.95 → 18, 0.96 → 19', () => {
    expect(serversForServiceLevel({ ...base, serviceLevel: 0.9 })).toBe(18);
    expect(serversForServiceLevel({ ...base, serviceLevel: 0.6 })).toBe(16);
    expect(serversForServiceLevel({ ...base, serviceLevel: 0.95 })).toBe(18);
    expect(serversForServiceLevel({ ...base, serviceLevel: 0.96 })).toBe(19);
  });
  it('one server when nobody comes; null when the bound is too low', () => {
    expect(serversForServiceLevel({ ...base, arrivalRate: 0, serviceLevel: 0.9 })).toBe(1);
    expect(serversForServiceLevel({ ...base, serviceLevel: 0.9, maxServers: 17 })).toBeNull();
  });
});
