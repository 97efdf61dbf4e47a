/**
 * NUL and other control characters in any text field are refused with 400 in the contract's format and
 * change nothing (issue #14 item 4: they were 500s from Postgres). Every route with a JSON body is walked
 * from the OpenAPI document, NUL put in each of its string fields in turn; input nested deeper than the check
 * walks is refused too, not let through unchecked.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../server/src/lib/control-chars.ts';
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

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** Every string field of a body schema (enums of strings included), as a body holding only that field. */
function stringFields(schema: JsonSchema, at: string[] = []): { path: string; body: unknown }[] {
  const nul = 'a\u0000b';
  const wrap = (path: string[], value: unknown): unknown => {
    if (path.length === 0) return value;
    const [head, ...rest] = path as [string, ...string[]];
    return head === '0' ? [wrap(rest, value)] : { [head]: wrap(rest, value) };
  };
  const out: { path: string; body: unknown }[] = [];
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('string') || schema.enum?.some((v) => typeof v === 'string')) out.push({ path: at.join('.'), body: wrap(at, nul) });
  for (const [key, inner] of Object.entries(schema.properties ?? {})) out.push(...stringFields(inner, [...at, key]));
  if (schema.items) out.push(...stringFields(schema.items, [...at, '0']));
  for (const alt of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) out.push(...stringFields(alt, at));
  return out;
}

describe('every route with a JSON body', () => {
  it('answers NUL in each string field with 400 VALIDATION_FAILED naming it, never 500', async () => {
    await t.app.ready();
    const doc = (t.app as unknown as { swagger(): { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> } }).swagger();
    const seen: string[] = [];
    const wrong: string[] = [];
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const schema = op.requestBody?.content['application/json']?.schema;
        if (!schema) continue;
        const url = template.replace(/\{[^}]+\}/g, () => randomUUID());
        for (const { path, body } of stringFields(schema)) {
          seen.push(`${method} ${template} ${path}`);
          const res = await t.app.inject({ method: method.toUpperCase() as 'POST', url, payload: body as object, headers: bearer(hall.adminToken) });
          const error = res.json<{ error?: { code?: string; details?: { field?: string } } }>().error;
          if (res.statusCode !== 400 || error?.code !== 'VALIDATION_FAILED' || error.details?.field !== `body.${path}`) {
            wrong.push(`${method} ${template} ${path}: ${res.statusCode} ${res.body.slice(0, 120)}`);
          }
        }
      }
    }
    // The walk saw the routes the issue named (login, cases, bookings, ratings, suspend, assist, case assign).
    expect(seen.length).toBeGreaterThan(60);
    for (const route of ['post /api/v1/auth/login username', 'post /api/v1/cases description', 'post /api/v1/tickets/{id}/rating comment', 'post /api/v1/tickets/{id}/suspend reason', 'post /api/v1/cases/{id}/assign note']) {
      expect(seen).toContain(route);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a body nested deeper than the check walks, instead of letting it through unchecked', async () => {
    let deep: unknown = 'a\u0000b';
    for (let i = 0; i < MAX_DEPTH + 4; i++) deep = { x: deep };
    const res = await t.api('POST', '/auth/login', { username: 'nobody', password: 'whatever-pass', extra: deep });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { reason: 'nested too deeply' } });
    // Nesting within the bound is walked to the bottom: the NUL is found and named.
    let fine: unknown = 'a\u0000b';
    for (let i = 0; i < MAX_DEPTH - 2; i++) fine = { x: fine };
    const found = await t.api('POST', '/auth/login', { username: 'nobody', password: 'whatever-pass', extra: fine });
    expect(found.status).toBe(400);
    expect(found.body.error.details.field).toBe(`body.extra.${Array(MAX_DEPTH - 2).fill('x').join('.')}`);
  });
});
