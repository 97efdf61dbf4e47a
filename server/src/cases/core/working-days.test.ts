import { describe, expect, it } from 'vitest';
import { isoInZone, zonedTimeToMs } from '../../lib/time.ts';
import {
  addWorkingDays, isWorkingDay, makeCalendar, nextWorkingDay, receivedOn, weekday, workingDaysBetween, workingDeadline,
  type WorkingDayRules,
} from './working-days.ts';

const TZ = 'Asia/Shanghai';
const national = makeCalendar();
const plain = makeCalendar({ national: false });
const rules = (over: Partial<WorkingDayRules> = {}): WorkingDayRules => ({ timeZone: TZ, calendar: national, cutoff: '16:00', dueTime: '17:00', ...over });
const at = (date: string, time: string, tz = TZ) => zonedTimeToMs(date, time, tz);
const local = (ms: number) => isoInZone(ms, TZ);

describe('working days', () => {
  it('knows weekdays from weekends without a holiday list', () => {
    expect(weekday('2026-11-23')).toBe(1); // a Monday
    expect(isWorkingDay('2026-11-23', plain)).toBe(true);
    expect(isWorkingDay('2026-11-27', plain)).toBe(true);
    expect(isWorkingDay('2026-11-28', plain)).toBe(false);
    expect(isWorkingDay('2026-11-29', plain)).toBe(false);
    expect(nextWorkingDay('2026-11-27', plain)).toBe('2026-11-30');
  });

  it('skips the national holidays and works the make-up days (调休)', () => {
    // National Day 2026: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 worked.
    expect(isWorkingDay('2026-10-01', national)).toBe(false);
    expect(isWorkingDay('2026-10-05', national)).toBe(false);
    expect(isWorkingDay('2026-09-20', national)).toBe(true);
    expect(isWorkingDay('2026-10-10', national)).toBe(true);
    expect(nextWorkingDay('2026-09-30', national)).toBe('2026-10-08');
    // Spring Festival 2026: Saturday 02-14 worked, 02-15..02-23 off.
    expect(addWorkingDays('2026-02-13', 1, national)).toBe('2026-02-14');
    expect(addWorkingDays('2026-02-13', 2, national)).toBe('2026-02-24');
    // 2025 Spring Festival: 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked.
    expect(addWorkingDays('2025-01-24', 1, national)).toBe('2025-01-26');
    expect(addWorkingDays('2025-01-27', 1, national)).toBe('2025-02-05');
  });

  it('takes local holidays and make-up days from configuration', () => {
    const cal = makeCalendar({ national: false, holidays: ['2030-03-04'], extraWorkdays: ['2030-03-09'] });
    expect(isWorkingDay('2030-03-04', cal)).toBe(false); // a Monday off
    expect(isWorkingDay('2030-03-09', cal)).toBe(true); // a Saturday worked
    expect(addWorkingDays('2030-03-01', 1, cal)).toBe('2030-03-05');
    expect(addWorkingDays('2030-03-08', 1, cal)).toBe('2030-03-09');
    // A make-up day listed as a holiday too is worked: the exchange wins.
    expect(isWorkingDay('2030-03-10', makeCalendar({ national: false, holidays: ['2030-03-10'], extraWorkdays: ['2030-03-10'] }))).toBe(true);
  });

  it('counts n = 0 as the day itself, or the next working day from a day off', () => {
    expect(addWorkingDays('2026-11-23', 0, plain)).toBe('2026-11-23');
    expect(addWorkingDays('2026-11-28', 0, plain)).toBe('2026-11-30');
    expect(addWorkingDays('2026-11-23', 5, plain)).toBe('2026-11-30');
    expect(addWorkingDays('2026-11-28', 5, plain)).toBe('2026-12-07');
    expect(() => addWorkingDays('2026-11-23', -1, plain)).toThrow(RangeError);
  });

  it('counts working days between two dates', () => {
    expect(workingDaysBetween('2026-09-30', '2026-10-10', national)).toBe(3); // 10-08, 10-09, 10-10
    expect(workingDaysBetween('2026-11-23', '2026-11-23', plain)).toBe(0);
  });
});

