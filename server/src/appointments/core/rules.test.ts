import { describe, expect, it } from 'vitest';
import { checkBookingRules } from './rules.ts';

const base = { openingHours: { mon: [['09:00', '12:00'], ['13:30', '17:00']] }, slotMinutes: 30, horizonDays: 7, appointmentShare: 0.5 };

describe('booking rules', () => {
  it('normalises: missing weekdays are closed, ranges sorted, closed dates deduplicated', () => {
    const r = checkBookingRules({ ...base, openingHours: { tue: [['13:30', '17:00'], ['09:00', '12:00']] }, closedDates: ['2026-10-02', '2026-10-01', '2026-10-02'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.openingHours.mon).toEqual([]);
    expect(r.value.openingHours.tue).toEqual([['09:00', '12:00'], ['13:30', '17:00']]);
    expect(r.value.closedDates).toEqual(['2026-10-01', '2026-10-02']);
  });

  it.each([
    [{ openingHours: { mon: [['09:00', '12:00'], ['11:00', '14:00']] } }, 'openingHours.mon'],
    [{ openingHours: { mon: [['12:00', '09:00']] } }, 'openingHours.mon.0'],
    [{ openingHours: { mon: [['9am', '12:00']] } }, 'openingHours.mon.0'],
    [{ openingHours: { mon: [['09:00', '09:20']] } }, 'openingHours.mon.0'],
    [{ openingHours: { monday: [['09:00', '12:00']] } }, 'openingHours.monday'],
    [{ slotMinutes: 2 }, 'slotMinutes'],
    [{ appointmentShare: 1.5 }, 'appointmentShare'],
    [{ horizonDays: -1 }, 'horizonDays'],
    [{ closedDates: ['2026-02-30'] }, 'closedDates.0'],
  ])('refuses %j, naming %s', (patch, field) => {
    const r = checkBookingRules({ ...base, ...patch } as Parameters<typeof checkBookingRules>[0]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.field).toBe(field);
  });
});
