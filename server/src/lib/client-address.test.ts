import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { TrustProxy } from '../config.ts';
import { createClientAddress } from './client-address.ts';

/** What Fastify itself answers as request.ip for the same rule, so sockets and HTTP agree. */
async function fastifyIp(trust: TrustProxy, remoteAddress: string, xff: string | undefined): Promise<string> {
  const app = Fastify({ trustProxy: typeof trust === 'object' ? [...trust] : typeof trust === 'number' ? (_a: string, hop: number) => hop < trust : false });
  app.get('/', async (request) => request.ip);
  const r = await app.inject({ method: 'GET', url: '/', remoteAddress, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });
  await app.close();
  return r.body;
}

describe('client address under TRUST_PROXY', () => {
  const cases: [TrustProxy, string, string | undefined, string][] = [
    [false, '10.0.0.2', '198.51.100.7', '10.0.0.2'],
    [1, '10.0.0.2', undefined, '10.0.0.2'],
    [1, '10.0.0.2', '198.51.100.7', '198.51.100.7'],
    // A client writing its own first entry gains nothing: one hop reads the entry nginx wrote.
    [1, '10.0.0.2', '6.6.6.6, 198.51.100.7', '198.51.100.7'],
    [2, '10.0.0.2', '6.6.6.6, 198.51.100.7, 10.0.0.9', '198.51.100.7'],
    [2, '10.0.0.2', '198.51.100.7', '198.51.100.7'],
    [['10.0.0.0/8'], '10.0.0.2', '6.6.6.6, 198.51.100.7, 10.0.0.9', '198.51.100.7'],
    [['10.0.0.0/8'], '192.0.2.1', '6.6.6.6', '192.0.2.1'],
    [['10.0.0.2', '::1'], '::1', '6.6.6.6, 198.51.100.7', '198.51.100.7'],
  ];
  it.each(cases)('trust %j, peer %s, X-Forwarded-For %s → %s, as Fastify says', async (trust, remote, xff, expected) => {
    expect(createClientAddress(trust)(remote, xff)).toBe(expected);
    expect(await fastifyIp(trust, remote, xff)).toBe(expected);
  });

  it('reads IPv4 peers on dual-stack sockets as IPv4', () => {
    expect(createClientAddress(['127.0.0.1'])('::ffff:127.0.0.1', '203.0.113.4')).toBe('203.0.113.4');
  });
});
