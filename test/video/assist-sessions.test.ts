/**
 * Assistance sessions over HTTP and /hall, against real Postgres: whom a request rings, escalation by the
 * clock, the accept race, who may see, join, invite and end. No media worker is started here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { io as connect } from 'socket.io-client';
import { staff } from '../../server/src/db/schema/index.ts';
import { manualClock } from '../../server/src/lib/clock.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { createVideoHall, nextEvent, setOnline, type StaffName, type VideoHall } from './helpers.ts';

const T0 = Date.parse('2026-11-23T09:00:00+08:00');
const clock = manualClock(T0);
let t: TestApp;
let hall: VideoHall;

beforeAll(async () => {
  t = await createTestApp({ clock, listen: true });
  hall = await createVideoHall(t);
});
afterAll(async () => t?.close());

const as = (name: StaffName) => bearer(hall.tokens[name]);
const request = (target: Record<string, unknown> = {}, who: StaffName = 'clerkV', siteId?: string) =>
  t.api('POST', '/assist-sessions', { siteId: siteId ?? hall.site.V, reason: '居住证材料核验', target }, as(who));
const end = (id: string, who: StaffName = 'clerkV') => t.api('POST', `/assist-sessions/${id}/end`, undefined, as(who));
const sweep = () => t.app.video.sweep();
const ALL_EXPERTS: StaffName[] = ['expertC', 'expertD1', 'expertD2', 'expertWJ'];
const isOnline = async (name: StaffName) =>
  (await t.app.deps.db.select({ online: staff.online }).from(staff).where(eq(staff.id, hall.staffIds[name])))[0]?.online;

describe('routing a request', () => {
  beforeAll(async () => setOnline(t, hall, ALL_EXPERTS));

  it('rings the nearest expert covering the requesting site first', async () => {
    const res = await request();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('ringing');
    expect(res.body.roomId).toBe(`as-${res.body.id}`);
    expect(res.body.ringing).toEqual([hall.staffIds.expertC]);
    expect(res.body.participants.map((p: { staffId: string; kind: string }) => [p.staffId, p.kind])).toEqual([[hall.staffIds.clerkV, 'requester']]);
    // The clerk may enter the room at once; the token is bound to that room.
    expect(res.body.join.roomId).toBe(res.body.roomId);
    expect(typeof res.body.join.token).toBe('string');
    expect(Date.parse(res.body.join.expiresAt) - T0).toBe(t.config.media.tokenTtlSec * 1000);
    await end(res.body.id);
  });

  it('sends a level target to the nearest ancestor of that level', async () => {
    const res = await request({ level: 'district' });
    expect(res.status).toBe(201);
    expect(res.body.ringing).toHaveLength(1);
    expect([hall.staffIds.expertD1, hall.staffIds.expertD2]).toContain(res.body.ringing[0]);
    await end(res.body.id);
  });

  it('reaches the cross-province desk by region and any expert by skill', async () => {
    const byRegion = await request({ region: 'JS-WJ' });
    expect(byRegion.body.ringing).toEqual([hall.staffIds.expertWJ]);
    const bySkill = await request({ skill: '医保' });
    expect(bySkill.body.ringing).toEqual([hall.staffIds.expertWJ]);
    const siteAndSkill = await request({ siteId: hall.site.D, skill: '社保' });
    expect(siteAndSkill.body.ringing).toEqual([hall.staffIds.expertD1]);
    for (const r of [byRegion, bySkill, siteAndSkill]) await end(r.body.id);
  });

  it('skips experts who are offline', async () => {
    await setOnline(t, hall, ['expertC'], false);
    const res = await request();
    expect(res.body.ringing).toHaveLength(1);
    expect([hall.staffIds.expertD1, hall.staffIds.expertD2]).toContain(res.body.ringing[0]);
    await end(res.body.id);
    await setOnline(t, hall, ['expertC']);
  });

  it('refuses targets that name no one, and requests for a site the clerk does not staff', async () => {
    const unknownRegion = await request({ region: 'AH-HF' });
    expect(unknownRegion.status).toBe(400);
    expect(unknownRegion.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'target.region' } });
    const ambiguous = await request({ siteId: hall.site.D, level: 'district' });
    expect(ambiguous.status).toBe(400);
    const otherSite = await request({}, 'clerkD2');
    expect(otherSite.status).toBe(403);
    expect(otherSite.body.error.code).toBe('FORBIDDEN');
    const expert = await request({}, 'expertC');
    expect(expert.status).toBe(403);
  });

  it('rings the expert in real time on /hall, in its own staff room only', async () => {
    const expertSocket = connect(`${t.url}/hall`, { auth: { token: hall.tokens.expertC }, transports: ['websocket'], forceNew: true });
    const otherSocket = connect(`${t.url}/hall`, { auth: { token: hall.tokens.expertWJ }, transports: ['websocket'], forceNew: true });
    try {
      const ack = await expertSocket.timeout(15_000).emitWithAck('expert:presence', { online: true });
      expect(ack).toEqual({ data: { staffId: hall.staffIds.expertC, online: true } });
      const bad = await expertSocket.timeout(15_000).emitWithAck('expert:presence', { online: 'yes' });
      expect(bad.error.code).toBe('VALIDATION_FAILED');
      await otherSocket.timeout(15_000).emitWithAck('expert:presence', { online: true });
      const wjHeard: unknown[] = [];
      otherSocket.on('assist.ringing', (e) => wjHeard.push(e));
      const ringing = nextEvent<{ seq: number; session: { id: string; reason: string } }>(expertSocket, 'assist.ringing');
      const res = await request();
      const event = await ringing;
      expect(event.session.id).toBe(res.body.id);
      expect(event.session.reason).toBe('居住证材料核验');
      // The accept reaches the requester's other consoles and the rung experts as assist.updated.
      const updated = nextEvent<{ session: { status: string } }>(expertSocket, 'assist.updated');
      await t.api('POST', `/assist-sessions/${res.body.id}/accept`, undefined, as('expertC'));
      expect((await updated).session.status).toBe('active');
      await end(res.body.id);
      expect(wjHeard).toEqual([]);
    } finally {
      expertSocket.close();
      otherSocket.close();
    }
    // Closing the consoles takes both experts offline (the next test depends on that having happened).
    await expect.poll(async () => [await isOnline('expertC'), await isOnline('expertWJ')], { timeout: 15_000 }).toEqual([false, false]);
    await setOnline(t, hall, ['expertC', 'expertWJ']);
  });

  it('takes an expert offline when its last console disconnects', async () => {
    const socket = connect(`${t.url}/hall`, { auth: { token: hall.tokens.expertWJ }, transports: ['websocket'], forceNew: true });
    await socket.timeout(15_000).emitWithAck('expert:presence', { online: true });
    socket.close();
    await expect.poll(() => isOnline('expertWJ'), { timeout: 15_000 }).toBe(false);
    const res = await request({ region: 'JS-WJ' });
    expect(res.body.ringing).toEqual([]);
    await end(res.body.id);
    await setOnline(t, hall, ['expertWJ']);
  });
});

describe('escalation when nobody answers', () => {
  it('adds the next expert after 60 s, climbs to the next level, then gives up after 5 minutes', async () => {
    await setOnline(t, hall, ALL_EXPERTS);
    const start = clock.now();
    const res = await request();
    const id = res.body.id as string;
    expect(res.body.ringing).toEqual([hall.staffIds.expertC]);
    expect(Date.parse(res.body.escalatesAt) - start).toBe(60_000);
    const ringing = async () => (await t.api('GET', `/assist-sessions/${id}`, undefined, as('clerkV'))).body.ringing as string[];

    clock.set(start + 59_000);
    await sweep();
    expect(await ringing()).toEqual([hall.staffIds.expertC]);

    clock.set(start + 60_000);
    await sweep();
    await sweep(); // a second run at the same instant changes nothing
    const afterOne = await ringing();
    expect(afterOne).toHaveLength(2);
    expect(afterOne[0]).toBe(hall.staffIds.expertC);
    expect([hall.staffIds.expertD1, hall.staffIds.expertD2]).toContain(afterOne[1]);

    clock.set(start + 120_000);
    await sweep();
    expect(new Set(await ringing())).toEqual(new Set([hall.staffIds.expertC, hall.staffIds.expertD1, hall.staffIds.expertD2]));

    // Nobody is left to ring (the WJ desk does not cover this village): it keeps ringing those three.
    clock.set(start + 240_000);
    await sweep();
    expect(await ringing()).toHaveLength(3);

    clock.set(start + 300_000);
    await sweep();
    const ended = await t.api('GET', `/assist-sessions/${id}`, undefined, as('clerkV'));
    expect(ended.body).toMatchObject({ status: 'ended', endReason: 'unanswered', ringing: [], acceptedBy: null });
    const log = await t.api('GET', `/assist-sessions/${id}/events`, undefined, as('clerkV'));
    expect(log.body.map((e: { type: string }) => e.type)).toEqual(['requested', 'rang', 'rang', 'rang', 'unanswered']);
    expect(log.body[2].data).toMatchObject({ tier: 2, stage: 1 });
    // A request nobody answered can no longer be accepted.
    const late = await t.api('POST', `/assist-sessions/${id}/accept`, undefined, as('expertC'));
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('SESSION_ENDED');
  });

  it('rings an expert who comes online while a request is waiting for anyone', async () => {
    await setOnline(t, hall, ALL_EXPERTS, false);
    const res = await request({ region: 'JS-WJ' });
    expect(res.body.ringing).toEqual([]);
    await setOnline(t, hall, ['expertWJ']);
    const now = await t.api('GET', `/assist-sessions/${res.body.id}`, undefined, as('clerkV'));
    expect(now.body.ringing).toEqual([hall.staffIds.expertWJ]);
    await end(res.body.id);
    await setOnline(t, hall, ALL_EXPERTS);
  });
});

describe('accepting', () => {
  it('lets exactly one of two experts who accept at the same instant win', async () => {
    await setOnline(t, hall, ALL_EXPERTS);
    const start = clock.now();
    const res = await request({ level: 'district' });
    clock.set(start + 60_000);
    await sweep();
    const both = (await t.api('GET', `/assist-sessions/${res.body.id}`, undefined, as('clerkV'))).body.ringing as string[];
    expect(new Set(both)).toEqual(new Set([hall.staffIds.expertD1, hall.staffIds.expertD2]));

    clock.set(start + 75_000);
    const [a, b] = await Promise.all([
      t.api('POST', `/assist-sessions/${res.body.id}/accept`, undefined, as('expertD1')),
      t.api('POST', `/assist-sessions/${res.body.id}/accept`, undefined, as('expertD2')),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
    expect(loser.body.error.code).toBe('ASSIST_ALREADY_ACCEPTED');
    expect(winner.body.status).toBe('active');
    expect(winner.body.answerSeconds).toBe(75);
    expect(winner.body.join.roomId).toBe(res.body.roomId);
    expect(winner.body.join.token).not.toBe(res.body.join.token);
    const winnerId = winner.body.acceptedBy as string;
    expect(winner.body.participants.map((p: { staffId: string }) => p.staffId)).toEqual([hall.staffIds.clerkV, winnerId]);

    // The winner retrying gets the same answer; the session is unchanged.
    const winnerName: StaffName = winnerId === hall.staffIds.expertD1 ? 'expertD1' : 'expertD2';
    const retry = await t.api('POST', `/assist-sessions/${res.body.id}/accept`, undefined, as(winnerName));
    expect(retry.status).toBe(200);
    expect(retry.body.acceptedBy).toBe(winnerId);
    await end(res.body.id);
  });

  it('refuses experts it did not ring, and anyone who is not an expert', async () => {
    await setOnline(t, hall, ALL_EXPERTS);
    const res = await request();
    const notRung = await t.api('POST', `/assist-sessions/${res.body.id}/accept`, undefined, as('expertWJ'));
    expect(notRung.status).toBe(403);
    const clerk = await t.api('POST', `/assist-sessions/${res.body.id}/accept`, undefined, as('clerkD'));
    expect(clerk.status).toBe(403);
    const missing = await t.api('POST', '/assist-sessions/00000000-0000-4000-8000-000000000000/accept', undefined, as('expertC'));
    expect(missing.status).toBe(404);
    await end(res.body.id);
  });
});

describe('during and after a call', () => {
  let id: string;
  let expert: StaffName;

  beforeAll(async () => {
    await setOnline(t, hall, ALL_EXPERTS);
    const res = await request({}, 'clerkV');
    id = res.body.id;
    expert = 'expertC';
    const accepted = await t.api('POST', `/assist-sessions/${id}/accept`, undefined, as(expert));
    expect(accepted.status).toBe(200);
  });

  it('gives join tokens only to participants: not to an uninvited expert or another site\'s clerk', async () => {
    expect((await t.api('POST', `/assist-sessions/${id}/token`, undefined, as('clerkV'))).status).toBe(200);
    expect((await t.api('POST', `/assist-sessions/${id}/token`, undefined, as(expert))).status).toBe(200);
    const uninvited = await t.api('POST', `/assist-sessions/${id}/token`, undefined, as('expertD2'));
    expect(uninvited.status).toBe(403);
    const otherClerk = await t.api('POST', `/assist-sessions/${id}/token`, undefined, as('clerkD2'));
    expect(otherClerk.status).toBe(403);
    expect((await t.api('GET', `/assist-sessions/${id}`, undefined, as('clerkD2'))).status).toBe(403);
    expect((await t.api('GET', `/assist-sessions/${id}`, undefined, as('expertWJ'))).status).toBe(403);
    // Staff of an ancestor site oversee it (read), but are not in the call.
    expect((await t.api('GET', `/assist-sessions/${id}`, undefined, as('supervisorD'))).status).toBe(200);
    expect((await t.api('POST', `/assist-sessions/${id}/token`, undefined, as('supervisorD'))).status).toBe(403);
  });

  it('adds a third party mid-call, who may then join', async () => {
    const byOutsider = await t.api('POST', `/assist-sessions/${id}/invite`, { staffId: hall.staffIds.expertD2 }, as('expertWJ'));
    expect(byOutsider.status).toBe(403);
    const invited = await t.api('POST', `/assist-sessions/${id}/invite`, { staffId: hall.staffIds.expertWJ }, as(expert));
    expect(invited.status, JSON.stringify(invited.body)).toBe(200);
    expect(invited.body.participants.find((p: { staffId: string }) => p.staffId === hall.staffIds.expertWJ)).toMatchObject({ kind: 'invited' });
    const token = await t.api('POST', `/assist-sessions/${id}/token`, undefined, as('expertWJ'));
    expect(token.status).toBe(200);
    expect(token.body.roomId).toBe(`as-${id}`);
    const unknown = await t.api('POST', `/assist-sessions/${id}/invite`, { staffId: '00000000-0000-4000-8000-000000000000' }, as(expert));
    expect(unknown.status).toBe(400);
  });

  it('lists sessions for an expert\'s console: only those that rang it', async () => {
    // expertWJ, now in the call, is busy: a request for its skill rings nobody else but waits.
    const busy = await request({ region: 'JS-WJ' });
    expect(busy.body.ringing).toEqual([]);
    await end(busy.body.id);
    const other = await request({ siteId: hall.site.D, skill: '社保' });
    const d1 = await t.api('GET', '/assist-sessions?status=ringing', undefined, as('expertD1'));
    expect(d1.body.map((s: { id: string }) => s.id)).toContain(other.body.id);
    const d2 = await t.api('GET', '/assist-sessions?status=ringing', undefined, as('expertD2'));
    expect(d2.body.map((s: { id: string }) => s.id)).not.toContain(other.body.id);
    const bad = await t.api('GET', '/assist-sessions?status=sleeping', undefined, as('expertD1'));
    expect(bad.status).toBe(400);
    await end(other.body.id);
    const cancelled = await t.api('GET', `/assist-sessions/${other.body.id}`, undefined, as('clerkV'));
    expect(cancelled.body).toMatchObject({ status: 'ended', endReason: 'cancelled' });
  });

  it('ends for everyone, after which no token is given and it cannot end twice', async () => {
    expect((await end(id, 'expertD2')).status).toBe(403);
    const ended = await end(id, expert);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'ended', endReason: 'completed' });
    const token = await t.api('POST', `/assist-sessions/${id}/token`, undefined, as('clerkV'));
    expect(token.status).toBe(409);
    expect(token.body.error.code).toBe('SESSION_ENDED');
    expect((await end(id)).status).toBe(409);
    expect(await t.app.video.isRoomOpen(`as-${id}`)).toBe(false);

    const log = await t.api('GET', `/assist-sessions/${id}/events`, undefined, as('clerkV'));
    const lines = log.body.map((e: { type: string; actorId: string | null }) => [e.type, e.actorId]);
    expect(lines).toEqual([
      ['requested', hall.staffIds.clerkV],
      ['rang', null],
      ['accepted', hall.staffIds.expertC],
      ['invited', hall.staffIds.expertC],
      ['ended', hall.staffIds.expertC],
    ]);
  });

  it('never started a media worker: nobody opened a room', () => {
    const stats = t.app.video.media?.stats();
    expect(stats?.rooms).toBe(0);
    expect(stats?.workers.every((w) => w.pid === undefined)).toBe(true);
  });
});

describe('the OpenAPI document', () => {
  it('describes the video endpoints', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((JSON.parse(res.body) as { paths: Record<string, unknown> }).paths);
    for (const p of ['/api/v1/assist-sessions', '/api/v1/assist-sessions/{id}/accept', '/api/v1/assist-sessions/{id}/token', '/api/v1/assist-sessions/{id}/invite', '/api/v1/tickets/{id}/join', '/api/v1/experts/me/presence']) {
      expect(paths).toContain(p);
    }
  });
});
