/**
 * deploy/nginx.conf run by a real nginx for a test. Only what names the deployment changes: upstream
 * addresses, listen ports, certificate paths (or, with `tls: false`, the HTTPS server listens in plain HTTP
 * so tests about routing need no certificate). Every rule of the file is its own.
 *
 * Needs Debian's nginx (`nginx-light` is enough); installed here when absent and running as root, as
 * scripts/ensure-installed.mjs does for the browser and media tools.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './server-process.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const NGINX = '/usr/sbin/nginx';
export const NGINX_CONF = path.join(root, 'deploy', 'nginx.conf');

export interface NginxOptions {
  /** `server-1:8080` → `127.0.0.1:PORT`, for each upstream server the file names. */
  upstreams: Record<string, string>;
  /** Certificate and key files for the HTTPS server; false = that server listens in plain HTTP. */
  tls: { cert: string; key: string } | false;
}

export interface RunningNginx {
  /** The plain-HTTP server (port 80 in the file). */
  http: string;
  /** The site (port 443 in the file): `https://127.0.0.1:PORT`, or `http://…` with `tls: false`. */
  site: string;
  httpPort: number;
  sitePort: number;
  stop(): Promise<void>;
}

export function ensureNginx(): void {
  if (existsSync(NGINX)) return;
  if (process.getuid?.() !== 0) throw new Error('this test needs nginx: apt-get install nginx-light (or run the tests as root)');
  const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (apt(['install', '-y', '-q', '--no-install-recommends', 'nginx-light']).status !== 0) {
    apt(['update', '-q']);
    if (apt(['install', '-y', '-q', '--no-install-recommends', 'nginx-light']).status !== 0) throw new Error('could not install nginx-light');
  }
}

function replaceOnce(conf: string, from: string, to: string): string {
  const n = conf.split(from).length - 1;
  if (n !== 1) throw new Error(`deploy/nginx.conf should name ${from} once, found ${n}`);
  return conf.replace(from, to);
}

/** deploy/nginx.conf pointed at this test's processes, ports and certificate. */
export function rewrittenConf(options: NginxOptions, httpPort: number, sitePort: number): string {
  let conf = readFileSync(NGINX_CONF, 'utf8');
  for (const [from, to] of Object.entries(options.upstreams)) conf = replaceOnce(conf, from, to);
  conf = replaceOnce(conf, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  if (options.tls) {
    conf = replaceOnce(conf, 'listen 443 ssl;', `listen 127.0.0.1:${sitePort} ssl;`);
    conf = replaceOnce(conf, '/etc/nginx/tls/fullchain.pem', options.tls.cert);
    conf = replaceOnce(conf, '/etc/nginx/tls/privkey.pem', options.tls.key);
  } else {
    conf = replaceOnce(conf, 'listen 443 ssl;', `listen 127.0.0.1:${sitePort};`);
    conf = conf.split('\n').filter((line) => !/^\s*ssl_/.test(line)).join('\n');
  }
  return conf;
}

export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  ensureNginx();
  const dir = mkdtempSync(path.join(tmpdir(), 'yc-nginx-'));
  // nginx's workers drop root; they must reach their temp directories under here.
  chmodSync(dir, 0o755);
  const httpPort = await freePort();
  const sitePort = await freePort();
  writeFileSync(path.join(dir, 'default.conf'), rewrittenConf(options, httpPort, sitePort));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${path.join(dir, k)};`).join(' ');
  writeFileSync(path.join(dir, 'nginx.conf'), [
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    'events { worker_connections 256; }',
    `http { access_log off; ${temp} include ${path.join(dir, 'default.conf')}; }`,
    '',
  ].join('\n'));
  const args = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
  const check = spawnSync(NGINX, ['-t', ...args], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused deploy/nginx.conf: ${check.stderr}`);
  const child: ChildProcess = spawn(NGINX, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const scheme = options.tls ? 'https' : 'http';
  // Ready once the plain-HTTP server answers (its answer is a redirect, or a proxied page).
  for (let attempt = 0; ; attempt++) {
    const up = await fetch(`http://127.0.0.1:${httpPort}/health`, { redirect: 'manual' }).then(() => true, () => false);
    if (up) break;
    if (attempt > 100 || child.exitCode !== null) throw new Error(`nginx did not come up: ${readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    http: `http://127.0.0.1:${httpPort}`,
    site: `${scheme}://127.0.0.1:${sitePort}`,
    httpPort,
    sitePort,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
