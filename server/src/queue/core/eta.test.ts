import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareForCalling, pickNext, type QueuedTicket } from './calling-order.ts';
import { busyWindowFreeAt, estimateWaits, waitRange, type EtaInput, type EtaWindow } from './eta.ts';

const NOW = Date.parse('2026-11-23T09:00:00+08:00');
const MIN = 60_000;
const t = (id: string, serviceId: string, dueMin: number, targetWindowId?: string): QueuedTicket => ({
  id,
  serviceId,
  dueAt: NOW + dueMin * MIN,
  issuedAt: NOW - 60 * MIN + dueMin, // order of issue follows due order unless a test says otherwise
  targetWindowId,
});
const win = (id: string, serviceIds: string[], busyMin = 0): EtaWindow => ({ id, serviceIds, busyUntil: NOW + busyMin * MIN });
const run = (waiting: QueuedTicket[], windows: EtaWindow[], handle: Record<string, number> = {}, fallback = 10) =>
  estimateWaits({ now: NOW, waiting, windows, meanHandleMin: new Map(Object.entries(handle)), fallbackHandleMin: fallback });
const brief = (m: ReturnType<typeof run>) =>
  Object.fromEntries([...m].map(([id, r]) => [id, [r.position, r.etaMinutes]]));

describe('estimateWaits: one window', () => {
  it('idle window, 10-min items: 0, 10, 20 minutes', () => {
    const m = run([t('C', 's1', 30), t('A', 's1', 10), t('B', 's1', 20)], [win('w1', ['s1'])], { s1: 10 });
    expect(brief(m)).toEqual({ A: [1, 0], B: [2, 10], C: [3, 20] });
    // range = wait − a gap (wait/position) to wait + 1.2 gaps per citizen ahead, low down, high up:
    // B 10 − 5 = 5 to 10 + 1.2·5 = 16; C 20 − 6.67 = 13.3 → 13 to 20 + 1.2·2·6.67 = 36; A is due now: 0–0.
    const range = (id: string) => [m.get(id)?.etaMinutesLow, m.get(id)?.etaMinutesHigh];
    expect([range('A'), range('B'), range('C')]).toEqual([[0, 0], [5, 16], [13, 36]]);
  });
  it('busy until +5: 5, 15, 25 (the TSDoc example)', () => {
    const m = run([t('A', 's1', 1), t('B', 's1', 2), t('C', 's1', 3)], [win('w1', ['s1'], 5)], { s1: 10 });
    expect(brief(m)).toEqual({ A: [1, 5], B: [2, 15], C: [3, 25] });
  });
  it('rounds up fractional minutes and treats a past busyUntil as now', () => {
    const m = run([t('A', 's1', 1), t('B', 's1', 2)], [win('w1', ['s1'], -3)], { s1: 7.5 });
    expect(brief(m)).toEqual({ A: [1, 0], B: [2, 8] });
  });
  it('uses the fallback for services without a mean', () => {
    const m = run([t('A', 'sx', 1), t('B', 'sx', 2)], [win('w1', ['sx'])], {}, 25);
    expect(m.get('B')?.etaMinutes).toBe(25);
  });
  it('mixes services at the window by calling order and their own handling times', () => {
    // a(s1, 10 min) due 1, b(s2, 20 min) due 2, c(s1) due 3 → a 0, b 10, c 30
    const m = run([t('c', 's1', 3), t('b', 's2', 2), t('a', 's1', 1)], [win('w1', ['s1', 's2'])], { s1: 10, s2: 20 });
    expect(brief(m)).toEqual({ a: [1, 0], b: [2, 10], c: [3, 30] });
  });
});

describe('estimateWaits: several windows', () => {
  it('hand-computed play with a comprehensive window', () => {
    // W1 serves s1, busy until +5; W2 serves s1+s2, idle. s1 takes 10 min, s2 20 min.
    // t=0  W2 picks a1 (due 1 < b1 due 2)      W2 free at 10
    // t=5  W1 picks a2 (s1 only)               W1 free at 15
    // t=10 W2 picks b1 (due 2 < a3 due 4)      W2 free at 30
    // t=15 W1 picks a3                         W1 free at 25, then nothing left
    const m = run(
      [t('a1', 's1', 1), t('a2', 's1', 3), t('b1', 's2', 2), t('a3', 's1', 4)],
      [win('W1', ['s1'], 5), win('W2', ['s1', 's2'])],
      { s1: 10, s2: 20 },
    );
    expect(brief(m)).toEqual({ a1: [1, 0], a2: [2, 5], b1: [3, 10], a3: [4, 15] });
  });
  it('two idle identical windows split the queue: 0, 0, 15, 15, 30', () => {
    const waiting = ['A', 'B', 'C', 'D', 'E'].map((id, i) => t(id, 's1', i));
    const m = run(waiting, [win('w1', ['s1']), win('w2', ['s1'])], { s1: 15 });
    expect(brief(m)).toEqual({ A: [1, 0], B: [2, 0], C: [3, 15], D: [4, 15], E: [5, 30] });
  });
  it('positions count only competitors: separate counters keep separate positions', () => {
    const m = run(
      [t('a1', 's1', 1), t('c1', 's3', 2), t('a2', 's1', 3), t('c2', 's3', 4)],
      [win('w1', ['s1']), win('w3', ['s3'])],
      { s1: 10, s3: 10 },
    );
    expect(brief(m)).toEqual({ a1: [1, 0], a2: [2, 10], c1: [1, 0], c2: [2, 10] });
  });
  it('a ticket targeted at a window waits for that window only', () => {
    // v (due 0) is targeted at W1 which is busy for 30; W2 serves the rest meanwhile.
    const m = run(
      [t('v', 's1', 0, 'W1'), t('a', 's1', 1), t('b', 's1', 2)],
      [win('W1', ['s1'], 30), win('W2', ['s1'])],
      { s1: 10 },
    );
    expect(brief(m)).toEqual({ a: [1, 0], b: [2, 10], v: [3, 30] });
  });
});

