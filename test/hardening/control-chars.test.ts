/**
 * NUL and other control characters in any text field are refused with 400 in the contract's format and
 * change nothing (issue #14 item 4: they were 500s from Postgres).
 */
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

describe('control characters', () => {
  it('refuses NUL in a sign-in name with 400 VALIDATION_FAILED naming the field', async () => {
    const res = await t.api('POST', '/auth/login', { username: 'admin\u0000', password: 'whatever-pass' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'body.username' } });
    expect(typeof res.body.error.message).toBe('string');
  });

  it('refuses a control character in a query string and in a path', async () => {
    const q = await t.api('GET', `/sites/${hall.siteId}/slots?date=2026-02-01%01`);
    expect(q.status).toBe(400);
    expect(q.body.error.code).toBe('VALIDATION_FAILED');
    const p = await t.api('GET', '/cases/abc%00def');
    expect(p.status).toBe(400);
    expect(p.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a bell character before the route runs, so the request changes nothing', async () => {
    const res = await t.api('POST', '/auth/logout', { note: 'x\u0007' }, bearer(hall.tokens.clerk));
    expect(res.status).toBe(400);
    // The refused logout changed nothing: the session still works.
    expect((await t.api('GET', '/auth/me', undefined, bearer(hall.tokens.clerk))).status).toBe(200);
  });

  it('keeps newlines and tabs in free text', async () => {
    const res = await t.api('POST', '/auth/login', { username: 'nobody', password: 'line one\n\tline two' });
    expect(res.status).toBe(401);
  });
});
