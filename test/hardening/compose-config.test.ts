// docker-compose.yml is the production shape operators deploy. Debian's docker-compose parses and checks it
// without an engine, so a broken file fails here rather than on a hall's server.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const required = { POSTGRES_PASSWORD: 'pg-pass', YC_SECRET: 'secret', YC_ADMIN_PASSWORD: 'admin-pass', PUBLIC_IP: '203.0.113.5', PUBLIC_IP_JS: '198.51.100.7', TLS_CERT: '/etc/ssl/yc/fullchain.pem', TLS_KEY: '/etc/ssl/yc/privkey.pem' };

function compose(args: string[], env: Record<string, string>) {
  const r = spawnSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  if (r.error) throw new Error(`docker-compose missing (apt-get install docker-compose): ${r.error.message}`);
  return r;
}

test('the production shape parses: two API nodes, media nodes of two regions on the host network, media routed by one path', () => {
  const services = compose(['config', '--services'], required);
  expect(services.status, services.stderr).toBe(0);
  expect(services.stdout.trim().split('\n').sort()).toEqual(['coturn-js', 'coturn-sh', 'lb', 'media-js', 'media-sh', 'postgres', 'redis', 'server-1', 'server-2']);
  const config = compose(['config'], required);
  expect(config.status, config.stderr).toBe(0);
  // Every server service names the same media path, and nginx routes that path.
  const paths = [...config.stdout.matchAll(/YC_MEDIA_PATH: (\S+)/g)].map((m) => m[1]);
  expect(paths).toHaveLength(4);
  expect(new Set(paths).size).toBe(1);
  expect(readFileSync(path.join(root, 'deploy', 'nginx.conf'), 'utf8')).toContain(`location ${paths[0]}/ {`);
  expect(config.stdout).toMatch(/YC_MEDIA: '1'/);
  expect(config.stdout).toContain('203.0.113.5');
  // Each media node registers with its own region and announces its own address, to browsers and to the other node.
  expect([...config.stdout.matchAll(/YC_MEDIA_REGION: (\S+)/g)].map((m) => m[1]).sort()).toEqual(['JS-WJ', 'SH-QP']);
  expect(config.stdout).toContain('YC_MEDIA_PIPE_ANNOUNCED_IP: 198.51.100.7');
  expect(config.stdout).toContain('YC_MEDIA_URL: http://198.51.100.7:8091');
  // Client addresses: API nodes trust exactly one hop, the nginx that replaces X-Forwarded-For; media nodes,
  // which browsers also reach directly, trust only the docker bridge range the lb connects from.
  const trust = [...config.stdout.matchAll(/TRUST_PROXY: '?([^'\n]+)'?/g)].map((m) => m[1]).sort();
  expect(trust).toEqual(['1', '1', '172.16.0.0/12', '172.16.0.0/12']);
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
