import { describe, expect, it } from 'vitest';
import { searchServices } from './search.ts';

const services = [
  { code: 'HJ01', name: '居住证办理', pinyin: 'jzzbl' },
  { code: 'SB01', name: '社保卡补办', pinyin: 'sbkbb' },
  { code: 'SB02', name: '养老保险关系转移', pinyin: 'ylbxgxzy' },
  { code: 'X1', name: '跨省通办', pinyin: null },
];

describe('searchServices', () => {
  it('finds by part of the name', () => {
    expect(searchServices(services, '社保').map((s) => s.code)).toEqual(['SB01']);
    expect(searchServices(services, '办').map((s) => s.code)).toContain('X1');
  });

  it('finds by pinyin initials, case and spaces ignored', () => {
    expect(searchServices(services, 'SBK').map((s) => s.code)).toEqual(['SB01']);
    expect(searchServices(services, ' j z z ').map((s) => s.code)).toEqual(['HJ01']);
    expect(searchServices(services, 'bx').map((s) => s.code)).toEqual(['SB02']);
  });

  it('ranks a name match above a pinyin match', () => {
    const list = [{ code: 'A', name: 'ab办理', pinyin: 'xx' }, { code: 'B', name: '其他', pinyin: 'ab' }];
    expect(searchServices(list, 'ab').map((s) => s.code)).toEqual(['A', 'B']);
  });

  it('finds nothing for nonsense or an empty query', () => {
    expect(searchServices(services, 'qqq')).toEqual([]);
    expect(searchServices(services, '  ')).toEqual([]);
  });
});
