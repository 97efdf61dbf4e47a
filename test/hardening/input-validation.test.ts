/**
 * Input the contract refuses or accepts at its edges (issue #14 item 10): an id number born in the future,
 * a calendar date that does not exist, `finish` with no body, oversized headers, and an expert reading a
 * ticket it has no session for.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, residentId, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp({ listen: true });
  hall = await createHall(t);
});
afterAll(async () => t?.close());

const issue = async () => (await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' })).body;

describe('edges of the contract', () => {
  it('refuses an id number whose birth date is in the future, and takes one born in the past', async () => {
    const nextYear = new Date().getUTCFullYear() + 1;
    const future = residentId(`310101${nextYear}0101123`);
    const bad = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk', citizen: { name: '张三', idNumber: future } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'citizen.idNumber' } });
    const good = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk', citizen: { name: '张三', idNumber: residentId('31010119900101123') } });
    expect(good.status, JSON.stringify(good.body)).toBe(201);
  });

  it('answers slots for 2026-02-30 with 400, not an empty list', async () => {
    const res = await t.api('GET', `/sites/${hall.siteId}/services/${hall.services.general}/slots?date=2026-02-30`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'querystring.date' } });
    expect((await t.api('GET', `/sites/${hall.siteId}/services/${hall.services.general}/slots?date=2026-02-28`)).status).toBe(200);
  });

  it('accepts finish with a JSON content type and no body', async () => {
    await issue();
    const clerk = bearer(hall.tokens.clerk);
    expect((await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, clerk)).status).toBe(200);
    const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, clerk);
    expect(called.status, JSON.stringify(called.body)).toBe(200);
    const id = called.body.id as string;
    expect((await t.api('POST', `/tickets/${id}/start`, undefined, clerk)).status).toBe(200);
    // What a fetch wrapper sends: the JSON content type and an empty body.
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/finish`, headers: { ...clerk, 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('done');
    // A malformed body is still refused.
    const bad = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/finish`, headers: { ...clerk, 'content-type': 'application/json' }, payload: '{"outcome":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('answers oversized headers with 431 in the contract format', async () => {
    const { port } = new URL(t.url);
    const res = await new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/sites', headers: { 'x-padding': 'a'.repeat(64 * 1024) } }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body, type: String(r.headers['content-type']) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(431);
    expect(res.type).toMatch(/application\/json/);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'HEADERS_TOO_LARGE', details: {} });
  });

  it('lets an expert read only the tickets of assistance sessions it was asked into', async () => {
    const expert = bearer(hall.tokens.expert);
    const other = await issue();
    const mine = await issue();
    expect((await t.api('GET', `/tickets/${other.id}`, undefined, expert)).status).toBe(403);
    // The expert goes online; the clerk asks for help with `mine`, which rings the expert.
    expect((await t.api('POST', '/experts/me/presence', { online: true }, expert)).status).toBe(200);
    const asked = await t.api('POST', '/assist-sessions', { siteId: hall.siteId, ticketId: mine.id, reason: '材料核验' }, bearer(hall.tokens.clerk));
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const read = await t.api('GET', `/tickets/${mine.id}`, undefined, expert);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body.id).toBe(mine.id);
    const refused = await t.api('GET', `/tickets/${other.id}`, undefined, expert);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN' });
    // Clerks of the site still read any of its tickets.
    expect((await t.api('GET', `/tickets/${other.id}`, undefined, bearer(hall.tokens.clerk))).status).toBe(200);
  });
});
