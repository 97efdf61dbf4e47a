import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from './write-batcher.ts';

/** A store that records each unit it was asked to write, and refuses any unit holding a 'bad' item. */
function recordingStore(options: { delayMs?: number } = {}) {
  const units: string[][] = [];
  const writeAll = async (items: string[]) => {
    units.push([...items]);
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    if (items.includes('bad')) throw new Error('refused: bad');
    if (items.includes('outage')) throw new Error('database away');
    return items.map((item) => `stored ${item}`);
  };
  return { units, writeAll };
}

const OPTIONS = { maxBatch: 100, causedByOneWrite: (err: unknown) => (err as Error).message.startsWith('refused') };

describe('write batcher', () => {
  it('writes what arrives in one turn as one unit, and answers each caller with its own result', async () => {
    const store = recordingStore();
    const batcher = createWriteBatcher(store.writeAll, OPTIONS);
    const results = await Promise.all(['a', 'b', 'c'].map((x) => batcher.write(x)));
    expect(results).toEqual(['stored a', 'stored b', 'stored c']);
    expect(store.units).toEqual([['a', 'b', 'c']]);
  });

  it('sends what arrived during a write together, as soon as that write is done', async () => {
    const store = recordingStore({ delayMs: 20 });
    const batcher = createWriteBatcher(store.writeAll, OPTIONS);
    const first = batcher.write('a');
    await new Promise((r) => setTimeout(r, 5));
    const later = ['b', 'c', 'd'].map((x) => batcher.write(x));
    expect(await Promise.all([first, ...later])).toEqual(['stored a', 'stored b', 'stored c', 'stored d']);
    expect(store.units).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('fails only the write that cannot be stored; the others in its unit are stored', async () => {
    const store = recordingStore();
    const batcher = createWriteBatcher(store.writeAll, OPTIONS);
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((x) => batcher.write(x)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(['stored a', 'refused: bad', 'stored c']);
    // The unit was refused whole, then each write was tried alone.
    expect(store.units).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('fails a whole unit at once on an error no single write caused', async () => {
    const store = recordingStore();
    const batcher = createWriteBatcher(store.writeAll, OPTIONS);
    const outcomes = await Promise.allSettled(['a', 'outage', 'c'].map((x) => batcher.write(x)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(store.units).toEqual([['a', 'outage', 'c']]);
  });

  it('keeps units to the largest size allowed, in arrival order', async () => {
    const store = recordingStore();
    const batcher = createWriteBatcher(store.writeAll, { ...OPTIONS, maxBatch: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((x) => batcher.write(x)));
    expect(store.units).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('keeps working after a failed unit', async () => {
    const store = recordingStore();
    const batcher = createWriteBatcher(store.writeAll, OPTIONS);
    await expect(batcher.write('bad')).rejects.toThrow('refused: bad');
    expect(await batcher.write('z')).toBe('stored z');
  });
});
