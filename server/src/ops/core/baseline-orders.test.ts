import { describe, expect, it } from 'vitest';
import { resolveServiceTargets } from '../../queue/core/types.ts';
import { cappedDeadlineOrder, fifoOrder, fifoPriorityOrder, overdueByWaitOrder, ROUND_1_POLICY } from './baseline-orders.ts';
import { simulate, type SimScenario, type ReplayTicket } from './simulator.ts';

const MIN = 60_000;
const general = resolveServiceTargets({ complexity: 'general' }); // appointment 10, walk-in 30
const hall = (replay: ReplayTicket[]): SimScenario => ({
  services: [{ id: 's', targets: general, handle: { kind: 'fixed', meanMin: 10 } }],
  windows: [{ id: 'w', serviceIds: ['s'], open: [{ from: 0, to: 60 * MIN, drain: true }] }],
  walkIns: [],
  replay,
});
const order = (s: SimScenario) =>
  simulate(s, 1)
    .tickets.filter((t) => t.calledAt !== null)
    .sort((a, b) => (a.calledAt as number) - (b.calledAt as number))
    .map((t) => t.id);

// t0 walk-in at 0 keeps the window busy until 10; then three wait: a walk-in (1), an appointment for slot 2
// checking in at 2, an elderly walk-in (3). Deadlines: 31, 12, 13 (a third of 30; round 1: 23).
const day = hall([
  { serviceId: 's', channel: 'kiosk', at: 0 },
  { serviceId: 's', channel: 'kiosk', at: 1 * MIN },
  { serviceId: 's', channel: 'appointment', at: 2 * MIN, slotStart: 2 * MIN },
  { serviceId: 's', channel: 'kiosk', at: 3 * MIN, priority: 'elderly' },
]);

describe('baseline calling orders (what the outcomes bench compares ours with)', () => {
  it('FIFO calls by arrival, whoever is due first', () => {
    expect(order({ ...day, order: fifoOrder })).toEqual(['t0', 't1', 't2', 't3']);
  });

  it('FIFO with priority groups calls the elderly citizen first, then by arrival', () => {
    expect(order({ ...day, order: fifoPriorityOrder })).toEqual(['t0', 't3', 't1', 't2']);
  });

  it('deadline order (the default) calls the appointment first: only it keeps its 10-minute promise', () => {
    expect(order(day)).toEqual(['t0', 't2', 't3', 't1']);
  });

  it('the elderly walk-in is due within a third of its target now, 20 min before round 1 had it', () => {
    const dueOf = (s: SimScenario) => simulate(s, 1).tickets.find((t) => t.id === 't3')?.dueAt;
    expect(dueOf(day)).toBe(13 * MIN);
    expect(dueOf({ ...day, policy: ROUND_1_POLICY })).toBe(23 * MIN);
  });

  it('tried: overdue tickets by how long they waited; a complex walk-in ordered as if its target were 30 min', () => {
    // Window busy until 40: at 40 the walk-ins of 1 (due 31) and 5 (due 35) are overdue, the appointment
    // (due 48) is not. Overdue first by wait, then the appointment.
    const late = hall([
      { serviceId: 's', channel: 'kiosk', at: 0, handleMin: 40 },
      { serviceId: 's', channel: 'kiosk', at: 1 * MIN },
      { serviceId: 's', channel: 'appointment', at: 38 * MIN, slotStart: 38 * MIN },
      { serviceId: 's', channel: 'kiosk', at: 5 * MIN },
    ]);
    expect(order({ ...late, order: overdueByWaitOrder })).toEqual(['t0', 't1', 't3', 't2']);
    const complex = resolveServiceTargets({ complexity: 'complex' }); // walk-in 60
    const mixed: SimScenario = {
      ...hall([
        { serviceId: 's', channel: 'kiosk', at: 0 },
        { serviceId: 'c', channel: 'kiosk', at: 1 * MIN }, // due 61, ordered as 31
        { serviceId: 's', channel: 'kiosk', at: 2 * MIN }, // due 32
      ]),
      services: [
        { id: 's', targets: general, handle: { kind: 'fixed', meanMin: 10 } },
        { id: 'c', targets: complex, handle: { kind: 'fixed', meanMin: 10 } },
      ],
      windows: [{ id: 'w', serviceIds: ['s', 'c'], open: [{ from: 0, to: 60 * MIN, drain: true }] }],
    };
    expect(order(mixed)).toEqual(['t0', 't2', 't1']);
    expect(order({ ...mixed, order: cappedDeadlineOrder })).toEqual(['t0', 't1', 't2']);
  });
});
