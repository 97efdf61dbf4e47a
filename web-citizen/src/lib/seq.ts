/**
 * Gap detection for the `/hall` stream. A site's public events (`ticket.called`, `queue.changed`) take
 * consecutive `seq` numbers; `ticket.updated` carries the current seq without taking one. A client that sees
 * a number it skipped, or a ticket update newer than anything it has seen, has missed something and must
 * resynchronise over HTTP (then restart from the seq the server reports).
 */
export type SeqVerdict = 'apply' | 'stale' | 'resync';

export class SeqTracker {
  private last: number | null = null;

  /** The seq the server reported on `site:watch` (after a resync too). */
  reset(seq: number): void {
    this.last = seq;
  }

  get current(): number | null {
    return this.last;
  }

  /** A public site event. */
  site(seq: number): SeqVerdict {
    if (this.last === null) return 'resync';
    if (seq <= this.last) return 'stale';
    const verdict = seq === this.last + 1 ? 'apply' : 'resync';
    this.last = seq;
    return verdict;
  }

  /** A `ticket.updated`: apply it, but a seq beyond what we saw means site events went missing. */
  ticket(seq: number): SeqVerdict {
    if (this.last === null) return 'apply';
    return seq > this.last ? 'resync' : 'apply';
  }
}
