import { describe, expect, test } from 'vitest';
import { isoInZone, localDate, localParts, zonedTimeToMs } from './time.ts';

describe('times in a site’s zone', () => {
  test('Shanghai wall clock and offset', () => {
    const ms = Date.UTC(2026, 10, 23, 1, 2, 3);
    expect(isoInZone(ms, 'Asia/Shanghai')).toBe('2026-11-23T09:02:03+08:00');
    expect(localDate(Date.UTC(2026, 10, 23, 16, 30), 'Asia/Shanghai')).toBe('2026-11-24');
  });

  test('the offset follows a daylight-saving change, even minute by minute across it', () => {
    // Europe/Berlin springs forward at 01:00 UTC on 2026-03-29 (02:00 → 03:00 local).
    const change = Date.UTC(2026, 2, 29, 1, 0, 0);
    expect(isoInZone(change - 1_000, 'Europe/Berlin')).toBe('2026-03-29T01:59:59+01:00');
    expect(isoInZone(change, 'Europe/Berlin')).toBe('2026-03-29T03:00:00+02:00');
    expect(isoInZone(change - 1_000, 'Europe/Berlin')).toBe('2026-03-29T01:59:59+01:00');
    expect(localParts(change + 90_000, 'Europe/Berlin')).toEqual({ year: 2026, month: 3, day: 29, hour: 3, minute: 1, second: 30 });
  });

  test('a local time turns into the right instant, with zones kept apart', () => {
    expect(zonedTimeToMs('2026-11-23', '09:00', 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 23, 1, 0));
    expect(zonedTimeToMs('2026-11-23', '09:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 10, 23, 8, 0));
    expect(isoInZone(Date.UTC(2026, 10, 23, 1, 0), 'America/New_York')).toBe('2026-11-22T20:00:00-05:00');
    expect(isoInZone(Date.UTC(2026, 10, 23, 1, 0), 'Asia/Shanghai')).toBe('2026-11-23T09:00:00+08:00');
  });
});
