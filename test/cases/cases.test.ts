import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/src/lib/clock.ts';
import { zonedTimeToMs } from '../../server/src/lib/time.ts';
import { createHall, login, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

const TZ = 'Asia/Shanghai';
const at = (date: string, time: string) => zonedTimeToMs(date, time, TZ);
// Monday 2026-11-23, 10:00 in Shanghai.
const clock = manualClock(at('2026-11-23', '10:00'));
const CASES_PER_HOUR = 5;

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { YC_RATE_CASES_PER_HOUR: String(CASES_PER_HOUR) } });
  hall = await createHall(t);
});
afterAll(async () => t?.close());
beforeEach(async () => {
  clock.set(at('2026-11-23', '10:00'));
  await t.app.deps.rateLimiter.reset('case:127.0.0.1');
});

const sup = () => bearer(hall.tokens.supervisor);
const file = (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  t.api('POST', '/cases', { siteId: hall.siteId, kind: 'cannotBeDone', description: '材料齐全但系统提示不能办理', contact: { name: '李四', phone: '13812345678' }, ...body }, headers);

describe('filing a case (办不成事)', () => {
  it('answers with a case number, working-day deadlines and a token to follow it', async () => {
    const r = await file({ serviceId: hall.services.general });
    expect(r.status).toBe(201);
    expect(r.body.number).toMatch(/^BC20261123\d{4}$/);
    expect(r.body).toMatchObject({
      kind: 'cannotBeDone', status: 'open', source: 'citizen', complex: false, serviceId: hall.services.general,
      replyDueAt: '2026-11-23T17:00:00+08:00', deadlineAt: '2026-11-30T17:00:00+08:00',
      contact: { name: '李*', phone: '138****5678' }, assigneeId: null, overdue: false,
    });
    expect(typeof r.body.accessToken).toBe('string');
    expect(r.body.events).toMatchObject([{ type: 'opened', fromStatus: null, toStatus: 'open', actorKind: 'citizen' }]);
    // The phone is kept sealed for the revisit call, never in clear.
    const row = await t.app.deps.db.query.cases.findFirst({ where: (c, { eq }) => eq(c.id, r.body.id) });
    expect(row?.contactPhoneSealed).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain('13812345678');
  });

  it('counts from the next working day after the 16:00 cut-off, over weekends and holidays', async () => {
    clock.set(at('2026-11-23', '16:30'));
    expect((await file()).body).toMatchObject({ replyDueAt: '2026-11-24T17:00:00+08:00', deadlineAt: '2026-12-01T17:00:00+08:00' });
    clock.set(at('2026-11-27', '16:30')); // Friday evening
    expect((await file()).body).toMatchObject({ replyDueAt: '2026-11-30T17:00:00+08:00', deadlineAt: '2026-12-07T17:00:00+08:00' });
    clock.set(at('2026-09-30', '10:00')); // eve of National Day; Saturday 10-10 is worked
    expect((await file()).body).toMatchObject({ replyDueAt: '2026-09-30T17:00:00+08:00', deadlineAt: '2026-10-13T17:00:00+08:00' });
    // A complex item gets the complex limit (10 working days).
    expect((await file({ serviceId: hall.services.complex })).body).toMatchObject({ complex: true, deadlineAt: '2026-10-20T17:00:00+08:00' });
  });

  it('validates the contact phone and what the case refers to', async () => {
    const bad = await file({ contact: { phone: '12345' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('contact.phone');
    expect((await file({ contact: {} })).status).toBe(400);
    expect((await file({ kind: 'other' })).status).toBe(400);
    expect((await file({ siteId: randomUUID() })).status).toBe(404);
    expect((await file({ serviceId: randomUUID() })).body.error.details.field).toBe('serviceId');
    // Phone and id numbers written into the description are masked before storage.
    const r = await file({ description: '打13900001111或查310101199001011237' });
    expect(r.body.description).toBe('打139****1111或查3101**********1237');
    // So are a name after a cue and the numbers of an address (issue #14 item 12).
    const named = await file({ description: '我叫王小明，住人民路128号3栋502室，材料被退回' });
    expect(named.body.description).toBe('我叫王**，住人民路**号**栋**室，材料被退回');
  });

  it('limits anonymous filing per address, with Retry-After', async () => {
    for (let i = 0; i < CASES_PER_HOUR; i++) expect((await file()).status).toBe(201);
    const limited = await file();
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Staff at the 办不成事 window file on citizens' behalf without that limit.
    const byStaff = await file({}, bearer(hall.tokens.clerk));
    expect(byStaff.status).toBe(201);
    expect(byStaff.body.source).toBe('staff');
  });
});

describe('following a case', () => {
  it('shows the case to its token holder and to staff of the site only', async () => {
    const c = (await file()).body;
    const mine = await t.api('GET', `/cases/${c.id}?t=${c.accessToken}`);
    expect(mine.status).toBe(200);
    expect(mine.body.accessToken).toBeUndefined();
    expect((await t.api('GET', `/cases/${c.id}`)).status).toBe(401);
    expect((await t.api('GET', `/cases/${c.id}`, undefined, { 'x-access-token': 'wrong' })).status).toBe(403);
    expect((await t.api('GET', `/cases/${c.id}`, undefined, bearer(hall.tokens.otherClerk))).status).toBe(403);
    expect((await t.api('GET', `/cases/${c.id}`, undefined, sup())).status).toBe(200);
    expect((await t.api('GET', `/cases/${randomUUID()}`, undefined, sup())).status).toBe(404);
  });

  it('finds a case by its number and the phone given, and nothing otherwise', async () => {
    const c = (await file()).body;
    const found = await t.api('POST', '/cases/lookup', { number: c.number, phone: '+86 138-1234-5678' });
    expect(found.status).toBe(200);
    expect(found.body.id).toBe(c.id);
    expect((await t.api('POST', '/cases/lookup', { number: c.number, phone: '13900000000' })).status).toBe(404);
    expect((await t.api('POST', '/cases/lookup', { number: 'BC202611239999', phone: '13812345678' })).status).toBe(404);
  });
});

describe('working a case to the end', () => {
  it('goes open → assigned → replied → resolved → (rejected) → resolved → revisited → closed, each step logged', async () => {
    const c = (await file()).body;
    const citizen = { 'x-access-token': c.accessToken };
    let clerk = bearer(hall.tokens.clerk);
    // Nothing to resolve before a reply; clerks neither assign nor list.
    expect((await t.api('POST', `/cases/${c.id}/resolve`, { resolution: 'x' }, sup())).body.error.code).toBe('INVALID_TRANSITION');
    expect((await t.api('POST', `/cases/${c.id}/assign`, { assigneeId: hall.staffIds.clerk }, clerk)).status).toBe(403);
    expect((await t.api('POST', `/cases/${c.id}/assign`, { assigneeId: hall.staffIds.otherclerk }, sup())).body.error.details.field).toBe('assigneeId');

    clock.advance(30 * 60_000);
    const assigned = await t.api('POST', `/cases/${c.id}/assign`, { assigneeId: hall.staffIds.clerk, note: '请核实' }, sup());
    expect(assigned.body).toMatchObject({ status: 'assigned', assigneeId: hall.staffIds.clerk });
    // The assignee finds it in its own list; another clerk's list does not show it.
    const mine = await t.api('GET', `/cases?siteId=${hall.siteId}&limit=200`, undefined, clerk);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
    expect((await t.api('GET', `/cases?limit=200`, undefined, bearer(hall.tokens.clerk2))).body.items).toEqual([]);
    // Another clerk of the site is not the assignee.
    expect((await t.api('POST', `/cases/${c.id}/reply`, { message: 'x' }, bearer(hall.tokens.clerk2))).status).toBe(403);
    clock.advance(30 * 60_000);
    const replied = await t.api('POST', `/cases/${c.id}/reply`, { message: '已收到，正在协调后台系统' }, clerk);
    expect(replied.body).toMatchObject({ status: 'replied', reply: '已收到，正在协调后台系统', firstRepliedAt: '2026-11-23T11:00:00+08:00' });
    clock.set(at('2026-11-25', '15:00'));
    // Staff sessions last a working day: sign in again after the clock jumped.
    clerk = bearer(await login(t, 'clerk'));
    const resolved = await t.api('POST', `/cases/${c.id}/resolve`, { resolution: '系统已修复，可以办理' }, clerk);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-25T15:00:00+08:00' });

    // The citizen is not satisfied: the case reopens with a fresh 5-working-day limit from now.
    clock.set(at('2026-11-26', '09:00'));
    const rejected = await t.api('POST', `/cases/${c.id}/revisit`, { accepted: false, comment: '还是办不了' }, citizen);
    expect(rejected.body).toMatchObject({ status: 'assigned', revisitOutcome: 'rejected', resolvedAt: null, deadlineAt: '2026-12-03T17:00:00+08:00', assigneeId: null });
    expect((await t.api('POST', `/cases/${c.id}/revisit`, { accepted: true }, citizen)).body.error.code).toBe('INVALID_TRANSITION');
    clerk = bearer(await login(t, 'clerk'));
    expect((await t.api('POST', `/cases/${c.id}/reply`, { message: '再次核实中' }, clerk)).body.status).toBe('replied');
    expect((await t.api('POST', `/cases/${c.id}/resolve`, { resolution: '已现场办结' }, clerk)).body.status).toBe('resolved');
    // A clerk does not record revisits; the citizen does.
    expect((await t.api('POST', `/cases/${c.id}/revisit`, { accepted: true }, clerk)).status).toBe(403);
    const accepted = await t.api('POST', `/cases/${c.id}/revisit`, { accepted: true, comment: '满意' }, citizen);
    expect(accepted.body).toMatchObject({ status: 'revisited', revisitOutcome: 'accepted' });
    expect((await t.api('POST', `/cases/${c.id}/close`, {}, clerk)).status).toBe(403);
    const closed = await t.api('POST', `/cases/${c.id}/close`, { note: '归档' }, bearer(await login(t, 'supervisor')));
    expect(closed.body.status).toBe('closed');
    expect((await t.api('POST', `/cases/${c.id}/reply`, { message: 'x' }, bearer(await login(t, 'supervisor')))).status).toBe(409);

    const log = closed.body.events.map((e: { type: string; toStatus: string; actorKind: string }) => `${e.type}:${e.toStatus}:${e.actorKind}`);
    expect(log).toEqual([
      'opened:open:citizen', 'assigned:assigned:staff', 'replied:replied:staff', 'resolved:resolved:staff', 'rejected:assigned:citizen',
      'replied:replied:staff', 'resolved:resolved:staff', 'accepted:revisited:citizen', 'closed:closed:staff',
    ]);
    expect(closed.body.events[1].actorId).toBe(hall.staffIds.supervisor);
    // The citizen sees the replies, not internal notes or who acted.
    const seen = (await t.api('GET', `/cases/${c.id}`, undefined, citizen)).body.events;
    expect(seen[1]).toMatchObject({ type: 'assigned', note: null, actorId: null });
    expect(seen[2].note).toBe('已收到，正在协调后台系统');
  });

  it('recomputes the resolution limit when a supervisor flags the case complex', async () => {
    const c = (await file()).body;
    const r = await t.api('POST', `/cases/${c.id}/assign`, { assigneeId: hall.staffIds.clerk, complex: true }, sup());
    expect(r.body).toMatchObject({ complex: true, deadlineAt: '2026-12-07T17:00:00+08:00' });
  });

  it('lists with filters: status, kind, overdue, the site tree', async () => {
    const child = (await file({ siteId: hall.childSiteId })).body;
    const open = await t.api('GET', `/cases?siteId=${hall.siteId}&status=open&limit=200`, undefined, sup());
    expect(open.status).toBe(200);
    expect(open.body.items.every((x: { status: string; siteId: string }) => x.status === 'open' && x.siteId === hall.siteId)).toBe(true);
    expect(open.body.total).toBe(open.body.items.length);
    const tree = await t.api('GET', `/cases?siteId=${hall.siteId}&includeChildren=true&limit=200`, undefined, sup());
    expect(tree.body.items.map((x: { id: string }) => x.id)).toContain(child.id);
    const paged = await t.api('GET', `/cases?siteId=${hall.siteId}&limit=2&offset=1`, undefined, sup());
    expect(paged.body.items).toHaveLength(2);
    expect((await t.api('GET', `/cases?siteId=${hall.otherSiteId}`, undefined, sup())).status).toBe(403);
    // A case filed today is not overdue; past its deadline it is.
    const fresh = (await file()).body;
    const ids = (r: { body: { items: { id: string }[] } }) => r.body.items.map((x) => x.id);
    expect(ids(await t.api('GET', `/cases?siteId=${hall.siteId}&overdue=true&limit=200`, undefined, sup()))).not.toContain(fresh.id);
    clock.set(at('2026-12-31', '10:00'));
    const overdue = await t.api('GET', `/cases?siteId=${hall.siteId}&overdue=true&limit=200`, undefined, bearer(await login(t, 'supervisor')));
    expect(ids(overdue)).toContain(fresh.id);
    expect(overdue.body.items.every((x: { overdue: boolean }) => x.overdue)).toBe(true);
  });

  it('keeps the case log append-only in the database itself', async () => {
    const c = (await file()).body;
    // Through the server's own database handle: the trigger holds against anything with SQL access.
    const db = t.app.deps.db;
    const refusal = (q: Promise<unknown>) => q.then(() => 'accepted', (e: { message: string; cause?: { message: string } }) => e.cause?.message ?? e.message);
    expect(await refusal(db.execute(sql`UPDATE case_events SET note = 'changed' WHERE case_id = ${c.id}`))).toMatch(/append-only/);
    expect(await refusal(db.execute(sql`DELETE FROM case_events WHERE case_id = ${c.id}`))).toMatch(/append-only/);
    const log = await t.api('GET', `/cases/${c.id}`, undefined, sup());
    expect(log.body.events.length).toBeGreaterThan(0);
  });
});
