import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ADMIN_PASSWORD, DEMO_SECRET, loadConfig } from './config.ts';

const real = { YC_SECRET: 'Qm9ZmR2k7fVt1xLw3pA8', YC_ADMIN_PASSWORD: 'a-real-admin-password' };

describe('TRUST_PROXY', () => {
  it('is a hop count or a list of proxy addresses, off by default', () => {
    expect(loadConfig(real).trustProxy).toBe(false);
    expect(loadConfig({ ...real, TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ ...real, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...real, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...real, TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,::1,fd00::/8' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.5', '::1', 'fd00::/8']);
  });

  it.each(['true', 'yes', '*', '10.0.0.0/33', '10.0.0', 'nginx', '11'])('refuses %s (a client would choose its own address)', (value) => {
    expect(() => loadConfig({ ...real, TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
  });
});

describe('secrets and the demo', () => {
  it('runs the demo only when asked: its published secret, default admin and demo accounts', () => {
    const demo = loadConfig({ YC_DEMO: '1' });
    expect(demo).toMatchObject({ demo: true, secret: DEMO_SECRET, adminPassword: DEFAULT_ADMIN_PASSWORD, demoSeed: true });
    expect(() => loadConfig({ YC_DEMO: '1', NODE_ENV: 'production' })).toThrow(/YC_DEMO/);
  });

  it('outside the demo: no demo accounts unless asked for by name', () => {
    expect(loadConfig(real)).toMatchObject({ demo: false, demoSeed: false });
    expect(loadConfig({ ...real, NODE_ENV: 'production' }).demoSeed).toBe(false);
    expect(loadConfig({ ...real, YC_DEMO_SEED: '1' }).demoSeed).toBe(true);
    // Never in production: the demo accounts' password is published.
    expect(() => loadConfig({ ...real, NODE_ENV: 'production', YC_DEMO_SEED: '1' })).toThrow('YC_DEMO_SEED');
  });

  it.each([
    ['YC_SECRET', undefined],
    ['YC_SECRET', DEMO_SECRET],
    ['YC_SECRET', 'x'],
    ['YC_SECRET', 'short-secret'],
    ['YC_SECRET', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
    ['YC_ADMIN_PASSWORD', undefined],
    ['YC_ADMIN_PASSWORD', DEFAULT_ADMIN_PASSWORD],
    ['YC_ADMIN_PASSWORD', 'demo12345'],
    ['YC_ADMIN_PASSWORD', 'admin-pass'],
  ])('outside the demo refuses %s=%s, with or without NODE_ENV=production', (name, value) => {
    for (const nodeEnv of [{}, { NODE_ENV: 'production' }, { NODE_ENV: 'development' }]) {
      const env: Record<string, string | undefined> = { ...real, ...nodeEnv, [name]: value };
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(name);
    }
  });

  it('refuses an http: YC_MEDIA_URL in production: an https page cannot open ws:// to it', () => {
    expect(() => loadConfig({ ...real, NODE_ENV: 'production', YC_MEDIA_URL: 'http://203.0.113.5:8090' })).toThrow(/YC_MEDIA_URL must be https/);
    expect(loadConfig({ ...real, NODE_ENV: 'production', YC_MEDIA_URL: 'https://yc.example.gov.cn' }).media.endpoint.url).toBe('https://yc.example.gov.cn');
    // Outside production (a test rig on loopback) http: is fine; unset means the page's own origin.
    expect(loadConfig({ ...real, YC_MEDIA_URL: 'http://127.0.0.1:8090' }).media.endpoint.url).toBe('http://127.0.0.1:8090');
    expect(loadConfig({ ...real, NODE_ENV: 'production' }).media.endpoint.url).toBeUndefined();
  });

  it('takes a metrics token only when it is long enough', () => {
    expect(loadConfig({ ...real, YC_METRICS_TOKEN: 'prometheus-scrape-token' }).metricsToken).toBe('prometheus-scrape-token');
    expect(() => loadConfig({ ...real, YC_METRICS_TOKEN: 'short' })).toThrow(/YC_METRICS_TOKEN/);
  });
});
