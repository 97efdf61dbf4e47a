/**
 * The nightly tasks on two nodes sharing one database: each finished day runs once, on one node. Postgres
 * only (vitest.config.ts): one process owns a PGlite folder. The single-node retry is nightly-retry.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);
const clock = manualClock(at('2026-11-20T01:00:00'));
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await createTestApp({ clock });
  // A second node on the same database.
  b = await createTestApp({ clock, database: a.database });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('nightly tasks (statistics roll-up hook)', () => {
  it('runs each registered task once per finished day, after the nightly hour, on one node only', async () => {
    const seen: string[] = [];
    const task = async ({ day }: { day: string }) => void seen.push(day);
    a.app.nightly.register('stats.rollup', task);
    b.app.nightly.register('stats.rollup', task);

    // Other registered tasks (the sign-in throttle's clean-up) run too; this test follows its own.
    const rollups = async (node: typeof a) => (await node.app.nightly.run()).filter((r) => r.task === 'stats.rollup');
    expect(await rollups(a)).toEqual([]);
    clock.set(at('2026-11-20T02:10:00'));
    // First run ever: the last week is caught up, oldest first; both nodes race, each day runs once.
    await Promise.all([a.app.nightly.run(), b.app.nightly.run()]);
    expect(seen.sort()).toEqual(['2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19']);
    expect(await rollups(a)).toEqual([]);
    clock.set(at('2026-11-21T02:00:00'));
    expect(await rollups(b)).toEqual([{ task: 'stats.rollup', day: '2026-11-20' }]);
  });
});
