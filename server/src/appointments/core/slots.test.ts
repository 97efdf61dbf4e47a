import { describe, expect, it } from 'vitest';
import { addDays, generateSlots, isWithinHorizon, weekdayOf } from './slots.ts';
import { DEFAULT_BOOKING_RULES, type BookingRules } from './types.ts';

const hall: BookingRules = { ...DEFAULT_BOOKING_RULES, closedDates: ['2026-10-01'] };
const iso = (ms: number) => new Date(ms).toISOString();

describe('slot generation', () => {
  it('knows the weekday of a date', () => {
    expect(weekdayOf('2026-11-23')).toBe('mon');
    expect(weekdayOf('2026-11-28')).toBe('sat');
    expect(weekdayOf('2026-11-29')).toBe('sun');
    expect(weekdayOf('2024-02-29')).toBe('thu');
  });

  it('cuts a Monday into morning and afternoon slots in Shanghai time', () => {
    const slots = generateSlots('2026-11-23', hall, 'Asia/Shanghai');
    expect(slots).toHaveLength(13);
    expect(iso(slots[0]!.start)).toBe('2026-11-23T01:00:00.000Z');
    expect(iso(slots[5]!.start)).toBe('2026-11-23T03:30:00.000Z');
    // The lunch break: 11:30 is followed by 13:30.
    expect(iso(slots[6]!.start)).toBe('2026-11-23T05:30:00.000Z');
    expect(iso(slots[12]!.end)).toBe('2026-11-23T09:00:00.000Z');
    expect(slots.map((s) => s.index)).toEqual([...Array(13).keys()]);
  });

  it('has nothing on weekends and closed dates', () => {
    expect(generateSlots('2026-11-28', hall, 'Asia/Shanghai')).toEqual([]);
    expect(generateSlots('2026-11-29', hall, 'Asia/Shanghai')).toEqual([]);
    // 2026-10-01 is a Thursday, but a holiday.
    expect(weekdayOf('2026-10-01')).toBe('thu');
    expect(generateSlots('2026-10-01', hall, 'Asia/Shanghai')).toEqual([]);
    expect(generateSlots('2026-02-30', hall, 'Asia/Shanghai')).toEqual([]);
  });

  it('keeps only whole slots of a range', () => {
    const rules: BookingRules = { ...hall, slotMinutes: 45, openingHours: { ...hall.openingHours, mon: [['13:30', '17:00']] } };
    const slots = generateSlots('2026-11-23', rules, 'Asia/Shanghai');
    expect(slots.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual(['05:30', '06:15', '07:00', '07:45']);
  });

  it('follows the local wall clock across a daylight-saving change', () => {
    const before = generateSlots('2026-03-06', hall, 'America/New_York');
    const after = generateSlots('2026-03-09', hall, 'America/New_York');
    expect(iso(before[0]!.start)).toBe('2026-03-06T14:00:00.000Z');
    expect(iso(after[0]!.start)).toBe('2026-03-09T13:00:00.000Z');
    // Same wall-clock times in another zone: 09:00 in Urumqi (UTC+6) and in Shanghai (UTC+8).
    expect(generateSlots('2026-11-23', hall, 'Asia/Urumqi')[0]!.start - generateSlots('2026-11-23', hall, 'Asia/Shanghai')[0]!.start).toBe(2 * 3600_000);
  });

  it('opens a date for booking from horizonDays ahead until the day itself', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(isWithinHorizon('2026-11-30', '2026-11-23', 7)).toBe(true);
    expect(isWithinHorizon('2026-12-01', '2026-11-23', 7)).toBe(false);
    expect(isWithinHorizon('2026-11-23', '2026-11-23', 0)).toBe(true);
    expect(isWithinHorizon('2026-11-22', '2026-11-23', 7)).toBe(false);
  });
});
