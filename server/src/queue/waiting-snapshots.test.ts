import { describe, expect, it } from 'vitest';
import type { QueuedTicket } from './core/index.ts';
import { createWaitingSnapshots } from './waiting-snapshots.ts';

const ticket = (id: string, dueAt = 1000): QueuedTicket => ({ id, serviceId: 's', dueAt, issuedAt: 0, targetWindowId: null });
const ids = (list: QueuedTicket[]) => list.map((t) => t.id).sort();

/** A database whose reads the test releases by hand, and a clock it moves. */
function setup(maxAgeMs = 1000) {
  let stored: QueuedTicket[] = [];
  const pending: (() => void)[] = [];
  let reads = 0;
  let now = 0;
  const snapshots = createWaitingSnapshots(
    () => {
      reads++;
      const atRead = [...stored];
      return new Promise((resolve) => pending.push(() => resolve(atRead)));
    },
    { maxAgeMs, now: () => now },
  );
  return {
    snapshots,
    store: (list: QueuedTicket[]) => (stored = list),
    release: () => pending.splice(0).forEach((r) => r()),
    reads: () => reads,
    advance: (ms: number) => (now += ms),
  };
}

describe('this node’s copy of a waiting queue', () => {
  it('reads the queue once and adds the tickets this node issues, so a rush costs one read', async () => {
    const db = setup();
    db.store([ticket('a')]);
    const first = db.snapshots.get('site');
    db.release();
    expect(ids(await first)).toEqual(['a']);
    db.snapshots.add('site', ticket('b'));
    db.snapshots.add('site', ticket('c'));
    expect(ids(await db.snapshots.get('site'))).toEqual(['a', 'b', 'c']);
    expect(db.reads()).toBe(1);
  });

  it('keeps a ticket issued while the read was on its way, whether or not the read saw it', async () => {
    const db = setup();
    db.store([ticket('a')]);
    const reading = db.snapshots.get('site');
    db.snapshots.add('site', ticket('b')); // committed after the read began: the read cannot have seen it
    db.release();
    expect(ids(await reading)).toEqual(['a', 'b']);
    expect(ids(await db.snapshots.get('site'))).toEqual(['a', 'b']);
  });

  it('reads afresh after a call or cancel here (forget), and once the copy is older than its limit', async () => {
    const db = setup(1000);
    db.store([ticket('a'), ticket('b')]);
    const p1 = db.snapshots.get('site');
    db.release();
    await p1;
    db.store([ticket('b')]); // a was called
    db.snapshots.forget('site');
    const p2 = db.snapshots.get('site');
    db.release();
    expect(ids(await p2)).toEqual(['b']);

    db.store([ticket('b'), ticket('x')]); // another node issued x
    expect(ids(await db.snapshots.get('site'))).toEqual(['b']); // within the limit: the copy stands
    db.advance(1000);
    const p3 = db.snapshots.get('site');
    db.release();
    expect(ids(await p3)).toEqual(['b', 'x']);
    expect(db.reads()).toBe(3);
  });

  it('a read forgotten on its way (a call here) still gets the tickets issued meanwhile, for the play waiting on it', async () => {
    const db = setup();
    db.store([ticket('a')]);
    const reading = db.snapshots.get('site'); // a play waits on this read
    db.snapshots.forget('site'); // a call here meanwhile
    db.snapshots.add('site', ticket('w')); // issued after the read began: the read cannot have seen it
    db.release();
    expect(ids(await reading)).toEqual(['a', 'w']);
  });

  it('holds no copy for a site it never read: an issue there waits for the database', async () => {
    const db = setup();
    db.snapshots.add('quiet', ticket('q')); // nothing held: not kept
    db.store([ticket('q')]);
    const p = db.snapshots.get('quiet');
    db.release();
    expect(ids(await p)).toEqual(['q']);
    expect(db.reads()).toBe(1);
  });
});
