import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp();
  hall = await createHall(t);
});
afterAll(async () => t?.close());

const issue = (serviceId: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId, channel: 'kiosk', ...extra }, headers);

describe('a ticket from kiosk to done', () => {
  it('issues numbered tickets per category with a due time and a wait estimate', async () => {
    const a = await issue(hall.services.general);
    const b = await issue(hall.services.general);
    const c = await issue(hall.services.complex);
    expect(a.status).toBe(201);
    expect(a.body.number).toMatch(/^A\d{3}$/);
    expect(Number(b.body.number.slice(1))).toBe(Number(a.body.number.slice(1)) + 1);
    expect(c.body.number).toMatch(/^B\d{3}$/);
    expect(a.body.status).toBe('waiting');
    expect(typeof a.body.accessToken).toBe('string');
    // Walk-in general: due 30 minutes after issue.
    expect(Date.parse(a.body.dueAt) - Date.parse(a.body.issuedAt)).toBe(30 * 60_000);
    expect(b.body.position).toBeGreaterThan(0);
    expect(b.body.etaMinutesHigh).toBeGreaterThanOrEqual(b.body.etaMinutes);
  });

  it('walks the state machine and refuses transitions that are not allowed', async () => {
    const { tokens, windows } = hall;
    expect((await t.api('POST', `/windows/${windows.w1}/open`, undefined, bearer(tokens.clerk))).status).toBe(200);
    const called = await t.api('POST', `/windows/${windows.w1}/call-next`, undefined, bearer(tokens.clerk));
    expect(called.status).toBe(200);
    expect(called.body.status).toBe('called');
    expect(called.body.windowNumber).toBe(1);
    const id = called.body.id as string;
    const finishEarly = await t.api('POST', `/tickets/${id}/finish`, {}, bearer(tokens.clerk));
    expect(finishEarly.status).toBe(409);
    expect(finishEarly.body.error.code).toBe('INVALID_TRANSITION');
    const recall = await t.api('POST', `/tickets/${id}/recall`, undefined, bearer(tokens.clerk));
    expect(recall.status).toBe(200);
    // The first call's time stays the SLA measure.
    expect(recall.body.calledAt).toBe(called.body.calledAt);
    expect((await t.api('POST', `/tickets/${id}/start`, undefined, bearer(tokens.clerk))).body.status).toBe('serving');
    const done = await t.api('POST', `/tickets/${id}/finish`, { outcome: 'completed' }, bearer(tokens.clerk));
    expect(done.body.status).toBe('done');
    expect(done.body.finishedAt).not.toBeNull();
  });

  it('lets another clerk of the site not act on a ticket at someone else\'s window', async () => {
    const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    expect(called.status).toBe(200);
    const res = await t.api('POST', `/tickets/${called.body.id}/start`, undefined, bearer(hall.tokens.clerk2));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect((await t.api('POST', `/tickets/${called.body.id}/no-show`, undefined, bearer(hall.tokens.clerk))).body.status).toBe('noShow');
  });

  it('lets the citizen read and cancel only its own ticket', async () => {
    const mine = await issue(hall.services.other);
    const theirs = await issue(hall.services.other);
    const read = await t.api('GET', `/tickets/${mine.body.id}`, undefined, { 'x-access-token': mine.body.accessToken });
    expect(read.status).toBe(200);
    expect(read.body.accessToken).toBeUndefined();
    const viaQuery = await t.api('GET', `/tickets/${mine.body.id}?t=${mine.body.accessToken}`);
    expect(viaQuery.status).toBe(200);
    const other = await t.api('GET', `/tickets/${theirs.body.id}`, undefined, { 'x-access-token': mine.body.accessToken });
    expect(other.status).toBe(403);
    expect((await t.api('GET', `/tickets/${mine.body.id}`)).status).toBe(401);
    const cancelled = await t.api('POST', `/tickets/${mine.body.id}/cancel`, undefined, { 'x-access-token': mine.body.accessToken });
    expect(cancelled.body.status).toBe('cancelled');
    const again = await t.api('POST', `/tickets/${mine.body.id}/cancel`, undefined, { 'x-access-token': mine.body.accessToken });
    expect(again.status).toBe(409);
  });

  it('suspends, resumes at the clerk\'s window, and transfers keeping the original issue time', async () => {
    const first = await issue(hall.services.general);
    let called;
    do {
      called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
      if (called.body.id !== first.body.id) await t.api('POST', `/tickets/${called.body.id}/no-show`, undefined, bearer(hall.tokens.clerk));
    } while (called.body.id !== first.body.id);
    await t.api('POST', `/tickets/${first.body.id}/start`, undefined, bearer(hall.tokens.clerk));
    const suspended = await t.api('POST', `/tickets/${first.body.id}/suspend`, { reason: '回家取户口簿' }, bearer(hall.tokens.clerk));
    expect(suspended.body.status).toBe('suspended');
    const resumed = await t.api('POST', `/tickets/${first.body.id}/resume`, undefined, bearer(hall.tokens.clerk));
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('serving');
    const moved = await t.api('POST', `/tickets/${first.body.id}/transfer`, { serviceId: hall.services.complex }, bearer(hall.tokens.clerk));
    expect(moved.status).toBe(200);
    expect(moved.body.channel).toBe('transfer');
    expect(moved.body.status).toBe('waiting');
    expect(moved.body.transferredFromId).toBe(first.body.id);
    // Walk-in complex target (60 min) counted from the ORIGINAL issue time.
    expect(Date.parse(moved.body.dueAt) - Date.parse(first.body.issuedAt)).toBe(60 * 60_000);
    const original = await t.api('GET', `/tickets/${first.body.id}`, undefined, bearer(hall.tokens.clerk));
    expect(original.body.status).toBe('transferred');
    // The citizen's phone keeps following with the same token.
    const follow = await t.api('GET', `/tickets/${moved.body.id}`, undefined, { 'x-access-token': first.body.accessToken });
    expect(follow.status).toBe(200);
  });
});