describe('estimateWaits: unserved tickets', () => {
  it('no open window serves the item → eta null, position by calling order within the service', () => {
    const m = run([t('z2', 's9', 5), t('z1', 's9', 1), t('a', 's1', 1)], [win('w1', ['s1'])]);
    expect(m.get('z1')).toEqual({ position: 1, etaMinutes: null, etaMinutesLow: null, etaMinutesHigh: null });
    expect(m.get('z2')).toEqual({ position: 2, etaMinutes: null, etaMinutesLow: null, etaMinutesHigh: null });
    expect(m.get('a')?.etaMinutes).toBe(0);
  });
  it('targeted at a closed window, or at a window not serving the item → unserved', () => {
    const m = run(
      [t('a', 's1', 1), t('x', 's1', 2, 'closed'), t('y', 's2', 3, 'w1')],
      [win('w1', ['s1'])],
    );
    expect(m.get('x')).toEqual({ position: 2, etaMinutes: null, etaMinutesLow: null, etaMinutesHigh: null });
    expect(m.get('y')).toEqual({ position: 1, etaMinutes: null, etaMinutesLow: null, etaMinutesHigh: null });
  });
  it('no windows at all, or no tickets', () => {
    expect(run([t('a', 's1', 1)], []).get('a')?.etaMinutes).toBeNull();
    expect(run([], [win('w1', ['s1'])]).size).toBe(0);
  });
});

// ---- properties -------------------------------------------------------------------------------------

const SERVICES = ['s1', 's2', 's3', 's4'];
const ticketsArb = fc
  .array(
    fc.record({
      serviceId: fc.constantFrom(...SERVICES),
      dueMin: fc.integer({ min: -30, max: 120 }),
      issuedMin: fc.integer({ min: -60, max: 0 }),
      target: fc.option(fc.constantFrom('w0', 'w1', 'w2', 'w9'), { freq: 4 }),
    }),
    { maxLength: 40 },
  )
  .map((rows) =>
    rows.map(
      (r, i): QueuedTicket => ({
        id: `t${i}`,
        serviceId: r.serviceId,
        dueAt: NOW + r.dueMin * MIN,
        issuedAt: NOW + r.issuedMin * MIN,
        targetWindowId: r.target,
      }),
    ),
  );
const windowsArb = fc
  .array(
    fc.record({ services: fc.subarray(SERVICES, { minLength: 1 }), busyMin: fc.integer({ min: -5, max: 40 }) }),
    { minLength: 1, maxLength: 3 },
  )
  .map((rows) => rows.map((r, i): EtaWindow => win(`w${i}`, r.services, r.busyMin)));
const handleArb = fc.record({ s1: fc.integer({ min: 1, max: 30 }), s2: fc.integer({ min: 1, max: 30 }), s3: fc.double({ min: 0.5, max: 30, noNaN: true }) });

/** The specification, slowly: the first-free window calls pickNext on what is left. */
function naivePlay(input: EtaInput): Map<string, number> {
  const left = [...input.waiting];
  const free = input.windows.map((w, index) => ({ w, index, at: Math.max(w.busyUntil, input.now), gone: false }));
  const calledAt = new Map<string, number>();
  for (;;) {
    const open = free.filter((f) => !f.gone).sort((a, b) => a.at - b.at || a.index - b.index);
    const f = open[0];
    if (!f) return calledAt;
    const next = pickNext(left, f.w);
    if (!next) {
      f.gone = true;
      continue;
    }
    left.splice(left.indexOf(next), 1);
    calledAt.set(next.id, f.at);
    f.at += (input.meanHandleMin.get(next.serviceId) ?? input.fallbackHandleMin) * MIN;
  }
}

