import { describe, expect, it } from 'vitest';
import { isNotOlder } from './ticket-progress.ts';

describe('a pushed ticket update against what the console shows', () => {
  it('never puts an ended ticket back to an earlier step', () => {
    expect(isNotOlder({ status: 'called' }, { status: 'noShow' })).toBe(false);
    expect(isNotOlder({ status: 'serving' }, { status: 'done' })).toBe(false);
    expect(isNotOlder({ status: 'called' }, { status: 'serving' })).toBe(false);
  });

  it('takes every forward step, a recall, and suspend/resume both ways', () => {
    expect(isNotOlder({ status: 'called' }, { status: 'waiting' })).toBe(true);
    expect(isNotOlder({ status: 'called' }, { status: 'called' })).toBe(true);
    expect(isNotOlder({ status: 'suspended' }, { status: 'serving' })).toBe(true);
    expect(isNotOlder({ status: 'serving' }, { status: 'suspended' })).toBe(true);
    expect(isNotOlder({ status: 'transferred' }, { status: 'serving' })).toBe(true);
  });
});
