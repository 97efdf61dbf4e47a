/**
 * Group commit in the application: writes that arrive while one is on its way go to the database together,
 * as one statement and one commit. Each commit waits for a disk flush and holds its row locks until then,
 * so a rush of single-row commits queues on both; a batch pays for them once.
 *
 * One batch is on its way at a time. The first write after a quiet spell waits only for the end of the
 * current turn of the event loop (so writes made in the same turn go together); later ones go as soon as
 * the batch before them is done. If a batch of several fails with an error one write can cause (a broken
 * constraint), each write in it is tried on its own, so one bad write fails only its own caller. Any other
 * error (the database is away) fails the whole batch at once rather than once per write.
 */
export interface WriteBatcher<In, Out> {
  write(item: In): Promise<Out>;
}

interface Pending<In, Out> {
  item: In;
  resolve(out: Out): void;
  reject(err: unknown): void;
}

export function createWriteBatcher<In, Out>(
  /** Writes the items as one unit: all or none. Returns one result per item, in the same order. */
  writeAll: (items: In[]) => Promise<Out[]>,
  options: { maxBatch: number; causedByOneWrite: (err: unknown) => boolean },
): WriteBatcher<In, Out> {
  let queued: Pending<In, Out>[] = [];
  let busy = false;

  async function runBatch(batch: Pending<In, Out>[]): Promise<void> {
    try {
      const outs = await writeAll(batch.map((p) => p.item));
      if (outs.length !== batch.length) throw new Error(`batch wrote ${outs.length} of ${batch.length}`);
      batch.forEach((p, i) => p.resolve(outs[i] as Out));
    } catch (err) {
      if (batch.length === 1 || !options.causedByOneWrite(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // Nothing of the batch was written: find whose write failed by writing each alone.
      for (const p of batch) await runBatch([p]);
    }
  }

  async function drain(): Promise<void> {
    while (queued.length > 0) {
      const batch = queued.slice(0, options.maxBatch);
      queued = queued.slice(batch.length);
      await runBatch(batch);
    }
    busy = false;
  }

  return {
    write(item) {
      return new Promise<Out>((resolve, reject) => {
        queued.push({ item, resolve, reject });
        if (busy) return;
        busy = true;
        setImmediate(() => void drain());
      });
    },
  };
}
