import { describe, expect, it } from 'vitest';
import { resolveServiceTargets } from '../../queue/core/types.ts';
import { fifoOrder, fifoPriorityOrder } from './baseline-orders.ts';
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

// t0 walk-in at 0 keeps the window busy until 10; then three wait: a walk-in (1), an elderly walk-in (2),
// an appointment for slot 3 checking in at 3. Deadlines: 31, 22, 13.
const day = hall([
  { serviceId: 's', channel: 'kiosk', at: 0 },
  { serviceId: 's', channel: 'kiosk', at: 1 * MIN },
  { serviceId: 's', channel: 'kiosk', at: 2 * MIN, priority: 'elderly' },
  { serviceId: 's', channel: 'appointment', at: 3 * MIN, slotStart: 3 * MIN },
]);

describe('baseline calling orders (what the outcomes bench compares ours with)', () => {
  it('FIFO calls by arrival, whoever is due first', () => {
    expect(order({ ...day, order: fifoOrder })).toEqual(['t0', 't1', 't2', 't3']);
  });

  it('FIFO with priority groups calls the elderly citizen first, then by arrival', () => {
    expect(order({ ...day, order: fifoPriorityOrder })).toEqual(['t0', 't2', 't1', 't3']);
  });

  it('deadline order (the default) calls the appointment first: only it keeps its 10-minute promise', () => {
    expect(order(day)).toEqual(['t0', 't3', 't2', 't1']);
  });
});
