/**
 * Hostile payloads on every socket event of `/hall` and `/media`: each answers with the contract's error in
 * its ack, nothing crashes, and the connection keeps working afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, request } from '../helpers/socket.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  // A budget above the 300 fuzz runs: this file tests the handlers; test/sockets/socket-abuse.test.ts the budget.
  t = await createTestApp({ listen: true, config: { sockets: { eventsPerSec: 1000, eventBurst: 1000, connectionsPerAddress: 200 } } });
  hall = await createHall(t);
});
afterAll(async () => t?.close());

const hostile = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record({ siteId: fc.oneof(fc.string(), fc.uuid(), fc.integer()), ticketId: fc.oneof(fc.string(), fc.uuid()), accessToken: fc.string({ maxLength: 300 }), windowId: fc.oneof(fc.string(), fc.constant("' OR 1=1 --")) }, { requiredKeys: [] }),
  fc.constantFrom(null, 'x'.repeat(100_000), { siteId: '<script>' }, { __proto__: { admin: true } }, [1, 2, 3]),
);

describe('socket fuzzing', () => {
  it('answers every /hall event with data or a contract error, and stays connected', async () => {
    const socket = await connect(t.url, '/hall', { token: hall.tokens.clerk });
    const events = ['site:watch', 'ticket:watch', 'window:attach', 'expert:presence'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...events), hostile, async (event, payload) => {
        const res = await request(socket, event, payload);
        if (res.error) {
          expect(typeof res.error.code).toBe('string');
          expect(typeof res.error.message).toBe('string');
          expect(res.error.code).not.toBe('INTERNAL');
        } else {
          expect(res).toHaveProperty('data');
        }
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(socket.connected).toBe(true);
    // Still useful after the abuse.
    expect((await request(socket, 'site:watch', { siteId: hall.siteId })).data.siteId).toBe(hall.siteId);
    socket.disconnect();
  }, 120_000);

  it('refuses a /media handshake without a valid join token', async () => {
    for (const auth of [undefined, { token: 42 }, { token: 'x'.repeat(5000) }, { token: "' OR 1=1 --" }]) {
      await expect(connect(t.url, '/media', auth as Record<string, unknown> | undefined)).rejects.toThrow();
    }
  });
});

describe('ticket issue limits', () => {
  it('answers a flood from one address with 429 RATE_LIMITED and Retry-After', async () => {
    const limit = t.config.rateLimit.ticketsPerMinPerIp;
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestApp['api']>> | undefined;
    for (let i = 0; i < limit + 3; i++) {
      last = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, limit).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(limit)).toEqual([429, 429, 429]);
    expect(last?.body.error.code).toBe('RATE_LIMITED');
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
  });
});