describe('estimateWaits: properties', () => {
  it('one window serving everything: positions are a permutation 1..n in calling order, eta non-decreasing', () => {
    fc.assert(
      fc.property(ticketsArb, handleArb, fc.integer({ min: 0, max: 30 }), (tickets, handle, busy) => {
        const untargeted = tickets.map((x) => ({ ...x, targetWindowId: null }));
        const m = run(untargeted, [win('w0', SERVICES, busy)], handle);
        const ordered = [...untargeted].sort(compareForCalling);
        expect(ordered.map((x) => m.get(x.id)?.position)).toEqual(ordered.map((_, i) => i + 1));
        const etas = ordered.map((x) => m.get(x.id)?.etaMinutes ?? -1);
        for (let i = 1; i < etas.length; i++) expect(etas[i]).toBeGreaterThanOrEqual(etas[i - 1] ?? 0);
      }),
    );
  });

  it('matches the naive pickNext play exactly, for any windows, targets and busy times', () => {
    fc.assert(
      fc.property(ticketsArb, windowsArb, handleArb, (tickets, windows, handle) => {
        const input: EtaInput = { now: NOW, waiting: tickets, windows, meanHandleMin: new Map(Object.entries(handle)), fallbackHandleMin: 12 };
        const m = estimateWaits(input);
        const expected = naivePlay(input);
        expect(m.size).toBe(tickets.length);
        for (const x of tickets) {
          const r = m.get(x.id);
          const at = expected.get(x.id);
          if (at === undefined) {
            expect(r?.etaMinutes).toBeNull();
          } else {
            expect(r?.etaMinutes).toBe(Math.ceil(Math.round(at - NOW) / MIN));
            expect(r?.etaMinutesHigh).toBeGreaterThanOrEqual(r?.etaMinutes ?? 0);
            expect(r?.etaMinutesLow).toBeLessThanOrEqual(r?.etaMinutes ?? 0);
            expect(r?.etaMinutesLow).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('estimateWaits: only some results wanted', () => {
  it('gives exactly the results the full play gives those tickets, for any subset, windows and targets', () => {
    fc.assert(
      fc.property(ticketsArb, fc.option(windowsArb, { freq: 3 }), handleArb, fc.array(fc.boolean(), { maxLength: 40 }), (tickets, windows, handle, picks) => {
        const input: EtaInput = { now: NOW, waiting: tickets, windows: windows ?? [], meanHandleMin: new Map(Object.entries(handle)), fallbackHandleMin: 12 };
        const full = estimateWaits(input);
        const only = new Set(tickets.filter((_, i) => picks[i]).map((x) => x.id));
        only.add('not-waiting'); // a ticket called meanwhile: no result, and no harm
        const some = estimateWaits({ ...input, only });
        expect(new Set(some.keys())).toEqual(new Set([...only].filter((id) => full.has(id))));
        for (const id of some.keys()) expect(some.get(id)).toEqual(full.get(id));
      }),
      { numRuns: 400 },
    );
  });
});

describe('estimateWaits: scale', () => {
  // Its speed is measured by bench/planner ("ETA forward play"); this checks a hall-sized queue is fully played.
  it('gives every one of 10,000 tickets across 50 windows a position and a wait', () => {
    const services = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const waiting = Array.from({ length: 10_000 }, (_, i): QueuedTicket => ({
      id: `t${i}`,
      serviceId: services[(i * 7919) % 20] ?? 's0',
      dueAt: NOW + ((i * 104729) % 7200) * 1000,
      issuedAt: NOW - i,
    }));
    const windows = Array.from({ length: 50 }, (_, i) =>
      win(`w${i}`, services.filter((_, s) => (s + i) % 3 !== 0), i % 7),
    );
    const handle = Object.fromEntries(services.map((s, i) => [s, 5 + (i % 10)]));
    const result = run(waiting, windows, handle);
    expect(result.size).toBe(10_000);
    const positions = [...result.values()].map((r) => r.position);
    expect(new Set(positions).size).toBe(10_000);
    expect([...result.values()].every((r) => r.etaMinutes !== null && r.etaMinutesHigh !== null && r.etaMinutesHigh >= r.etaMinutes)).toBe(true);
  });
});

describe('the range and a busy window', () => {
  it('starts a gap before the wait and ends 1.2 gaps per citizen ahead after it (the TSDoc example)', () => {
    expect(waitRange(10 * MIN, 4)).toEqual({ low: 7, high: 19 });
    // The first in line may be called any moment, and no one can come in front of them.
    expect(waitRange(3.5 * MIN, 1)).toEqual({ low: 0, high: 4 });
    // Called at once (an idle window): "now", no range.
    expect(waitRange(0, 1)).toEqual({ low: 0, high: 0 });
  });
  it('widens towards the late side with the queue ahead: later arrivals due sooner overtake', () => {
    const sides = (position: number) => {
      const { low, high } = waitRange(60 * MIN, position);
      return { early: 60 - low, late: high - 60 };
    };
    expect(sides(1)).toEqual({ early: 60, late: 0 });
    expect(sides(2)).toEqual({ early: 30, late: 36 });
    expect(sides(30)).toEqual({ early: 2, late: 70 });
  });
  it('a busy window calls next at its start + the mean, or, running over, a while after now (not now)', () => {
    expect(busyWindowFreeAt(NOW, NOW - 4 * MIN, 10)).toBe(NOW + 6 * MIN);
    // 15 min into a 10-min item: the rest of it is still to come, 0.3 of the mean.
    expect(busyWindowFreeAt(NOW, NOW - 15 * MIN, 10)).toBe(NOW + 3 * MIN);
  });
});
