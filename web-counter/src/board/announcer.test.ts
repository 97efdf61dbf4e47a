import { describe, expect, it } from 'vitest';
import { announcementText } from './announcer.ts';

describe('announcementText', () => {
  it('spells the ticket number character by character and keeps the window a number', () => {
    expect(announcementText('A012', 3)).toBe('请 A 零 一 二 号 到 3 号窗口');
    expect(announcementText('B100', 10)).toBe('请 B 一 零 零 号 到 10 号窗口');
  });

  it('reads two-letter prefixes letter by letter, upper-cased', () => {
    expect(announcementText('ka007', 1)).toBe('请 K A 零 零 七 号 到 1 号窗口');
  });
});
