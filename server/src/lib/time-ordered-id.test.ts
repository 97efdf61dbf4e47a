import { describe, expect, it } from 'vitest';
import { createTimeOrderedIds } from './time-ordered-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered ids', () => {
  it('are version-7 UUIDs that sort in the order they were made, within one millisecond too', () => {
    const next = createTimeOrderedIds();
    const ms = Date.UTC(2026, 10, 23, 9, 30);
    const ids = [next(ms), next(ms), next(ms), next(ms + 1), next(ms + 1), next(ms + 60_000)];
    for (const id of ids) expect(id).toMatch(UUID);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carry their millisecond in the first 48 bits', () => {
    const ms = Date.UTC(2026, 10, 23, 9, 30, 12, 345);
    const id = createTimeOrderedIds()(ms);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });
});
