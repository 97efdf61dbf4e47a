import { describe, expect, it } from 'vitest';
import { capacityPerSlot, slotCapacities } from './capacity.ts';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('capacity derivation', () => {
  it('2 windows × 30-min slots ÷ 20-min handling × half for appointments = 1.5 a slot, alternating 1 and 2', () => {
    const input = { windowsServing: 2, slotMinutes: 30, meanHandleMin: 20, appointmentShare: 0.5 };
    expect(capacityPerSlot(input)).toBe(1.5);
    // Mon–Fri 09:00–12:00 and 13:30–17:00 in 30-min slots: 6 + 7 = 13 slots.
    const caps = slotCapacities(input, 13);
    expect(caps.slice(0, 4)).toEqual([1, 2, 1, 2]);
    expect(sum(caps)).toBe(19);
  });

  it('3 windows × 15-min slots ÷ 12-min handling × 0.6 = 2.25 a slot: every fourth slot takes the extra place', () => {
    const caps = slotCapacities({ windowsServing: 3, slotMinutes: 15, meanHandleMin: 12, appointmentShare: 0.6 }, 8);
    expect(caps).toEqual([2, 2, 2, 3, 2, 2, 2, 3]);
  });

  it('a slow item at one window gets one place every fifth slot instead of none at all', () => {
    const caps = slotCapacities({ windowsServing: 1, slotMinutes: 30, meanHandleMin: 45, appointmentShare: 0.3 }, 10);
    expect(caps).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('never offers more places over any prefix of the day than the windows can serve', () => {
    for (const [w, s, h, share] of [[2, 30, 20, 0.5], [3, 15, 12, 0.6], [5, 20, 7, 0.35], [1, 10, 3, 0.9]] as const) {
      const input = { windowsServing: w, slotMinutes: s, meanHandleMin: h, appointmentShare: share };
      const caps = slotCapacities(input, 20);
      for (let k = 1; k <= caps.length; k++) {
        expect(sum(caps.slice(0, k))).toBeLessThanOrEqual(k * capacityPerSlot(input) + 1e-9);
        expect(sum(caps.slice(0, k))).toBeGreaterThan(k * capacityPerSlot(input) - 1);
      }
    }
  });

  it('gives everything to appointments at share 1 and nothing without windows or share', () => {
    expect(slotCapacities({ windowsServing: 4, slotMinutes: 60, meanHandleMin: 20, appointmentShare: 1 }, 3)).toEqual([12, 12, 12]);
    expect(slotCapacities({ windowsServing: 0, slotMinutes: 30, meanHandleMin: 20, appointmentShare: 0.5 }, 3)).toEqual([0, 0, 0]);
    expect(slotCapacities({ windowsServing: 3, slotMinutes: 30, meanHandleMin: 20, appointmentShare: 0 }, 3)).toEqual([0, 0, 0]);
  });
});
