import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketEvents } from '../../server/src/db/schema/index.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// Tickets issued at the same moment are stored together (one statement, one commit): what a hall sees of
// that must be exactly what it would see of tickets stored one by one.
let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  // One test client is one IP: the kiosk limit per IP would refuse a rush this size.
  t = await createTestApp({ env: { YC_RATE_TICKETS_PER_MIN: '1000' } });
  hall = await createHall(t);
});
afterAll(async () => t?.close());

const issue = (serviceId: string, headers: Record<string, string> = {}) =>
  t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId, channel: 'kiosk' }, headers);
const numberOf = (ticket: { number: string }) => Number(ticket.number.slice(1));

describe('a kiosk rush', () => {
  it('numbers each category without a gap or a repeat, in the order the tickets were issued, each with its issued event', async () => {
    const items = [hall.services.general, hall.services.complex, hall.services.other];
    const rush = await Promise.all(Array.from({ length: 45 }, (_, i) => issue(items[i % 3] as string)));
    expect(rush.map((r) => r.status)).toEqual(Array(45).fill(201));
    for (const category of ['A', 'B', 'C']) {
      const mine = rush.map((r) => r.body).filter((b) => b.number.startsWith(category));
      expect(mine.map(numberOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      // Ids are made in issue order: the numbers must follow them, or A002 could be called before A001.
      const byId = [...mine].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(byId.map(numberOf)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    }
    const events = await t.app.deps.db.select({ ticketId: ticketEvents.ticketId }).from(ticketEvents)
      .where(and(inArray(ticketEvents.ticketId, rush.map((r) => r.body.id)), eq(ticketEvents.type, 'issued')));
    expect(new Set(events.map((e) => e.ticketId)).size).toBe(45);
    expect(events).toHaveLength(45);
  });

  it('answers a retry that arrives with its first try with the same ticket, and costs the others no number', async () => {
    const key = { 'idempotency-key': 'rush-retry-0001' };
    const rush = await Promise.all([
      ...Array.from({ length: 10 }, () => issue(hall.services.general)),
      issue(hall.services.general, key),
      issue(hall.services.general, key),
      ...Array.from({ length: 10 }, () => issue(hall.services.general)),
    ]);
    expect(rush.map((r) => r.status)).toEqual(Array(22).fill(201));
    const [first, retry] = [rush[10]?.body, rush[11]?.body];
    expect(retry.id).toBe(first.id);
    expect(retry.number).toBe(first.number);
    // 21 tickets: the first test's 15 in this category, then 16 … 36 with none skipped.
    const numbers = [...new Set(rush.map((r) => numberOf(r.body)))].sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 21 }, (_, i) => 16 + i));
  });
});
