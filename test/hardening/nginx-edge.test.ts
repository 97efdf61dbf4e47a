/**
 * The production edge as shipped: deploy/nginx.conf run by a real nginx, with a self-signed certificate made
 * here by the openssl CLI, in front of a server configured as docker-compose.yml configures it
 * (TRUST_PROXY=1). What a client on the internet can and cannot do through it:
 * - it cannot choose its own address by writing X-Forwarded-For, so per-address limits hold (issue #14.1);
 * - it cannot read /metrics (#14.7);
 * - it gets HTTPS only: plain HTTP redirects, HSTS is sent, old protocols and suites are refused (#14.11).
 */
import { sql } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../server/src/contracts/errors.ts';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { startNginx, type RunningNginx } from '../helpers/nginx.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const LIMIT = 5;
/** Above the sign-ins createHall makes; the count starts again once the hall exists. */
const LOGIN_LIMIT = 12;
let t: TestApp;
let hall: Hall;
let nginx: RunningNginx;
let certDir: string;
let ca: Buffer;

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: any }

/** A request to the HTTPS site, trusting only this test's certificate. */
function site(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(`${nginx.site}${url}`, { method, ca, servername: 'localhost', headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Which TLS protocol a handshake with these client settings ends in, or the error that ended it. */
function handshake(options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: nginx.sitePort, ca, servername: 'localhost', ...options }, () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
      socket.end();
    });
    socket.on('error', (err) => resolve(`refused: ${err.message}`));
  });
}

