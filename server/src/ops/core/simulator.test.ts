import { describe, expect, it } from 'vitest';
import { resolveServiceTargets, type ServiceTargets } from '../../queue/core/types.ts';
import { mmc, shareWithin } from './erlang-c.ts';
import { deriveSeed } from './rng.ts';
import { HOUR_MS, replicate, simulate, type SimScenario, type SimService, type SimWindow } from './simulator.ts';

const MIN = 60_000;
const general = resolveServiceTargets({ complexity: 'general' }); // appointment 10, walk-in 30
const svc = (id: string, meanMin: number, targets: ServiceTargets = general): SimService => ({
  id,
  targets,
  handle: { kind: 'fixed', meanMin },
});
const win = (id: string, serviceIds: string[], open?: SimWindow['open']): SimWindow => ({ id, serviceIds, open });
const base: SimScenario = { services: [svc('s1', 10), svc('s2', 10)], windows: [], walkIns: [] };

describe('simulate: the real calling policy, hand-checked', () => {
  it('one window, fixed 10-min handling: FCFS among equal targets', () => {
    const run = simulate(
      {
        ...base,
        windows: [win('w1', ['s1'])],
        replay: [0, 1, 2].map((m) => ({ serviceId: 's1', channel: 'kiosk' as const, at: m * MIN })),
      },
      1,
    );
    // called at 0, 10, 20; waits 0, 9, 18
    expect(run.tickets.map((t) => t.calledAt)).toEqual([0, 10 * MIN, 20 * MIN]);
    expect(run.summary.meanWaitMin).toBe(9);
    expect(run.summary.shareWithinTarget).toBe(1); // walk-in target 30
  });

  it('EDF: a checked-in appointment (due slot + 10) overtakes an earlier walk-in (due issue + 30)', () => {
    const run = simulate(
      {
        ...base,
        windows: [win('w1', ['s1'])],
        replay: [
          { serviceId: 's1', channel: 'kiosk', at: 0, handleMin: 10 }, // served 0–10
          { serviceId: 's1', channel: 'kiosk', at: 1 * MIN }, //            due 31
          { serviceId: 's1', channel: 'appointment', at: 2 * MIN, slotStart: 5 * MIN }, // due 15
        ],
      },
      1,
    );
    const [, walkIn, appt] = run.tickets;
    expect(appt?.calledAt).toBe(10 * MIN);
    expect(walkIn?.calledAt).toBe(20 * MIN);
    expect(appt?.anchorAt).toBe(5 * MIN); // early check-in: the target clock starts at the slot
  });

  it('an elderly walk-in (due within a third of the 30-min target) overtakes a normal one issued up to 20 min earlier', () => {
    const run = simulate(
      {
        ...base,
        windows: [win('w1', ['s1'])],
        replay: [
          { serviceId: 's1', channel: 'kiosk', at: 0 },
          { serviceId: 's1', channel: 'kiosk', at: 1 * MIN },
          { serviceId: 's1', channel: 'kiosk', at: 9 * MIN, priority: 'elderly' }, // due 19 < 31
        ],
      },
      1,
    );
    expect(run.tickets.map((t) => t.calledAt)).toEqual([0, 20 * MIN, 10 * MIN]);
  });

  it('windows serve only their services; a comprehensive window takes either', () => {
    const run = simulate(
      {
        ...base,
        windows: [win('only-s2', ['s2']), win('both', ['s1', 's2'])],
        replay: [
          { serviceId: 's1', channel: 'kiosk', at: 0 },
          { serviceId: 's1', channel: 'kiosk', at: 0 },
          { serviceId: 's2', channel: 'kiosk', at: 1 * MIN },
        ],
      },
      1,
    );
    expect(run.tickets.map((t) => [t.windowId, t.calledAt])).toEqual([
      ['both', 0],
      ['both', 10 * MIN],
      ['only-s2', 1 * MIN],
    ]);
  });

  it('a window calls only while open; draining serves the queue left at closing, otherwise it stays', () => {
    const replay = [0, 0, 0].map(() => ({ serviceId: 's1', channel: 'kiosk' as const, at: 8.5 * HOUR_MS }));
    const open = (drain: boolean) => [{ from: 9 * HOUR_MS, to: 9 * HOUR_MS + 15 * MIN, drain }];
    const drained = simulate({ ...base, windows: [win('w1', ['s1'], open(true))], replay }, 1);
    expect(drained.tickets.map((t) => (t.calledAt ?? 0) - 9 * HOUR_MS)).toEqual([0, 10 * MIN, 20 * MIN]);
    const closed = simulate({ ...base, windows: [win('w1', ['s1'], open(false))], replay }, 1);
    expect(closed.tickets.map((t) => t.calledAt)).toEqual([9 * HOUR_MS, 9 * HOUR_MS + 10 * MIN, null]);
    expect(closed.summary).toMatchObject({ tickets: 3, served: 2 });
    // Waited 30 min (called exactly at dueAt: met), 40 min (missed), never called (missed).
    expect(closed.summary.shareWithinTarget).toBeCloseTo(1 / 3, 10);
  });

  it('a busy window does not double-book when its next interval starts', () => {
    const run = simulate(
      {
        ...base,
        windows: [win('w1', ['s1'], [{ from: 0, to: 5 * MIN, drain: true }, { from: 5 * MIN, to: HOUR_MS }])],
        replay: [0, 1, 2].map((m) => ({ serviceId: 's1', channel: 'kiosk' as const, at: m * MIN })),
      },
      1,
    );
    expect(run.tickets.map((t) => t.calledAt)).toEqual([0, 10 * MIN, 20 * MIN]);
  });

  it('buckets by the hour the wait target starts; per-hour and total agree', () => {
    const run = simulate(
      {
        ...base,
        windows: [win('w1', ['s1'])],
        replay: [
          { serviceId: 's1', channel: 'appointment', at: 8 * HOUR_MS + 50 * MIN, slotStart: 9 * HOUR_MS },
          { serviceId: 's1', channel: 'kiosk', at: 9 * HOUR_MS + 30 * MIN },
          { serviceId: 's1', channel: 'kiosk', at: 10 * HOUR_MS + 5 * MIN },
        ],
      },
      1,
    );
    expect(run.perHour.map((h) => [h.hourStart / HOUR_MS, h.tickets])).toEqual([[9, 2], [10, 1]]);
    expect(run.summary.tickets).toBe(3);
  });
});

