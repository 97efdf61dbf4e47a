import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMemorySlotPlaces, createRedisSlotPlaces, KNOWN_FOR_MS, type SlotPlaces } from './slot-places.ts';

let t = 1_000_000;
const now = () => t;
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
// Until Redis answers nothing is known (by design): wait for it.
beforeAll(async () => {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
});
afterAll(async () => void (await redis.quit()));

describe.each([
  { name: 'memory', make: (): SlotPlaces => createMemorySlotPlaces(now) },
  { name: 'Redis', make: (): SlotPlaces => createRedisSlotPlaces(redis, `yct-sp-${randomBytes(4).toString('hex')}`, now) },
])('slot places ($name)', ({ make }) => {
  it('knows a slot is full once told, until a place is given back', async () => {
    const places = make();
    expect((await places.look('s', 1)).full).toBe(false);
    const { version } = await places.look('s', 1);
    await places.learn('s', 1, version, 0);
    expect((await places.look('s', 1)).full).toBe(true);
    expect((await places.look('s', 2)).full).toBe(false);
    expect((await places.look('other', 1)).full).toBe(false);
    await places.forget('s', 1);
    expect((await places.look('s', 1)).full).toBe(false);
  });

  it('does not record a count read before a place was given back (a late "full" after a cancellation)', async () => {
    const places = make();
    const before = await places.look('s', 1);
    // A cancellation commits and forgets while a booking that took the last place is still on its way back.
    await places.forget('s', 1);
    await places.learn('s', 1, before.version, 0);
    expect((await places.look('s', 1)).full).toBe(false);
    // The same for new rules of the item.
    const again = await places.look('s', 1);
    await places.forgetService('s');
    await places.learn('s', 1, again.version, 0);
    expect((await places.look('s', 1)).full).toBe(false);
    // A count read after them is recorded.
    const after = await places.look('s', 1);
    await places.learn('s', 1, after.version, 0);
    expect((await places.look('s', 1)).full).toBe(true);
    await places.forgetService('s');
    expect((await places.look('s', 1)).full).toBe(false);
  });

  it('lets what it knows lapse, and records nothing without a version', async () => {
    const places = make();
    await places.learn('s', 3, (await places.look('s', 3)).version, 0);
    t += KNOWN_FOR_MS + 1;
    expect((await places.look('s', 3)).full).toBe(false);
    await places.learn('s', 3, null, 0);
    expect((await places.look('s', 3)).full).toBe(false);
  });
});
