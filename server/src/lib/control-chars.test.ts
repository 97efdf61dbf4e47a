import { describe, expect, it } from 'vitest';
import { findControlChar, findTextProblem, MAX_DEPTH } from './control-chars.ts';

describe('findControlChar', () => {
  it('finds NUL and other controls and names where they are', () => {
    expect(findControlChar({ a: 'ok', b: { c: ['x', 'y\u0000'] } })).toBe('b.c.1');
    expect(findControlChar('bell\u0007')).toBe('value');
    expect(findControlChar({ note: 'del\u007f' })).toBe('note');
    expect(findControlChar({ 'k\u0001': 'v' })).toBe('k\u0001');
  });
  it('refuses a value nested deeper than the bound instead of letting it through unchecked', () => {
    let deep: unknown = 'nul\u0000';
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = { a: deep };
    expect(findTextProblem(deep)).toMatchObject({ reason: 'nested too deeply' });
    let fine: unknown = 'ok';
    for (let i = 0; i < MAX_DEPTH; i++) fine = [fine];
    expect(findTextProblem(fine)).toBeNull();
  });
  it('lets ordinary text, newlines and tabs through', () => {
    expect(findControlChar({ description: '第一行\n第二行\r\n\t缩进', n: 3, ok: true, none: null })).toBeNull();
  });
});
