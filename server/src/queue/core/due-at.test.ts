import { describe, expect, it } from 'vitest';
import { computeDueAt, type DueAtInput } from './due-at.ts';
import { DEFAULT_POLICY, PRIORITIES, resolveServiceTargets, type ServiceTargets } from './types.ts';

// 2026-11-23 in Asia/Shanghai (+08:00); clock helper in minutes for readable examples.
const DAY = Date.parse('2026-11-23T00:00:00+08:00');
const at = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return DAY + ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
};
const general: ServiceTargets = resolveServiceTargets({ complexity: 'general' });
const complex: ServiceTargets = resolveServiceTargets({ complexity: 'complex' });
const due = (i: Partial<DueAtInput> & Pick<DueAtInput, 'channel' | 'waitAnchorAt'>): number =>
  computeDueAt({ priority: 'normal', service: general, policy: DEFAULT_POLICY, ...i });

describe('resolveServiceTargets', () => {
  it('fills API.md defaults and keeps overrides', () => {
    expect(general).toEqual({ complexity: 'general', targetWaitMin: 10, walkInTargetMin: 30, targetHandleMin: 20 });
    expect(complex).toEqual({ complexity: 'complex', targetWaitMin: 30, walkInTargetMin: 60, targetHandleMin: 20 });
    expect(resolveServiceTargets({ complexity: 'general', targetWaitMin: 15, targetHandleMin: 8 })).toMatchObject({
      targetWaitMin: 15,
      targetHandleMin: 8,
    });
  });
});

describe('computeDueAt: appointments', () => {
  it('early check-in counts from the slot: slot 09:00, in 08:50 → 09:10', () => {
    expect(due({ channel: 'appointment', waitAnchorAt: at('08:50'), checkInAt: at('08:50'), slotStart: at('09:00') })).toBe(at('09:10'));
  });
  it('late check-in counts from arrival: slot 09:00, in 09:05 → 09:15', () => {
    expect(due({ channel: 'appointment', waitAnchorAt: at('09:05'), checkInAt: at('09:05'), slotStart: at('09:00') })).toBe(at('09:15'));
  });
  it('complex item: +30 → 09:30', () => {
    expect(
      due({ channel: 'appointment', waitAnchorAt: at('08:50'), checkInAt: at('08:50'), slotStart: at('09:00'), service: complex }),
    ).toBe(at('09:30'));
  });
  it('checkInAt defaults to waitAnchorAt, slotStart to the check-in', () => {
    expect(due({ channel: 'appointment', waitAnchorAt: at('09:05'), slotStart: at('09:00') })).toBe(at('09:15'));
    expect(due({ channel: 'appointment', waitAnchorAt: at('09:05') })).toBe(at('09:15'));
  });
  it('a priority group is due within a third of the target, from max(check-in, slot)', () => {
    const base = { channel: 'appointment', waitAnchorAt: at('08:50'), checkInAt: at('08:50'), slotStart: at('09:00') } as const;
    // 10 / 3 min after the slot: 09:03:20 (round 1's flat 10-minute head start made it 09:00, due on arrival)
    expect(due({ ...base, priority: 'elderly' })).toBe(at('09:00') + 200_000);
    // complex: 30 / 3 → 09:10
    expect(due({ ...base, priority: 'disabled', service: complex })).toBe(at('09:10'));
    // late: counts from the check-in, 09:06 + 30 / 3 → 09:16
    expect(due({ ...base, waitAnchorAt: at('09:06'), checkInAt: at('09:06'), priority: 'pregnant', service: complex })).toBe(at('09:16'));
  });
  it('round 1 (a flat 10-minute head start) is still expressible, floored at the anchor', () => {
    const round1 = { ...DEFAULT_POLICY, priorityTargetShare: 1, priorityAdvanceMin: 10 };
    const base = { channel: 'appointment', waitAnchorAt: at('08:50'), checkInAt: at('08:50'), slotStart: at('09:00'), policy: round1 } as const;
    expect(due({ ...base, priority: 'elderly' })).toBe(at('09:00'));
    expect(due({ ...base, priority: 'disabled', service: complex })).toBe(at('09:20'));
    expect(due({ ...base, priority: 'pregnant', service: { ...general, targetWaitMin: 5 } })).toBe(at('09:00'));
  });
});

describe('computeDueAt: walk-ins and transfers', () => {
  it('general walk-in issued 09:00 → 09:30 (kiosk and mobile alike)', () => {
    expect(due({ channel: 'kiosk', waitAnchorAt: at('09:00') })).toBe(at('09:30'));
    expect(due({ channel: 'mobile', waitAnchorAt: at('09:00') })).toBe(at('09:30'));
  });
  it('complex walk-in → +60', () => {
    expect(due({ channel: 'kiosk', waitAnchorAt: at('09:00'), service: complex })).toBe(at('10:00'));
  });
  it('every priority group but normal is due within a third of the target: elderly 09:00 → 09:10, complex 09:20', () => {
    for (const priority of PRIORITIES) {
      expect(due({ channel: 'kiosk', waitAnchorAt: at('09:00'), priority })).toBe(at(priority === 'normal' ? '09:30' : '09:10'));
      expect(due({ channel: 'kiosk', waitAnchorAt: at('09:00'), priority, service: complex })).toBe(at(priority === 'normal' ? '10:00' : '09:20'));
    }
  });
  it('never earlier than the issue time, whatever the policy', () => {
    const policy = { ...DEFAULT_POLICY, priorityAdvanceMin: 45 };
    expect(due({ channel: 'kiosk', waitAnchorAt: at('09:00'), priority: 'veteran', policy })).toBe(at('09:00'));
    expect(due({ channel: 'kiosk', waitAnchorAt: at('09:00'), priority: 'veteran', policy: { ...DEFAULT_POLICY, priorityTargetShare: 0 } })).toBe(at('09:00'));
  });
  it('a transfer keeps the original issue time as its anchor', () => {
    // First ticket issued 09:00, transferred at 09:40: due 09:30, already overdue, so it is called first.
    expect(due({ channel: 'transfer', waitAnchorAt: at('09:00') })).toBe(at('09:30'));
    expect(due({ channel: 'transfer', waitAnchorAt: at('09:00'), priority: 'elderly', service: complex })).toBe(at('09:20'));
  });
  it('ignores appointment fields for walk-ins', () => {
    expect(due({ channel: 'kiosk', waitAnchorAt: at('09:00'), checkInAt: at('11:00'), slotStart: at('12:00') })).toBe(at('09:30'));
  });
});
