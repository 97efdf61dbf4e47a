import { describe, expect, it } from 'vitest';
import { SeqTracker } from './seq.ts';

describe('SeqTracker', () => {
  it('applies consecutive site events and asks for a resync after a gap', () => {
    const s = new SeqTracker();
    s.reset(10);
    expect(s.site(11)).toBe('apply');
    expect(s.site(12)).toBe('apply');
    expect(s.site(15)).toBe('resync');
    // After the gap the stream continues from what was seen.
    expect(s.site(16)).toBe('apply');
  });

  it('ignores events it already has (a duplicate after a reconnect)', () => {
    const s = new SeqTracker();
    s.reset(5);
    expect(s.site(5)).toBe('stale');
    expect(s.site(3)).toBe('stale');
    expect(s.current).toBe(5);
  });

  it('resyncs when nothing was watched yet', () => {
    expect(new SeqTracker().site(1)).toBe('resync');
  });

  it('a ticket update newer than every site event seen means site events were missed', () => {
    const s = new SeqTracker();
    s.reset(7);
    expect(s.ticket(7)).toBe('apply');
    expect(s.ticket(6)).toBe('apply');
    expect(s.ticket(9)).toBe('resync');
    // ticket.updated takes no seq of its own: the site stream still expects 8.
    expect(s.site(8)).toBe('apply');
  });
});
