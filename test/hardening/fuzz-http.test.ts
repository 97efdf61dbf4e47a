/**
 * Hostile input over every HTTP endpoint in the OpenAPI document: random and malformed bodies, huge strings,
 * wrong types, unicode, SQL/HTML payloads, odd numbers, bad ids. Never a 5xx, always the contract's error
 * format, and rejected requests change nothing in the database.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;
let routes: { method: string; path: string }[] = [];

beforeAll(async () => {
  t = await createTestApp({ config: { rateLimit: { ticketsPerMinPerIp: 1e6, bookingsPerMinPerIp: 1e6, bookingsPerDayPerPerson: 1e6, maxActiveAppointmentsPerPerson: 3, casesPerHourPerIp: 1e6, loginFailuresBeforeLockout: 1e6, loginsPerMinPerIp: 1e6 } } });
  hall = await createHall(t);
  const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m)).map((method) => ({ method: method.toUpperCase(), path })));
});
afterAll(async () => t?.close());

const nasty = fc.oneof(
  fc.constantFrom("' OR 1=1 --", '"; DROP TABLE tickets; --', '<script>alert(1)</script>', '../../etc/passwd', '\u0000', '😀'.repeat(500), 'x'.repeat(70_000), '%00', '{{7*7}}', '${jndi:ldap://x}', '张三'.repeat(100)),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.integer().map(String),
  fc.constantFrom('-1', '1e308', 'NaN', 'null', 'true', '[]', '{}'),
);
const idLike = fc.oneof(fc.uuid(), nasty, fc.constant('00000000-0000-0000-0000-000000000000'));
const body = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom('serviceId', 'channel', 'priority', 'citizen', 'siteId', 'start', 'score', 'code', 'username', 'password', 'kind', 'reason', 'target', 'level', 'region', 'number', 'serviceIds', 'outcome', 'contact', 'description'), fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 }), fc.object({ maxDepth: 1 }))),
  nasty.map((s) => ({ raw: s })),
);

async function tableCounts(): Promise<string> {
  const res = (await t.app.deps.db.execute(sql`SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY relname`)) as unknown as { rows: unknown[] };
  // pg_stat counters lag; count exactly instead for the tables a request could write.
  const exact = (await t.app.deps.db.execute(sql`
    SELECT (SELECT count(*) FROM tickets) AS tickets, (SELECT count(*) FROM ticket_events) AS ticket_events,
           (SELECT count(*) FROM sites) AS sites, (SELECT count(*) FROM services) AS services,
           (SELECT count(*) FROM windows) AS windows, (SELECT count(*) FROM staff) AS staff`)) as unknown as { rows: unknown[] };
  void res;
  return JSON.stringify(exact.rows);
}

function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(ids[name] ?? ids.id ?? 'x'));
}

describe('HTTP fuzzing', () => {
  it('never answers a 5xx and always answers errors in the contract format', async () => {
    expect(routes.length).toBeGreaterThan(20);
    const realIds = { siteId: hall.siteId, windowId: hall.windows.w1, id: hall.siteId, serviceId: hall.services.general };
    const auths = [{}, { authorization: `Bearer ${hall.tokens.clerk}` }, { authorization: `Bearer ${hall.tokens.supervisor}` }, { authorization: `Bearer ${hall.adminToken}` }, { authorization: `Bearer ${hall.adminToken}` }, { authorization: 'Bearer forged' }, { 'x-access-token': 'nope' }];
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), idLike, body, fc.constantFrom(...auths), fc.boolean(), fc.boolean(), async (route, id, payload, auth, useRealIds, rawText) => {
        const url = `/api/v1${fill(route.path.replace(/^\/api\/v1/, ''), useRealIds ? realIds : { siteId: id, windowId: id, id, serviceId: id })}`;
        const res = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers: { 'content-type': 'application/json', ...auth },
          ...(route.method === 'GET' ? {} : { payload: rawText && typeof payload === 'object' ? String(JSON.stringify(payload)).slice(0, -1) : JSON.stringify(payload) ?? 'null' }),
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) failures.push(`${route.method} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400) {
          const parsed = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
          if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string' || typeof parsed.error.details !== 'object') {
            failures.push(`${route.method} ${url} → ${res.statusCode} not in contract format: ${res.body.slice(0, 200)}`);
          }
          if (/at .*\.ts:\d+|SELECT |INSERT |syntax error/i.test(res.body)) failures.push(`${route.method} ${url} leaks internals: ${res.body.slice(0, 200)}`);
        }
      }),
      { numRuns: 1_000, seed: 20261123 },
    );
    // Most requests must get past authentication, or the fuzzer only tests the 401 path.
    expect((statuses.get(400) ?? 0) + (statuses.get(404) ?? 0) + (statuses.get(409) ?? 0)).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  }, 240_000);

  it('leaves the database unchanged by rejected requests', async () => {
    const before = await tableCounts();
    const bad = [
      ['POST', `/api/v1/sites/${hall.siteId}/tickets`, '{"serviceId":"\' OR 1=1 --","channel":"kiosk"}'],
      ['POST', `/api/v1/sites/${hall.siteId}/tickets`, `{"serviceId":"${hall.services.general}","channel":"kiosk","citizen":{"idNumber":"<script>"}}`],
      ['POST', `/api/v1/sites/${hall.siteId}/tickets`, `{"serviceId":"${hall.services.general}","channel":"kiosk","citizen":{"name":"${'长'.repeat(5000)}"}}`],
      ['POST', '/api/v1/admin/sites', '{"code":"ZZ","name":"x","level":"district","region":"SH-QP"}'],
      ['POST', `/api/v1/windows/${hall.windows.w1}/call-next`, ''],
      ['POST', `/api/v1/sites/${hall.otherSiteId}/tickets`, `{"serviceId":"${hall.services.general}","channel":"kiosk"}`],
    ] as const;
    for (const [method, url, payload] of bad) {
      const res = await t.app.inject({ method, url, payload, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, `${url} ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    }
    expect(await tableCounts()).toBe(before);
  });

  it('refuses oversized bodies with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/sites/${hall.siteId}/tickets`, payload: JSON.stringify({ serviceId: hall.services.general, channel: 'kiosk', pad: 'x'.repeat(200_000) }), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
