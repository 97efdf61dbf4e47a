#!/usr/bin/env node
// Makes a fresh clone runnable: npm dependencies, the mediasoup worker, and (for tests) the Debian
// packages the browser and media tests drive. Run by `npm start` and `npm test` before anything else;
// quick when everything is already there.
//
// Usage: node scripts/ensure-installed.mjs [--for=start|test]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const purpose = (process.argv.find((a) => a.startsWith('--for=')) ?? '--for=start').slice(6);
const log = (msg) => process.stderr.write(`[setup] ${msg}\n`);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function lockHash() {
  return createHash('sha256').update(fs.readFileSync(path.join(root, 'package-lock.json'))).digest('hex');
}

// 1. npm packages. Install scripts stay off: mediasoup's would try to download a prebuilt worker, which
//    these networks block; the worker is built below instead.
const stamp = path.join(root, 'node_modules', '.yc-lock-hash');
if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== lockHash()) {
  log('installing npm packages (npm ci --ignore-scripts)…');
  run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
  fs.writeFileSync(stamp, lockHash());
}

// 2. Debian packages the tests drive for real (a browser, media tools, the production shape's nginx). Installed only when root.
if (purpose === 'test') {
  const wanted = [['/usr/bin/chromium', 'chromium'], ['/usr/bin/ffmpeg', 'ffmpeg'], ['/usr/bin/ffprobe', 'ffmpeg'], ['/usr/sbin/nginx', 'nginx-light'], ['/usr/bin/docker-compose', 'docker-compose'], ['/usr/sbin/ip', 'iproute2'], ['/usr/sbin/tc', 'iproute2'], ['/usr/bin/redis-server', 'redis-server'], ['/usr/sbin/nft', 'nftables']];
  const missing = [...new Set(wanted.filter(([bin]) => !fs.existsSync(bin)).map(([, pkg]) => pkg))];
  if (missing.length) {
    if (process.getuid?.() !== 0) throw new Error(`missing Debian packages: ${missing.join(' ')} (install them, or run as root)`);
    log(`installing Debian packages: ${missing.join(' ')}…`);
    run('apt-get', ['update', '-q']);
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing, 'fonts-noto-cjk'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
}

// 3. The mediasoup worker: built from source against system libraries when no binary is at hand.
const worker = await import('./build-mediasoup-worker.mjs');
const bin = await worker.resolveMediasoupWorker({ log });
log(`mediasoup worker: ${bin}`);
