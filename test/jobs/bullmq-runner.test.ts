import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBullmqRunner } from '../../server/src/jobs/bullmq-runner.ts';
import type { JobRunner } from '../../server/src/jobs/job-runner.ts';
import { sleep, waitFor } from './fake-sms-gateway.ts';

const runners: JobRunner[] = [];
const prefixes: string[] = [];
const errors: unknown[] = [];

function node(prefix: string): JobRunner {
  const r = createBullmqRunner({ redisUrl: inject('redisUrl'), prefix, onError: (_n, err) => void errors.push(err) });
  runners.push(r);
  return r;
}
function newPrefix() {
  const p = `yct-${randomBytes(4).toString('hex')}`;
  prefixes.push(p);
  return p;
}

afterEach(async () => {
  for (const r of runners.splice(0)) await r.close();
  for (const prefix of prefixes.splice(0)) {
    const q = new Queue('jobs', { connection: { url: inject('redisUrl') }, prefix });
    await q.obliterate({ force: true });
    await q.close();
  }
  expect(errors.splice(0)).toEqual([]);
});

describe('BullMQ job runner', () => {
  it('runs a periodic job on one node at a time, even when a run outlasts its interval', async () => {
    const prefix = newPrefix();
    let running = 0;
    let overlap = false;
    const runsBy = { a: 0, b: 0 };
    const handler = (who: 'a' | 'b') => async () => {
      running++;
      if (running > 1) overlap = true;
      runsBy[who]++;
      await sleep(250);
      running--;
    };
    const a = node(prefix);
    const b = node(prefix);
    await a.every('tick', 100, handler('a'));
    await b.every('tick', 100, handler('b'));
    await a.start();
    await b.start();
    await waitFor(() => runsBy.a + runsBy.b >= 4, 'four runs');
    expect(overlap).toBe(false);
  });

  it('schedules a one-off job once per id, and runs it on another node after its setter stopped', async () => {
    const prefix = newPrefix();
    const setter = node(prefix);
    const at = Date.now() + 1_000;
    await setter.schedule('remind', { n: 1 }, at, 'appt-1.hourBefore');
    await setter.schedule('remind', { n: 2 }, at, 'appt-1.hourBefore');
    await setter.close();
    const seen: unknown[] = [];
    const worker = node(prefix);
    worker.handle<{ n: number }>('remind', async (data) => void seen.push(data));
    await worker.start();
    await waitFor(() => seen.length === 1, 'the one-off job');
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    await sleep(500);
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('retries a one-off job whose handler failed', async () => {
    const prefix = newPrefix();
    const r = node(prefix);
    let calls = 0;
    r.handle('flaky', async () => {
      calls++;
      if (calls === 1) throw new Error('first try fails');
    });
    await r.start();
    await r.schedule('flaky', {}, Date.now(), 'x');
    await waitFor(() => calls === 2, 'the retry');
    // The failure was reported; nothing else was.
    expect(errors.splice(0).map((e) => (e as Error).message)).toEqual(['first try fails']);
  });
});
