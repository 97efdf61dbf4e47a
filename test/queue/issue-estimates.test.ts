import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickets } from '../../server/src/db/schema/index.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  // The copy of the queue never expires here: only the forgets on a call or a window opening can refresh it.
  t = await createTestApp({ env: { YC_ESTIMATE_COPY_MAX_AGE_MS: '3600000' } });
  hall = await createHall(t);
});
afterAll(async () => t?.close());

const issue = () => t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });

describe('the place and wait given with a new ticket', () => {
  it('gives each citizen of a kiosk rush a place of their own, the one a later read shows, and keeps the estimate given', async () => {
    const rush = await Promise.all(Array.from({ length: 12 }, () => issue()));
    expect(rush.map((r) => r.status)).toEqual(Array(12).fill(201));
    // Every play counts the tickets still being issued, so the places handed out in a rush never repeat.
    expect(rush.map((r) => r.body.position).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const reads = await Promise.all(rush.map((r) => t.api('GET', `/tickets/${r.body.id}`, undefined, { 'x-access-token': r.body.accessToken })));
    expect(reads.map((r) => r.body.position)).toEqual(rush.map((r) => r.body.position));
    // What the citizen was told is kept with the ticket (stats report its error later).
    const stored = await t.app.deps.db.select({ id: tickets.id, eta: tickets.etaAtIssueMin, etaLow: tickets.etaLowAtIssueMin, etaHigh: tickets.etaHighAtIssueMin }).from(tickets).where(inArray(tickets.id, rush.map((r) => r.body.id)));
    const byId = new Map(stored.map((s) => [s.id, s]));
    for (const r of rush) expect(byId.get(r.body.id)).toEqual({ id: r.body.id, eta: r.body.etaMinutes, etaLow: r.body.etaMinutesLow, etaHigh: r.body.etaMinutesHigh });
  });

  it('counts a call made a moment ago: the next ticket’s place is one nearer', async () => {
    const before = await issue();
    expect((await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk))).status).toBe(200);
    const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    expect(called.status).toBe(200);
    const after = await issue();
    expect(after.body.position).toBe(before.body.position);
  });

  it('counts a window opened a moment ago: the next ticket’s wait is shorter', async () => {
    const before = await issue();
    expect(before.body.etaMinutes).toBeGreaterThan(0);
    expect((await t.api('POST', `/windows/${hall.windows.w2}/open`, undefined, bearer(hall.tokens.clerk2))).status).toBe(200);
    const after = await issue();
    // Two windows now share the queue that one window had: later in line, yet called sooner.
    expect(after.body.position).toBeGreaterThan(before.body.position);
    expect(after.body.etaMinutes).toBeLessThan(before.body.etaMinutes);
  });
});
