/** A mean with its two-sided 95 % confidence interval (Student t over independent replications). */
export interface Estimate {
  mean: number;
  low: number;
  high: number;
  halfWidth: number;
  n: number;
}

/**
 * Rationale: two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom (standard tables);
 * beyond 30 the approximation 1.96 + 2.4/df is within 0.002 of the true value.
 */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12,
  2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return Infinity;
  return T975[df - 1] ?? 1.96 + 2.4 / df;
}

/** Mean and 95 % CI of independent observations; a single observation has an infinite interval. */
export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN, halfWidth: NaN, n };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, low: -Infinity, high: Infinity, halfWidth: Infinity, n };
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const halfWidth = tQuantile975(n - 1) * Math.sqrt(ss / (n - 1) / n);
  return { mean, low: mean - halfWidth, high: mean + halfWidth, halfWidth, n };
}

/** The q-quantile (0..1) of sorted values, nearest-rank; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}
