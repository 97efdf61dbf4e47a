/**
 * A nightly task that fails is tried again for the same days on the next run. One node, so it runs on the
 * embedded default as well as on Postgres (vitest.config.ts); two nodes racing are nightly-two-nodes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);
const clock = manualClock(at('2026-11-20T01:00:00'));
let a: TestApp;

beforeAll(async () => {
  a = await createTestApp({ clock });
});
afterAll(async () => a?.close());

describe('nightly tasks on one node', () => {
  it('tries a failed day again on the next run', async () => {
    let fail = true;
    const done: string[] = [];
    a.app.nightly.register('flaky', async ({ day }) => {
      if (fail) throw new Error('database busy');
      done.push(day);
    });
    clock.set(at('2026-11-22T03:00:00'));
    const first = await a.app.nightly.run();
    expect(first.filter((r) => r.task === 'flaky')).toEqual([]);
    fail = false;
    const second = await a.app.nightly.run();
    expect(second.filter((r) => r.task === 'flaky').map((r) => r.day)).toEqual(['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21']);
    expect(done).toHaveLength(7);
    // Done days are not run again.
    expect((await a.app.nightly.run()).filter((r) => r.task === 'flaky')).toEqual([]);
  });
});
