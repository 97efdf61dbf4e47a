import { describe, expect, it } from 'vitest';
import { deadlineRisk, hallDate, MINUTE, toCsv } from './format.ts';

describe('deadlineRisk', () => {
  const issued = '2026-11-23T09:00:00+08:00';
  const due = '2026-11-23T09:20:00+08:00';
  const at = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00+08:00`);

  it('is ok early, soon in the last quarter of the target, late past the due time', () => {
    expect(deadlineRisk(issued, due, at('09:10'))).toBe('ok');
    expect(deadlineRisk(issued, due, at('09:15'))).toBe('soon');
    expect(deadlineRisk(issued, due, at('09:21'))).toBe('late');
  });

  it('warns at least two minutes ahead even for short targets', () => {
    const shortDue = '2026-11-23T09:04:00+08:00';
    expect(deadlineRisk(issued, shortDue, at('09:02') + 1)).toBe('soon');
    expect(deadlineRisk(issued, shortDue, at('09:01'))).toBe('ok');
  });
});

describe('hallDate', () => {
  it('is the date in Shanghai, not in UTC', () => {
    expect(hallDate(Date.parse('2026-11-22T17:30:00Z'))).toBe('2026-11-23');
    expect(hallDate(Date.parse('2026-11-23T15:59:00Z'))).toBe('2026-11-23');
    expect(MINUTE).toBe(60_000);
  });
});

describe('toCsv', () => {
  it('quotes commas, quotes and newlines, and starts with a BOM for Excel', () => {
    const csv = toCsv([['站点', 'n'], ['青浦, "区"', 3], ['a\nb', null]]);
    expect(csv).toBe('\uFEFF站点,n\r\n"青浦, ""区""",3\r\n"a\nb",\r\n');
  });
});
