import { ERRORS } from '@yichuang/server/contracts';
import { describe, expect, it } from 'vitest';
import { errorText, translator } from './index.tsx';
import { en, errorMessages, zh } from './messages.ts';

describe('i18n', () => {
  it('has a friendly message in both languages for every API error code', () => {
    for (const code of Object.keys(ERRORS)) {
      expect(errorMessages.zh[code as keyof typeof ERRORS], `zh ${code}`).toBeTruthy();
      expect(errorMessages.en[code as keyof typeof ERRORS], `en ${code}`).toBeTruthy();
    }
  });

  it('never shows the server text: an unknown code gets the general message', () => {
    expect(errorText('zh', 'SOMETHING_NEW')).toBe(zh['err.unknown']);
    expect(errorText('en', 'NETWORK')).toBe(en['err.network']);
    expect(errorText('zh', 'SLOT_FULL')).toBe('这个时间已经约满了，请换个时间');
  });

  it('fills placeholders and keeps the same placeholders in both languages', () => {
    expect(translator('zh')('ticket.ahead', { n: 3 })).toBe('前面还有 3 人');
    expect(translator('en')('ticket.ahead', { n: 3 })).toBe('3 ahead of you');
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) expect(holes(en[key]), key).toEqual(holes(zh[key]));
  });
});
