import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from './random-pool.ts';

describe('pooled random bytes', () => {
  it('never hand out the same bytes twice, across refills of the pool', () => {
    const seen = new Set<string>();
    // 3,000 × 24 bytes crosses the 4 KiB pool's refill about 17 times.
    for (let i = 0; i < 3_000; i++) seen.add(pooledRandomBytes(24).toString('hex'));
    expect(seen.size).toBe(3_000);
  });

  it('are spread evenly over byte values (no zeroed or repeated stretches)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4_000; i++) for (const b of pooledRandomBytes(16)) counts[b] = (counts[b] ?? 0) + 1;
    // 64,000 bytes: 250 per value expected; a chi-square far above 256 degrees of freedom means bias.
    const chi = counts.reduce((a, c) => a + (c - 250) ** 2 / 250, 0);
    expect(chi).toBeLessThan(400);
  });

  it('give each caller its own copy', () => {
    const a = pooledRandomBytes(16);
    const kept = Buffer.from(a);
    pooledRandomBytes(16);
    expect(a.equals(kept)).toBe(true);
  });

  it('refuse a request larger than the pool', () => {
    expect(() => pooledRandomBytes(4097)).toThrow(RangeError);
  });
});
