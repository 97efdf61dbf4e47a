import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp({ config: { corsOrigins: ['https://partner.example.gov.cn'] } });
  hall = await createHall(t);
});
afterAll(async () => t?.close());

describe('/metrics', () => {
  it('reports waiting tickets and the oldest wait per site in Prometheus text', async () => {
    await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.complex, channel: 'kiosk' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/^yc_tickets_waiting\{site="T-HALL"\} 2$/m);
    expect(res.body).toMatch(/^yc_sla_at_risk\{site="T-HALL"\} 0$/m);
    expect(res.body).toMatch(/^yc_dependency_up\{dependency="postgres"\} 1$/m);
    expect(res.body).toMatch(/yc_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/sites\/:siteId\/tickets".*status="201"/);
  });
});

describe('security headers and CORS', () => {
  it('sends hardening headers on pages and API answers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/sites' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows only listed origins to call the API from a browser', async () => {
    const listed = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/sites', headers: { origin: 'https://partner.example.gov.cn', 'access-control-request-method': 'GET' } });
    expect(listed.headers['access-control-allow-origin']).toBe('https://partner.example.gov.cn');
    const other = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/sites', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
