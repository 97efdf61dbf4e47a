/**
 * Seedable pseudo-random numbers for the simulator: same seed, same day, on every machine and Node version.
 * Math.random cannot be seeded, so the core never uses it.
 */

/** A uniform generator on [0, 1). */
export type Uniform = () => number;

/**
 * mulberry32: a 32-bit state generator, tiny and fast, passing PractRand to several GB. Its 2^32 period is far
 * beyond the few million draws of a planner run.
 */
export function mulberry32(seed: number): Uniform {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes a base seed and a stream number into an unrelated seed (splitmix32 finaliser), so replication i and
 * the arrival and service streams inside it never share a sequence.
 */
export function deriveSeed(seed: number, stream: number): number {
  let z = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export interface Rng {
  /** Uniform on [0, 1). */
  next: Uniform;
  uniform(min: number, max: number): number;
  /** Exponential with the given mean (inverse transform; never 0, never Infinity). */
  exponential(mean: number): number;
  /** Standard normal (Box–Muller, one value per call). */
  normal(): number;
  /** Lognormal with the given mean and coefficient of variation (sd / mean). */
  lognormal(mean: number, cv: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  // 1 − u is in (0, 1], so its log is finite.
  const open = (): number => 1 - next();
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    exponential: (mean) => -mean * Math.log(open()),
    normal: () => Math.sqrt(-2 * Math.log(open())) * Math.cos(2 * Math.PI * next()),
    lognormal(mean, cv) {
      // For X = e^{μ + σZ}: E[X] = e^{μ + σ²/2}, CV² = e^{σ²} − 1.
      const sigma2 = Math.log(1 + cv * cv);
      return Math.exp(Math.log(mean) - sigma2 / 2 + Math.sqrt(sigma2) * this.normal());
    },
    chance: (p) => next() < p,
  };
}