describe('receipt and deadlines (cut-off 16:00, due 17:00)', () => {
  it('counts a request before the cut-off from the same day, after it from the next working day', () => {
    expect(receivedOn(at('2026-11-23', '15:59'), rules())).toBe('2026-11-23');
    expect(receivedOn(at('2026-11-23', '16:00'), rules())).toBe('2026-11-24');
    expect(receivedOn(at('2026-11-27', '16:30'), rules())).toBe('2026-11-30'); // Friday evening → Monday
    expect(receivedOn(at('2026-11-28', '09:00'), rules())).toBe('2026-11-30'); // Saturday → Monday
    expect(receivedOn(at('2026-09-30', '17:00'), rules())).toBe('2026-10-08'); // eve of National Day
    // Local time decides, not UTC: 07:30 UTC is 15:30 in Shanghai.
    expect(receivedOn(Date.parse('2026-11-23T07:30:00Z'), rules())).toBe('2026-11-23');
    expect(receivedOn(Date.parse('2026-11-23T08:30:00Z'), rules())).toBe('2026-11-24');
  });

  it('puts a same-working-day reply at 17:00 of the day of receipt', () => {
    expect(local(workingDeadline(at('2026-11-23', '10:00'), 0, rules()))).toBe('2026-11-23T17:00:00+08:00');
    expect(local(workingDeadline(at('2026-11-23', '16:05'), 0, rules()))).toBe('2026-11-24T17:00:00+08:00');
    expect(local(workingDeadline(at('2026-11-28', '11:00'), 0, rules()))).toBe('2026-11-30T17:00:00+08:00');
  });

  it('gives 5 working days across a weekend, not counting the day of receipt', () => {
    expect(local(workingDeadline(at('2026-11-23', '10:00'), 5, rules()))).toBe('2026-11-30T17:00:00+08:00');
    expect(local(workingDeadline(at('2026-11-26', '10:00'), 5, rules()))).toBe('2026-12-03T17:00:00+08:00');
    // After the cut-off on Thursday: received Friday, five working days → next Friday.
    expect(local(workingDeadline(at('2026-11-26', '16:01'), 5, rules()))).toBe('2026-12-04T17:00:00+08:00');
  });

  it('gives 5 working days across Labour Day 2026 with its Saturday make-up day', () => {
    // 05-01..05-05 off, Saturday 05-09 worked: 05-06, 05-07, 05-08, 05-09, 05-11.
    expect(local(workingDeadline(at('2026-04-30', '10:00'), 5, rules()))).toBe('2026-05-11T17:00:00+08:00');
    expect(local(workingDeadline(at('2026-04-30', '10:00'), 1, rules()))).toBe('2026-05-06T17:00:00+08:00');
    // The same request without the national calendar: 05-01, 05-04, 05-05, 05-06, 05-07.
    expect(local(workingDeadline(at('2026-04-30', '10:00'), 5, rules({ calendar: plain })))).toBe('2026-05-07T17:00:00+08:00');
  });

  it('gives 10 working days across the Spring Festival for a complex case', () => {
    // Received Thursday 02-12: 02-13, 02-14 (make-up Saturday), 02-24, 02-25, 02-26, 02-27, 02-28 (make-up),
    // 03-02, 03-03, 03-04.
    expect(local(workingDeadline(at('2026-02-12', '09:30'), 10, rules()))).toBe('2026-03-04T17:00:00+08:00');
  });

  it('uses the site zone and the configured times', () => {
    const urumqi = rules({ timeZone: 'Asia/Urumqi', cutoff: '17:30', dueTime: '18:30' }); // UTC+6
    const filed = at('2026-11-23', '17:00', 'Asia/Urumqi');
    expect(isoInZone(workingDeadline(filed, 0, urumqi), 'Asia/Urumqi')).toBe('2026-11-23T18:30:00+06:00');
    expect(isoInZone(workingDeadline(at('2026-11-23', '17:45', 'Asia/Urumqi'), 0, urumqi), 'Asia/Urumqi')).toBe('2026-11-24T18:30:00+06:00');
  });
});
