import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp();
  hall = await createHall(t);
  expect((await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk))).status).toBe(200);
});
afterAll(async () => t?.close());

const clerk = () => bearer(hall.tokens.clerk);

/** A ticket taken at the kiosk and served to the end at window 1. */
async function served(citizen?: Record<string, string>): Promise<{ id: string; token: string }> {
  const issued = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk', ...(citizen ? { citizen } : {}) });
  expect(issued.status).toBe(201);
  const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, clerk());
  expect(called.body.id).toBe(issued.body.id);
  expect((await t.api('POST', `/tickets/${issued.body.id}/start`, undefined, clerk())).status).toBe(200);
  expect((await t.api('POST', `/tickets/${issued.body.id}/finish`, { outcome: 'completed' }, clerk())).body.status).toBe('done');
  return { id: issued.body.id, token: issued.body.accessToken };
}

const rate = (id: string, body: unknown, headers: Record<string, string> = {}) => t.api('POST', `/tickets/${id}/rating`, body, headers);

describe('好差评 of a ticket', () => {
  it('records the five national levels once per finished ticket', async () => {
    const tk = await served();
    const r = await rate(tk.id, { score: 5 }, { 'x-access-token': tk.token });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ ticketId: tk.id, siteId: hall.siteId, score: 5, level: 'verySatisfied', levelName: '非常满意', reasons: [], comment: null, case: null });
    const again = await rate(tk.id, { score: 4 }, { 'x-access-token': tk.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_RATED');
    const read = await t.api('GET', `/tickets/${tk.id}/rating?t=${tk.token}`);
    expect(read.body.score).toBe(5);

    const names = [];
    for (const score of [4, 3]) {
      const other = await served();
      names.push((await rate(other.id, { score }, { 'x-access-token': other.token })).body.levelName);
    }
    expect(names).toEqual(['满意', '基本满意']);
  });

  it('needs the citizen\'s own token (header or ?t=), not a staff login', async () => {
    const mine = await served();
    const theirs = await served();
    expect((await rate(mine.id, { score: 4 })).status).toBe(401);
    expect((await rate(mine.id, { score: 4 }, clerk())).status).toBe(401);
    const wrong = await rate(mine.id, { score: 4 }, { 'x-access-token': theirs.token });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('FORBIDDEN');
    expect((await rate(mine.id, { score: 4 }, { 'x-access-token': 'not-a-token' })).status).toBe(403);
    expect((await t.api('POST', `/tickets/${mine.id}/rating?t=${encodeURIComponent(mine.token)}`, { score: 4 })).status).toBe(201);
    expect((await rate(randomUUID(), { score: 4 }, { 'x-access-token': mine.token })).status).toBe(404);
  });

  it('refuses a ticket that is not finished yet, and bad scores', async () => {
    const waiting = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.other, channel: 'kiosk' });
    const r = await rate(waiting.body.id, { score: 5 }, { 'x-access-token': waiting.body.accessToken });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('NOT_FINISHED');
    await t.api('POST', `/tickets/${waiting.body.id}/cancel`, undefined, { 'x-access-token': waiting.body.accessToken });
    expect((await rate(waiting.body.id, { score: 5 }, { 'x-access-token': waiting.body.accessToken })).body.error.code).toBe('NOT_FINISHED');

    const tk = await served();
    for (const body of [{ score: 0 }, { score: 6 }, { score: 4.5 }, {}, { score: 3, reasons: [''] }, { score: 3, comment: 'x'.repeat(501) }, { score: 3, extra: 1 }]) {
      const bad = await rate(tk.id, body, { 'x-access-token': tk.token });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('opens a follow-up case for a score of 2 or less, which the same token follows', async () => {
    const tk = await served({ name: '张三丰', phone: '13812345678' });
    const r = await rate(tk.id, { score: 1, reasons: ['等候时间长', '服务态度不好'], comment: '请回电 13900001111' }, { 'x-access-token': tk.token });
    expect(r.status).toBe(201);
    expect(r.body.levelName).toBe('非常不满意');
    expect(r.body.comment).toBe('请回电 139****1111');
    expect(r.body.case).toMatchObject({ status: 'open' });
    expect(r.body.case.number).toMatch(/^CP\d{12}$/);
    const c = await t.api('GET', `/cases/${r.body.case.id}`, undefined, { 'x-access-token': tk.token });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ kind: 'badRating', source: 'rating', ticketId: tk.id, ratingId: r.body.id, status: 'open', contact: { name: '张*丰', phone: '138****5678' } });
    expect(c.body.description).toContain('等候时间长、服务态度不好');
    expect(c.body.description).not.toContain('13900001111');
    expect(c.body.deadlineAt).toBe(r.body.case.deadlineAt);
    // The supervisor sees it in the list.
    const list = await t.api('GET', `/cases?siteId=${hall.siteId}&kind=badRating`, undefined, bearer(hall.tokens.supervisor));
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(r.body.case.id);

    const fine = await served();
    expect((await rate(fine.id, { score: 3, reasons: ['材料要求多'] }, { 'x-access-token': fine.token })).body.case).toBeNull();
    const two = await served();
    expect((await rate(two.id, { score: 2 }, { 'x-access-token': two.token })).body.case).not.toBeNull();
  });

  it('lets two simultaneous ratings of one ticket produce one rating and one case', async () => {
    const tk = await served();
    const results = await Promise.all([1, 2, 1].map((score) => rate(tk.id, { score }, { 'x-access-token': tk.token })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const list = await t.api('GET', `/cases?siteId=${hall.siteId}&kind=badRating&limit=200`, undefined, bearer(hall.tokens.supervisor));
    expect(list.body.items.filter((c: { ticketId: string }) => c.ticketId === tk.id)).toHaveLength(1);
  });
});

describe('rating a video assistance session', () => {
  it('records once per session and opens a case for a low score', async () => {
    const sessionId = randomUUID();
    const input = { assistSessionId: sessionId, siteId: hall.siteId, staffId: hall.staffIds.expert, score: 2, reasons: ['系统故障'], accessTokenHash: 'h', actor: { kind: 'system' as const } };
    const first = await t.app.ratings.rateAssistSession(input);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.value).toMatchObject({ assistSessionId: sessionId, ticketId: null, score: 2, levelName: '不满意' });
    expect(first.value.case?.number).toMatch(/^CP/);
    const second = await t.app.ratings.rateAssistSession({ ...input, score: 5 });
    expect(second).toEqual({ ok: false, error: { code: 'ALREADY_RATED' } });
  });
});