describe('simulate: random streams', () => {
  const scenario: SimScenario = {
    services: [
      { id: 'a', targets: general, handle: { kind: 'exponential', meanMin: 12 } },
      { id: 'b', targets: general, handle: { kind: 'lognormal', meanMin: 20, cv: 0.5 } },
    ],
    windows: [win('w1', ['a', 'b']), win('w2', ['a', 'b']), win('w3', ['b'])],
    walkIns: [
      { serviceId: 'a', from: 0, to: 8 * HOUR_MS, ratePerHour: 6 },
      { serviceId: 'b', from: 0, to: 8 * HOUR_MS, ratePerHour: 4 },
    ],
    appointments: Array.from({ length: 16 }, (_, i) => ({ serviceId: 'a', slotStart: HOUR_MS + i * 20 * MIN })),
    priorityShare: 0.2,
  };

  it('same seed → same day; another seed → another day', () => {
    const a = simulate(scenario, 5);
    expect(simulate(scenario, 5)).toEqual(a);
    expect(simulate(scenario, 6).tickets.map((t) => t.arrivalAt)).not.toEqual(a.tickets.map((t) => t.arrivalAt));
  });

  it('appointments check in within [slot − 15, slot + 5]; everyone is eventually called', () => {
    const run = simulate(scenario, 3);
    const appts = run.tickets.filter((t) => t.channel === 'appointment');
    expect(appts).toHaveLength(16);
    for (const t of appts) {
      const slot = t.anchorAt; // max(check-in, slot) ≥ slot
      expect(t.arrivalAt).toBeGreaterThanOrEqual(slot - 15 * MIN - 1);
      expect(t.arrivalAt).toBeLessThanOrEqual(slot + 5 * MIN);
    }
    expect(run.summary.served).toBe(run.summary.tickets);
  });

  it('walk-in counts are Poisson: about 80 over 8 h × 10/h, across replications', () => {
    const r = replicate({ ...scenario, appointments: [] }, { replications: 30, seed: 11 });
    expect(r.tickets.low).toBeLessThan(80);
    expect(r.tickets.high).toBeGreaterThan(80);
  });

  it('priority groups wait less than everyone else under load', () => {
    let elderly = 0;
    let normal = 0;
    let ne = 0;
    let nn = 0;
    const busy: SimScenario = { ...scenario, windows: scenario.windows.slice(0, 2), walkIns: scenario.walkIns.map((w) => ({ ...w, ratePerHour: w.ratePerHour * 1.1 })), priorityShare: 0.3 };
    for (let seed = 0; seed < 10; seed++) {
      for (const t of simulate(busy, seed).tickets) {
        if (t.calledAt === null || t.channel === 'appointment') continue;
        const w = t.calledAt - t.arrivalAt;
        if (t.priority === 'normal') {
          normal += w;
          nn++;
        } else {
          elderly += w;
          ne++;
        }
      }
    }
    expect(elderly / ne).toBeLessThan(normal / nn);
  });

  it('per hour, a bad day is the 10th percentile of that hour\'s share over the replications', () => {
    const busy: SimScenario = { ...scenario, windows: scenario.windows.slice(0, 2) };
    const r = replicate(busy, { replications: 20, seed: 5 });
    for (const h of r.perHour) {
      const shares = Array.from({ length: 20 }, (_, i) => simulate(busy, deriveSeed(5, i)).perHour.find((x) => x.hourStart === h.hourStart)?.shareWithinTarget ?? 1);
      shares.sort((a, b) => a - b);
      expect(h.shareWithinTargetP10).toBe(shares[1]); // nearest rank: ⌈0.1 · 20⌉ = 2nd
    }
    expect(r.perHour.some((h) => h.shareWithinTargetP10 < h.shareWithinTarget.mean)).toBe(true);
  });

  it('changing windows keeps the citizens (common random numbers)', () => {
    const a = simulate(scenario, 8).tickets.map((t) => [t.arrivalAt, t.handleMin, t.priority]);
    const b = simulate({ ...scenario, windows: scenario.windows.slice(0, 1) }, 8).tickets.map((t) => [t.arrivalAt, t.handleMin, t.priority]);
    expect(b).toEqual(a);
  });
});

