/**
 * M/M/c (Erlang C) formulas: Poisson arrivals, exponential service, c identical servers, FCFS.
 * Used as the first, closed-form answer of the staffing planner and as the outside check of the simulator.
 * Units are the caller's: any consistent time unit for `arrivalRate` (per unit) and `meanServiceTime`.
 */

export interface MmcInput {
  /** λ, arrivals per time unit. */
  arrivalRate: number;
  /** 1/μ, in the same time unit. */
  meanServiceTime: number;
  /** c ≥ 1. */
  servers: number;
}

export interface MmcResult {
  /** a = λ/μ, in Erlangs: the mean number of busy servers if there were enough. */
  offeredLoad: number;
  /** ρ = a/c. */
  utilisation: number;
  /** λ < cμ; otherwise the queue grows without bound and waits are infinite. */
  stable: boolean;
  /** Erlang C: P(W > 0). 1 when unstable. */
  probWait: number;
  /** E[W_q] = P_w / (cμ − λ), in the caller's time unit; `Infinity` when unstable. */
  meanWait: number;
  /** L_q = λ·E[W_q]; `Infinity` when unstable. */
  meanQueueLength: number;
}

/**
 * Erlang B blocking probability by the recurrence B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)).
 * Numerically stable for any c (no factorials or powers: every step stays in [0, 1]).
 */
export function erlangB(servers: number, offeredLoad: number): number {
  assertServers(servers);
  if (offeredLoad <= 0) return 0;
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
  return b;
}

/** Erlang C probability of waiting, from Erlang B: C = c·B / (c − a·(1 − B)); 1 when a ≥ c. */
export function erlangC(servers: number, offeredLoad: number): number {
  assertServers(servers);
  if (offeredLoad <= 0) return 0;
  if (offeredLoad >= servers) return 1;
  const b = erlangB(servers, offeredLoad);
  return (servers * b) / (servers - offeredLoad * (1 - b));
}

export function mmc(input: MmcInput): MmcResult {
  const { arrivalRate: lambda, meanServiceTime, servers: c } = input;
  assertServers(c);
  const a = lambda * meanServiceTime;
  const stable = a < c;
  if (!stable) {
    return { offeredLoad: a, utilisation: a / c, stable, probWait: 1, meanWait: Infinity, meanQueueLength: Infinity };
  }
  const probWait = erlangC(c, a);
  const meanWait = lambda > 0 ? (probWait * meanServiceTime) / (c - a) : 0; // P_w / (cμ − λ) with μ = 1/meanServiceTime
  return { offeredLoad: a, utilisation: a / c, stable, probWait, meanWait, meanQueueLength: lambda * meanWait };
}

/**
 * P(W ≤ t) = 1 − P_w · e^{−(cμ − λ)t} for FCFS M/M/c (t ≥ 0; the wait is 0 with probability 1 − P_w).
 * 0 when unstable: in the long run nobody is served within any fixed time.
 */
export function shareWithin(input: MmcInput, t: number): number {
  const r = mmc(input);
  if (!r.stable) return 0;
  const decay = input.servers / input.meanServiceTime - input.arrivalRate; // cμ − λ
  return 1 - r.probWait * Math.exp(-decay * Math.max(0, t));
}

export interface ServiceLevelInput {
  arrivalRate: number;
  meanServiceTime: number;
  /** The wait target t, same unit. */
  targetWait: number;
  /** Required share of arrivals waiting ≤ t, in (0, 1). */
  serviceLevel: number;
  /** Search bound. Rationale: 1,000 windows is beyond any hall; it only stops a runaway loop. */
  maxServers?: number;
}

/**
 * The fewest servers c with P(W ≤ t) ≥ serviceLevel, or `null` if even `maxServers` do not reach it.
 * Starts at the smallest stable c, ⌊a⌋ + 1 (at least 1): P(W ≤ t) grows with c, so the first hit is the answer.
 *
 * Worked example: 60 arrivals/h, 15-min service (a = 15 Erlangs), t = 10 min, level 0.9 →
 * 16 windows give 62.5 %, 17 give 86.3 %, 18 give 95.1 % → 18.
 */
export function serversForServiceLevel(input: ServiceLevelInput): number | null {
  const max = input.maxServers ?? 1000;
  const a = input.arrivalRate * input.meanServiceTime;
  if (a <= 0) return 1;
  for (let c = Math.max(1, Math.floor(a) + 1); c <= max; c++) {
    const within = shareWithin({ arrivalRate: input.arrivalRate, meanServiceTime: input.meanServiceTime, servers: c }, input.targetWait);
    if (within >= input.serviceLevel) return c;
  }
  return null;
}

function assertServers(c: number): void {
  // A bug in the caller, not bad user input: the planner only asks with whole, positive counts.
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`servers must be a positive integer, got ${c}`);
}