beforeAll(async () => {
  certDir = mkdtempSync(path.join(tmpdir(), 'yc-tls-'));
  const cert = path.join(certDir, 'fullchain.pem');
  const key = path.join(certDir, 'privkey.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  ca = readFileSync(cert);

  t = await createTestApp({
    listen: true,
    env: { NODE_ENV: 'production', TRUST_PROXY: '1', YC_RATE_TICKETS_PER_MIN: String(LIMIT), YC_RATE_LOGINS_PER_MIN: String(LOGIN_LIMIT), YC_RATE_CASES_PER_HOUR: String(LIMIT) },
  });
  // In production the bootstrap admin replaces YC_ADMIN_PASSWORD at its first sign-in, as its operator would.
  const first = await t.api('POST', '/auth/password', { username: t.config.adminUser, password: t.config.adminPassword, newPassword: 'edge-operators-own-pass' });
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  t = { ...t, config: { ...t.config, adminPassword: 'edge-operators-own-pass' } };
  hall = await createHall(t);
  await t.app.deps.rateLimiter.reset('login:127.0.0.1');
  const port = new URL(t.url).port;
  nginx = await startNginx({
    upstreams: { 'server-1:8080': `127.0.0.1:${port}`, 'server-2:8080': `127.0.0.1:${port}`, 'host.docker.internal:8090': `127.0.0.1:${port}`, 'host.docker.internal:8091': `127.0.0.1:${port}` },
    tls: { cert, key },
  });
}, 120_000);
afterAll(async () => {
  await nginx?.stop();
  await t?.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('client addresses through the shipped nginx (TRUST_PROXY=1)', () => {
  it('holds the per-address ticket limit against a client that writes its own X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) {
      // A fresh made-up first hop on every request: with every hop trusted, each would be a new address.
      const r = await site('POST', `/api/v1/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' }, { 'x-forwarded-for': `198.51.100.${i + 1}`, 'x-real-ip': `198.51.100.${i + 1}` });
      statuses.push(r.status);
      if (r.status === 429) expect(r.body.error.code).toBe('RATE_LIMITED');
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(LIMIT);
    expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true);
  });

  it('holds the per-address sign-in limit, and records the address nginx saw, not the one the client wrote', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT + 3; i++) {
      const r = await site('POST', '/api/v1/auth/login', { username: `nobody${i}`, password: 'guess-guess' }, { 'x-forwarded-for': `203.0.113.${i + 1}, 10.0.0.1` });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, LOGIN_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(LOGIN_LIMIT).every((s) => s === 429)).toBe(true);
    const audit = (await t.app.deps.db.execute(sql`SELECT DISTINCT data->>'ip' AS ip FROM audit_log WHERE action = 'auth.loginFailed'`)) as unknown as { rows: { ip: string }[] };
    expect(audit.rows.map((r) => r.ip)).toEqual(['127.0.0.1']);
  });
});

describe('/metrics', () => {
  it('is not served through nginx, while the node itself still answers its scraper', async () => {
    for (const url of ['/metrics', '/metrics?x=1', '//metrics', '/%6Detrics']) {
      const r = await site('GET', url);
      expect(r.status, url).toBe(404);
      expect(String(r.body)).not.toContain('yc_');
    }
    const direct = await fetch(`${t.url}/metrics`);
    expect(direct.status).toBe(200);
    expect(await direct.text()).toContain('yc_tickets_waiting');
  });

  it('asks the scraper for YC_METRICS_TOKEN when one is set', async () => {
    const guarded = await createTestApp({ env: { YC_METRICS_TOKEN: 'prometheus-scrape-token-1' } });
    try {
      for (const authorization of [undefined, 'Bearer wrong', 'Bearer prometheus-scrape-token-', hall.adminToken ? `Bearer ${hall.adminToken}` : '']) {
        const r = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
        expect(r.statusCode, authorization).toBe(401);
        expect(r.json().error.code).toBe('UNAUTHENTICATED');
      }
      const ok = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer prometheus-scrape-token-1' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('yc_tickets_waiting');
    } finally {
      await guarded.close();
    }
  });
});

describe('TLS', () => {
  it('redirects plain HTTP to HTTPS, path and query kept', async () => {
    const r = await fetch(`${nginx.http}/counter/?a=1`, { redirect: 'manual' });
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1(:\d+)?\/counter\/\?a=1$/);
  });

  it('serves the API over HTTPS with HSTS', async () => {
    const r = await site('GET', '/api/v1/health');
    expect(r.status).toBe(200);
    // One header (nginx's), not the node's as well.
    expect(r.headers['strict-transport-security']).toMatch(/^max-age=\d+; includeSubDomains$/);
    expect(Number(/max-age=(\d+)/.exec(String(r.headers['strict-transport-security']))?.[1])).toBeGreaterThanOrEqual(31_536_000);
  });

  it('negotiates TLS 1.3 (or 1.2 with a forward-secret AEAD suite) and refuses older protocols and suites', async () => {
    expect(await handshake({})).toMatch(/^TLSv1\.3 /);
    expect(await handshake({ maxVersion: 'TLSv1.2' })).toMatch(/^TLSv1\.2 ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
    // RSA key exchange (no forward secrecy) and CBC suites are refused, as are TLS 1.0 and 1.1.
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:AES256-SHA:ECDHE-ECDSA-AES128-SHA' })).toMatch(/^refused/);
    expect(await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' })).toMatch(/^refused/);
  });
});

describe('what nginx refuses itself', () => {
  it('answers an oversized header with 431 HEADERS_TOO_LARGE and an oversized body with 413 PAYLOAD_TOO_LARGE, as JSON in the contract format', async () => {
    // Over nginx's header buffer (8 KiB a line), under Node's 16 KiB: nginx, not the node, refuses it.
    const headers = await site('GET', '/api/v1/health', undefined, { 'x-padding': 'a'.repeat(12 * 1024) });
    expect(headers.status).toBe(431);
    expect(headers.headers['content-type']).toMatch(/^application\/json/);
    expect(headers.body).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: ERRORS.HEADERS_TOO_LARGE.message, details: {} } });
    // Over client_max_body_size (64 KiB).
    const body = await site('POST', '/api/v1/auth/login', { username: 'nobody', password: 'x'.repeat(100 * 1024) });
    expect(body.status).toBe(413);
    expect(body.headers['content-type']).toMatch(/^application\/json/);
    expect(body.body).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: ERRORS.PAYLOAD_TOO_LARGE.message, details: {} } });
    // The edge's own answers keep HSTS like every other.
    expect(body.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  });
});
