// docker-compose.yml is the production shape operators deploy. Debian's docker-compose parses and checks it
// without an engine, so a broken file fails here rather than on a hall's server.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const required = { POSTGRES_PASSWORD: 'pg-pass', YC_SECRET: 'secret', YC_ADMIN_PASSWORD: 'admin-pass', PUBLIC_IP: '203.0.113.5', TLS_CERT: '/etc/ssl/yc/fullchain.pem', TLS_KEY: '/etc/ssl/yc/privkey.pem' };

function compose(args: string[], env: Record<string, string>) {
  const r = spawnSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  if (r.error) throw new Error(`docker-compose missing (apt-get install docker-compose): ${r.error.message}`);
  return r;
}

test('the production shape parses: two API nodes, the SFU on the host network, media routed by one path', () => {
  const services = compose(['config', '--services'], required);
  expect(services.status, services.stderr).toBe(0);
  expect(services.stdout.trim().split('\n').sort()).toEqual(['coturn', 'lb', 'postgres', 'redis', 'server-1', 'server-2', 'sfu']);
  const config = compose(['config'], required);
  expect(config.status, config.stderr).toBe(0);
  // Every server service names the same media path, and nginx routes that path.
  const paths = [...config.stdout.matchAll(/YC_MEDIA_PATH: (\S+)/g)].map((m) => m[1]);
  expect(paths).toHaveLength(3);
  expect(new Set(paths).size).toBe(1);
  expect(readFileSync(path.join(root, 'deploy', 'nginx.conf'), 'utf8')).toContain(`location ${paths[0]}/ {`);
  expect(config.stdout).toMatch(/YC_MEDIA: '1'/);
  expect(config.stdout).toContain('203.0.113.5');
  // Client addresses: every node trusts exactly one hop, the nginx that replaces X-Forwarded-For.
  const trust = [...config.stdout.matchAll(/TRUST_PROXY: '?([^'\n]+)'?/g)].map((m) => m[1]);
  expect(trust).toEqual(['1', '1', '1']);
  const nginx = readFileSync(path.join(root, 'deploy', 'nginx.conf'), 'utf8');
  expect(nginx).not.toContain('$proxy_add_x_forwarded_for');
  // The certificate files reach the paths deploy/nginx.conf reads.
  expect(config.stdout).toContain('/etc/ssl/yc/fullchain.pem:/etc/nginx/tls/fullchain.pem:ro');
  expect(nginx).toContain('ssl_certificate     /etc/nginx/tls/fullchain.pem;');
});

test('refuses to start without the secrets an operator must set', () => {
  const { YC_SECRET: _omit, ...missing } = required;
  const r = compose(['config', '-q'], missing);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('YC_SECRET');
  const { TLS_CERT: _cert, ...noCert } = required;
  const c = compose(['config', '-q'], noCert);
  expect(c.status).not.toBe(0);
  expect(c.stderr).toContain('TLS_CERT');
});
