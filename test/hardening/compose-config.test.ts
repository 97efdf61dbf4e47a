// docker-compose.yml is the production shape operators deploy. Debian's docker-compose parses and checks it
// without an engine, so a broken file fails here rather than on a hall's server.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const required = {
  POSTGRES_PASSWORD: 'pg-pass', YC_SECRET: 'secret', YC_ADMIN_PASSWORD: 'admin-pass', PUBLIC_IP: '203.0.113.5', PUBLIC_IP_JS: '198.51.100.7',
  PUBLIC_HOST: 'yc.example.gov.cn', YC_METRICS_TOKEN: 'prometheus-scrape-token', TLS_CERT: '/etc/ssl/yc/fullchain.pem', TLS_KEY: '/etc/ssl/yc/privkey.pem',
};

function compose(args: string[], env: Record<string, string>) {
  const r = spawnSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  if (r.error) throw new Error(`docker-compose missing (apt-get install docker-compose): ${r.error.message}`);
  return r;
}

test('the production shape parses: two API nodes, media nodes of two regions on the host network, each media node\'s signalling over HTTPS by its own path', () => {
  const services = compose(['config', '--services'], required);
  expect(services.status, services.stderr).toBe(0);
  expect(services.stdout.trim().split('\n').sort()).toEqual(['coturn-js', 'coturn-sh', 'lb', 'media-js', 'media-sh', 'postgres', 'redis', 'server-1', 'server-2']);
  const config = compose(['config'], required);
  expect(config.status, config.stderr).toBe(0);
  // Every server service names a media path nginx routes: the API nodes' fallback (the Qingpu node's), and
  // the Wujiang node's own.
  const nginx = readFileSync(path.join(root, 'deploy', 'nginx.conf'), 'utf8');
  const paths = [...config.stdout.matchAll(/YC_MEDIA_PATH: (\S+)/g)].map((m) => m[1]);
  expect(paths).toHaveLength(4);
  expect([...new Set(paths)].sort()).toEqual(['/media-io', '/media-js']);
  for (const p of paths) expect(nginx).toContain(`location ${p}/ {`);
  // nginx sends /media-js/ to the port media-js listens on.
  expect(nginx).toMatch(/upstream yichuang_media_js \{ server host\.docker\.internal:8091; \}/);
  expect(nginx).toMatch(/location \/media-js\/ \{\s*proxy_pass http:\/\/yichuang_media_js;/);
  expect(config.stdout).toMatch(/YC_MEDIA: '1'/);
  expect(config.stdout).toContain('203.0.113.5');
  // Each media node registers with its own region and announces its own address, to browsers and to the other node.
  expect([...config.stdout.matchAll(/YC_MEDIA_REGION: (\S+)/g)].map((m) => m[1]).sort()).toEqual(['JS-WJ', 'SH-QP']);
  expect(config.stdout).toContain('YC_MEDIA_PIPE_ANNOUNCED_IP: 198.51.100.7');
  // Browsers load the site over HTTPS and may not open ws:// from it: every media node's origin is the
  // site's HTTPS one (nginx, by path), never a plain port.
  const mediaUrls = [...config.stdout.matchAll(/YC_MEDIA_URL: (\S+)/g)].map((m) => m[1]);
  expect(mediaUrls).toEqual(['https://yc.example.gov.cn', 'https://yc.example.gov.cn']);
  // The media nodes' ports are on the host network: /metrics there asks for a token, on every node.
  expect([...config.stdout.matchAll(/YC_METRICS_TOKEN: (\S+)/g)].map((m) => m[1])).toEqual(Array(4).fill('prometheus-scrape-token'));
  // Client addresses: API nodes trust exactly one hop, the nginx that replaces X-Forwarded-For; media nodes,
  // which browsers also reach directly, trust only the docker bridge range the lb connects from.
  const trust = [...config.stdout.matchAll(/TRUST_PROXY: '?([^'\n]+)'?/g)].map((m) => m[1]).sort();
  expect(trust).toEqual(['1', '1', '172.16.0.0/12', '172.16.0.0/12']);
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
  for (const name of ['YC_METRICS_TOKEN', 'PUBLIC_HOST'] as const) {
    const { [name]: _gone, ...without } = required;
    const r2 = compose(['config', '-q'], without);
    expect(r2.status, name).not.toBe(0);
    expect(r2.stderr).toContain(name);
  }
});
