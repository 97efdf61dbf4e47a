import { describe, expect, it } from 'vitest';
import { SeqTracker } from './hall.ts';

describe('SeqTracker', () => {
  it('accepts the next event, drops replays, and reports a gap when events were missed', () => {
    const seq = new SeqTracker();
    seq.reset(5);
    expect(seq.accept(6)).toEqual({ fresh: true, gap: false });
    expect(seq.accept(6)).toEqual({ fresh: false, gap: false });
    expect(seq.accept(4)).toEqual({ fresh: false, gap: false });
    expect(seq.accept(9)).toEqual({ fresh: true, gap: true });
    expect(seq.accept(10)).toEqual({ fresh: true, gap: false });
  });

  it('before any snapshot every event counts as a gap (the caller must load the full state)', () => {
    expect(new SeqTracker().accept(1)).toEqual({ fresh: true, gap: true });
  });
});
