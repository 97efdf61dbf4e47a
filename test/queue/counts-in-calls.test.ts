/**
 * `site:watch { countsInCalls: true }`: a board reads the waiting counts from `ticket.called`, so a call
 * reaches it as one frame instead of a call and a `queue.changed` that only repeats the new counts (half the
 * frames a hall's boards take; bench/RESULTS.md, fan-out). Boards that did not ask keep every `queue.changed`.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { connect, nextEvent, request } from '../helpers/socket.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

/** Rationale: three coalescing windows (250 ms each): a `queue.changed` due after the call would be out. */
const QUIET_MS = 800;

interface SiteEvent { name: string; seq: number; waiting: Record<string, number> }

let t: TestApp;
let hall: Hall;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestApp({ listen: true });
  hall = await createHall(t);
  await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk));
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await t?.close();
});

/** A board watching the site, with every site event it receives in order. */
async function board(countsInCalls: boolean): Promise<{ events: SiteEvent[]; seq: number }> {
  const socket = await connect(t.url, '/hall');
  sockets.push(socket);
  const events: SiteEvent[] = [];
  for (const name of ['ticket.called', 'queue.changed']) socket.on(name, (e: SiteEvent) => events.push({ name, seq: e.seq, waiting: e.waiting }));
  const watched = await request(socket, 'site:watch', countsInCalls ? { siteId: hall.siteId, countsInCalls } : { siteId: hall.siteId });
  expect(watched.data.siteId).toBe(hall.siteId);
  return { events, seq: watched.data.seq };
}

const issue = async () => expect((await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' })).status).toBe(201);
const quiet = () => new Promise((r) => setTimeout(r, QUIET_MS));
const waitingNow = async () => (await t.api('GET', `/sites/${hall.siteId}/board`)).body.waiting as Record<string, number>;

describe('ticket.called carries the counts', () => {
  it('reaches a countsInCalls board as one frame per call, with the counts after it, and no gap', async () => {
    const compact = await board(true);
    const legacy = await board(false);
    await issue();
    await issue();
    await quiet();
    const before = compact.events.length;
    const legacyBefore = legacy.events.length;

    const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    expect(called.status).toBe(200);
    await quiet();
    const counts = await waitingNow();
    expect(counts.A).toBe(1);

    const afterCall = compact.events.slice(before);
    expect(afterCall.map((e) => e.name)).toEqual(['ticket.called']);
    expect(afterCall[0]?.waiting).toEqual(counts);

    // The board that did not ask still hears the counts as queue.changed, under the call's seq (no gap,
    // nothing new to apply by seq for a board that reads the counts from the call).
    const legacyAfter = legacy.events.slice(legacyBefore);
    expect(legacyAfter.map((e) => e.name)).toEqual(['ticket.called', 'queue.changed']);
    expect(legacyAfter[1]?.waiting).toEqual(counts);
    expect(legacyAfter[1]?.seq).toBe(legacyAfter[0]?.seq);

    // A change without a call is a queue.changed for both, with the next seq.
    const seqOfCall = afterCall[0]?.seq ?? 0;
    const next = nextEvent(sockets[0] as Socket, 'queue.changed');
    await issue();
    expect(await next).toMatchObject({ seq: seqOfCall + 1, waiting: { A: 2 } });
    await quiet();
    expect(legacy.events.at(-1)).toMatchObject({ name: 'queue.changed', seq: seqOfCall + 1, waiting: { A: 2 } });

    // What the compact board saw is consecutive from its watch, and its last counts are the hall's.
    const seqs = compact.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_s, i) => compact.seq + 1 + i));
    expect(compact.events.at(-1)?.waiting).toEqual(await waitingNow());
  });

  it('sends the queue.changed when the counts moved again between the call and the coalesced send', async () => {
    const compact = await board(true);
    const before = compact.events.length;
    await issue();
    await quiet();
    // Call, then at once a new ticket: the call's counts are stale by the time the coalesced send runs.
    await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    await issue();
    await quiet();
    const seen = compact.events.slice(before);
    expect(seen.at(-1)?.waiting).toEqual(await waitingNow());
    expect(seen.map((e) => e.name)).toContain('ticket.called');
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_s, i) => (seqs[0] ?? 0) + i));
  });
});