describe('idempotent issue', () => {
  it('returns the same ticket for a retried request, never a second one', async () => {
    const key = 'retry-key-0001';
    const body = { citizen: { name: '李四', phone: '13912345678' } };
    const [a, b] = await Promise.all([issue(hall.services.other, body, { 'idempotency-key': key }), issue(hall.services.other, body, { 'idempotency-key': key })]);
    const c = await issue(hall.services.other, body, { 'idempotency-key': key });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(1);
    expect(new Set([a.body.number, b.body.number, c.body.number]).size).toBe(1);
    expect(c.body.accessToken).toBe(a.body.accessToken);
    const mismatch = await issue(hall.services.general, body, { 'idempotency-key': key });
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.error.code).toBe('IDEMPOTENCY_MISMATCH');
  });
});

describe('personal data', () => {
  it('validates citizen fields and stores only masked forms', async () => {
    const badId = await issue(hall.services.general, { citizen: { idNumber: '310101199001011235' } });
    expect(badId.status).toBe(400);
    expect(badId.body.error.details.field).toBe('citizen.idNumber');
    const badPhone = await issue(hall.services.general, { citizen: { phone: '12345' } });
    expect(badPhone.body.error.details.field).toBe('citizen.phone');
    const ok = await issue(hall.services.general, { citizen: { name: '张三', idNumber: '11010519491231002X', phone: '13800138000' } });
    expect(ok.status).toBe(201);
    expect(ok.body.citizen).toEqual({ name: '张*', idNumber: '1101**********002X', phone: '138****8000' });
    const rows = await t.app.deps.database.db.execute(`SELECT * FROM tickets WHERE id = '${ok.body.id}'` as never) as unknown as { rows: Record<string, unknown>[] };
    const stored = JSON.stringify(rows.rows[0]);
    expect(stored).not.toContain('11010519491231002X');
    expect(stored).not.toContain('13800138000');
  });
});

describe('errors in the contract format', () => {
  it('answers malformed input with 400 and changes nothing', async () => {
    const before = (await t.api('GET', `/sites/${hall.siteId}/queue`, undefined, bearer(hall.tokens.supervisor))).body.waiting.length;
    for (const body of ['{not json', { serviceId: 'nope', channel: 'kiosk' }, { serviceId: hall.services.general, channel: 'fax' }, { channel: 'kiosk' }, { serviceId: hall.services.general, channel: 'kiosk', priority: 5 }]) {
      const res = await t.api('POST', `/sites/${hall.siteId}/tickets`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(typeof res.body.error.message).toBe('string');
    }
    const after = (await t.api('GET', `/sites/${hall.siteId}/queue`, undefined, bearer(hall.tokens.supervisor))).body.waiting.length;
    expect(after).toBe(before);
  });

  it('answers unknown ids with 404, missing credentials with 401, other sites with 403', async () => {
    expect((await t.api('GET', '/tickets/00000000-0000-4000-8000-000000000000', undefined, bearer(hall.tokens.clerk))).body.error.code).toBe('NOT_FOUND');
    expect((await t.api('POST', `/windows/${hall.windows.w1}/call-next`)).body.error.code).toBe('UNAUTHENTICATED');
    expect((await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer('forged'))).status).toBe(401);
    const other = await t.api('POST', `/windows/${hall.windows.w2}/open`, undefined, bearer(hall.tokens.otherClerk));
    expect(other.status).toBe(403);
    expect((await t.api('GET', `/sites/${hall.siteId}/queue`, undefined, bearer(hall.tokens.otherClerk))).status).toBe(403);
    expect((await t.api('POST', '/admin/sites', { code: 'X', name: 'x', level: 'district', region: 'SH-QP' }, bearer(hall.tokens.clerk))).status).toBe(403);
  });

  it('keeps one clerk per window', async () => {
    const opened = await t.api('POST', `/windows/${hall.windows.w2}/open`, undefined, bearer(hall.tokens.clerk2));
    expect(opened.status).toBe(200);
    const taken = await t.api('POST', `/windows/${hall.windows.w2}/open`, undefined, bearer(hall.tokens.clerk));
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('WINDOW_BUSY');
  });

  it('serves the board without personal data beyond a masked name', async () => {
    const board = await t.api('GET', `/sites/${hall.siteId}/board`);
    expect(board.status).toBe(200);
    const text = JSON.stringify(board.body);
    expect(text).not.toMatch(/1380013800|11010519491231002X/);
    expect(board.body.recentCalls.length).toBeGreaterThan(0);
    expect(board.body.recentCalls[0]).toHaveProperty('windowNumber');
  });
});
