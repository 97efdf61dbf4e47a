import { describe, expect, it } from 'vitest';
import { compareForCalling, isEligible, pickNext, type CallingWindow, type QueuedTicket } from './calling-order.ts';

const t = (id: string, dueAt: number, issuedAt = 0, serviceId = 's1', targetWindowId?: string | null): QueuedTicket => ({
  id,
  serviceId,
  dueAt,
  issuedAt,
  targetWindowId,
});
const w1: CallingWindow = { id: 'w1', serviceIds: ['s1', 's2'] };

describe('compareForCalling', () => {
  it('earliest dueAt first, then earlier issuedAt, then id', () => {
    const list = [t('d', 20, 1), t('c', 10, 5), t('b', 10, 3), t('a2', 10, 3), t('a1', 10, 3)];
    expect([...list].sort(compareForCalling).map((x) => x.id)).toEqual(['a1', 'a2', 'b', 'c', 'd']);
  });
  it('is zero only for the same key', () => {
    expect(compareForCalling(t('x', 1, 1), t('x', 1, 1))).toBe(0);
  });
});

describe('isEligible', () => {
  it('needs the service to be served by the window', () => {
    expect(isEligible(t('a', 0, 0, 's2'), w1)).toBe(true);
    expect(isEligible(t('a', 0, 0, 's3'), w1)).toBe(false);
  });
  it('a targeted ticket only at its window (null and undefined mean no target)', () => {
    expect(isEligible(t('a', 0, 0, 's1', 'w1'), w1)).toBe(true);
    expect(isEligible(t('a', 0, 0, 's1', 'w2'), w1)).toBe(false);
    expect(isEligible(t('a', 0, 0, 's1', null), w1)).toBe(true);
    // targeting does not override the service check
    expect(isEligible(t('a', 0, 0, 's9', 'w1'), w1)).toBe(false);
  });
});

describe('pickNext (EDF)', () => {
  it('picks the earliest due eligible ticket', () => {
    // Walk-in issued 09:00 (due 09:30) vs appointment checked in 09:05 (due 09:15): the appointment first.
    const walkIn = t('walkIn', 930, 900);
    const appt = t('appt', 915, 905);
    expect(pickNext([walkIn, appt], w1)?.id).toBe('appt');
  });
  it('skips services the window does not serve and tickets targeted elsewhere', () => {
    const list = [t('other', 1, 0, 's3'), t('elsewhere', 2, 0, 's1', 'w2'), t('mine', 3, 0, 's2')];
    expect(pickNext(list, w1)?.id).toBe('mine');
  });
  it('returns undefined when nothing is eligible, or nothing waits', () => {
    expect(pickNext([t('x', 1, 0, 's3')], w1)).toBeUndefined();
    expect(pickNext([], w1)).toBeUndefined();
  });
  it('breaks ties by issue time, then id, independent of input order', () => {
    const a = t('a', 10, 2);
    const b = t('b', 10, 1);
    const c = t('c', 10, 1);
    expect(pickNext([a, c, b], w1)?.id).toBe('b');
    expect(pickNext([c, b, a], w1)?.id).toBe('b');
  });
  it('keeps the caller’s element type', () => {
    const rich = [{ ...t('r', 1), number: 'A001' }];
    expect(pickNext(rich, w1)?.number).toBe('A001');
  });
});
