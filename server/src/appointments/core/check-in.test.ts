import { describe, expect, it } from 'vitest';
import { decideCheckIn, noShowAt } from './check-in.ts';
import { dueReminder, planReminders } from './reminders.ts';

const MIN = 60_000;
const slot = Date.parse('2026-11-24T09:00:00+08:00');
const policy = { earlyMin: 30, lateMin: 15 };

describe('check-in window', () => {
  it('opens early minutes before the slot and closes late minutes after its start', () => {
    expect(decideCheckIn(slot - 31 * MIN, slot, policy)).toMatchObject({ ok: false, reason: 'early', window: { opensAt: slot - 30 * MIN, closesAt: slot + 15 * MIN } });
    expect(decideCheckIn(slot - 30 * MIN, slot, policy)).toEqual({ ok: true });
    expect(decideCheckIn(slot + 15 * MIN, slot, policy)).toEqual({ ok: true });
    expect(decideCheckIn(slot + 15 * MIN + 1000, slot, policy)).toMatchObject({ ok: false, reason: 'late' });
  });

  it('counts a booking as missed only once check-in has closed', () => {
    expect(noShowAt(slot, policy)).toBeGreaterThan(slot + 15 * MIN);
    expect(decideCheckIn(noShowAt(slot, policy), slot, policy).ok).toBe(false);
  });
});

describe('reminders', () => {
  const tuesday9 = slot;
  it('plans the day-before and hour-before reminders that are still ahead of the booking', () => {
    expect(planReminders(tuesday9, Date.parse('2026-11-20T10:00:00+08:00'))).toEqual({ dayBefore: tuesday9 - 24 * 60 * MIN, hourBefore: tuesday9 - 60 * MIN });
    expect(planReminders(tuesday9, Date.parse('2026-11-23T15:00:00+08:00'))).toEqual({ dayBefore: null, hourBefore: tuesday9 - 60 * MIN });
    expect(planReminders(tuesday9, Date.parse('2026-11-24T08:30:00+08:00'))).toEqual({ dayBefore: null, hourBefore: null });
  });

  it('sends the latest due reminder only, and none once the slot has begun', () => {
    const planned = planReminders(tuesday9, Date.parse('2026-11-20T10:00:00+08:00'));
    expect(dueReminder(tuesday9 - 25 * 60 * MIN, tuesday9, planned)).toBeNull();
    expect(dueReminder(tuesday9 - 24 * 60 * MIN, tuesday9, planned)).toBe('dayBefore');
    expect(dueReminder(tuesday9 - 50 * MIN, tuesday9, planned)).toBe('hourBefore');
    expect(dueReminder(tuesday9, tuesday9, planned)).toBeNull();
  });
});