// ---- queueing theory as an outside check ---------------------------------------------------------------

// Rationale: ~0.5 s per case on an idle core; a shared 2-core machine under load has been seen 10× slower.
describe('simulator vs Erlang C (M/M/c, FCFS)', { timeout: 60_000 }, () => {
  // 60 arrivals/h, 15-min exponential service; every ticket with the same 10-min target, so EDF is FCFS.
  // Rationale: 20 replications × 200 h after a 20 h warm-up put the 95 % interval of the mean wait within
  // ±20 % at 16 windows (ρ = 0.94, where successive waits are strongly correlated) and ±12 % at 18, in well
  // under a second per window count. The relaxation time 1/(cμ(1 − √ρ)²) is 15.5 h at 16 windows (4 h at
  // 17, 1.8 h at 18): what is left of the empty start after 20 h (e^{−1.3} ≈ 0.27 of it, fading over the
  // next ~15 of 200 measured hours) biases the 16-window mean by ≈ 2 %, far inside the interval.
  const targets: ServiceTargets = { ...general, walkInTargetMin: 10, targetWaitMin: 10 };
  const steady = (c: number) =>
    replicate(
      {
        services: [{ id: 's', targets, handle: { kind: 'exponential', meanMin: 15 } }],
        windows: Array.from({ length: c }, (_, i) => win(`w${i}`, ['s'])),
        walkIns: [{ serviceId: 's', from: 0, to: 220 * HOUR_MS, ratePerHour: 60 }],
        measureFrom: 20 * HOUR_MS,
        measureTo: 220 * HOUR_MS,
        withinMin: 10,
        hourly: false,
      },
      { replications: 20, seed: 20261123 },
    );

  it.each([
    [16, 10.9, 0.625],
    [17, 3.9, 0.863],
    [18, 1.8, 0.951],
  ])('%i windows: Erlang C (%f min, %f within 10 min) lies in the simulated confidence interval', (c, wait, within) => {
    const theory = { arrivalRate: 1, meanServiceTime: 15, servers: c };
    expect(Math.abs(mmc(theory).meanWait - wait)).toBeLessThan(0.06);
    expect(shareWithin(theory, 10)).toBeCloseTo(within, 3);

    const sim = steady(c);
    const w = sim.meanWaitMin;
    const s = sim.shareWithinMin;
    if (!s) throw new Error('withinMin was asked for');
    expect(mmc(theory).meanWait).toBeGreaterThanOrEqual(w.low);
    expect(mmc(theory).meanWait).toBeLessThanOrEqual(w.high);
    expect(shareWithin(theory, 10)).toBeGreaterThanOrEqual(s.low);
    expect(shareWithin(theory, 10)).toBeLessThanOrEqual(s.high);
    // The interval is tight enough to mean something.
    expect(w.halfWidth / w.mean).toBeLessThan(0.25);
    expect(s.halfWidth).toBeLessThan(0.05);
    // With every target 10 min, "called by dueAt" is exactly "waited ≤ 10 min".
    expect(sim.shareWithinTarget.mean).toBeCloseTo(s.mean, 10);
  });
});
