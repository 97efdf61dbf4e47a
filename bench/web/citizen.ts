/**
 * The citizen app's budget: first-screen JS + CSS ≤ 250 KB gzipped, and the ticket page interactive within
 * 3 s under Chromium's "Slow 4G" throttling (DevTools protocol `Network.emulateNetworkConditions`).
 *
 * Runs the real server (compiled, as `npm start` does; embedded PGlite, demo data) as a separate process and Debian's
 * Chromium through playwright-core; every page load is cold (a new browser context: empty cache).
 *
 * Usage: node --import tsx bench/web/citizen.ts      (RUNS=5, CHROMIUM_PATH=/usr/bin/chromium)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ensureCitizenBuilt } from '../../test/web-citizen/helpers.ts';
import { machineLine } from '../lib/stats.ts';
import { serverScriptArgs } from '../lib/harness.ts';
import { writeSection } from '../lib/results.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const RUNS = Number(process.env.RUNS) || 5;
const BUDGET_FIRST_SCREEN_BYTES = 250 * 1024;
const BUDGET_TICKET_MS = 3000;
/**
 * Chromium DevTools' "Slow 4G" preset (formerly "Fast 3G"): 1.6 Mbit/s × 0.9 down, 750 kbit/s × 0.9 up,
 * 150 ms × 3.75 latency.
 */
const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1000 * 1000 / 8) * 0.9, uploadThroughput: (750 * 1000 / 8) * 0.9 };
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function startServer(): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'yc-bench-web-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', YC_DATA_DIR: dataDir, YC_DEMO_SEED: '1', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, [...(await serverScriptArgs()), '--demo'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const up = await fetch(`${base}/api/v1/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error('server did not start in 120 s');
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    base,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Weight {
  files: { url: string; type: string; wire: number; encoding: string }[];
  jsCss: number;
}

/** Everything the first screen (`/`) downloads until the network is idle, in bytes on the wire. */
async function firstScreenWeight(browser: Browser, base: string): Promise<Weight> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const info = new Map<string, { url: string; type: string; encoding: string }>();
  const files: Weight['files'] = [];
  cdp.on('Network.responseReceived', (e) => {
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    info.set(e.requestId, { url: e.response.url, type: e.type, encoding: headers['content-encoding'] ?? 'identity' });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const i = info.get(e.requestId);
    if (i) files.push({ ...i, wire: e.encodedDataLength });
  });
  await page.goto(base + '/', { waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1 }).waitFor();
  await context.close();
  const jsCss = files.filter((f) => f.type === 'Script' || f.type === 'Stylesheet').reduce((a, f) => a + f.wire, 0);
  return { files, jsCss };
}

interface TicketRun {
  visibleMs: number;
  interactiveMs: number;
  liveMs: number | null;
  homeMs: number;
}

/** Instruments the page: when the ticket number shows, when the live link is up, when a click is answered. */
const INSTRUMENT = `
  window.__yc = {};
  new MutationObserver(() => {
    const y = window.__yc;
    if (!y.visible && document.querySelector('.ticket-number')) {
      y.visible = performance.now();
      // Tap the page's main button as soon as it shows: answered = the page was interactive.
      setTimeout(() => { for (const b of document.querySelectorAll('button')) if (b.textContent.includes('取消排队')) { b.click(); break; } }, 0);
    }
    if (!y.live && document.querySelector('.conn.ok')) y.live = performance.now();
    if (!y.answered && document.querySelector('.confirm')) y.answered = performance.now();
    if (!y.home && document.querySelector('.home h1')) y.home = performance.now();
  }).observe(document, { childList: true, subtree: true, attributes: true });
`;

async function throttled(browser: Browser): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  await context.addInitScript(INSTRUMENT);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  return { page, close: () => context.close() };
}

async function ticketRun(browser: Browser, base: string, ticket: { id: string; token: string; siteId: string; number: string; issuedAt: string }): Promise<TicketRun> {
  // The citizen comes back to its ticket page: the pass is on the phone already.
  const { page, close } = await throttled(browser);
  await page.addInitScript((t) => localStorage.setItem('yc.tickets', JSON.stringify([t])), ticket);
  await page.goto(`${base}/#/ticket/${ticket.id}`, { waitUntil: 'commit' });
  await page.locator('.ticket-number').waitFor({ timeout: 30_000 });
  // Interactive: the tap the instrument makes as soon as the number shows is answered (the confirm step).
  await page.locator('.confirm').waitFor({ timeout: 30_000 });
  await page.locator('.conn.ok').waitFor({ timeout: 30_000 }).catch(() => undefined);
  const y = await page.evaluate(() => (window as unknown as { __yc: Record<string, number> }).__yc);
  await close();

  const home = await throttled(browser);
  await home.page.goto(`${base}/`, { waitUntil: 'commit' });
  await home.page.locator('.home h1').waitFor({ timeout: 30_000 });
  const h = await home.page.evaluate(() => (window as unknown as { __yc: Record<string, number> }).__yc);
  await home.close();
  return { visibleMs: y.visible!, interactiveMs: y.answered!, liveMs: y.live ?? null, homeMs: h.home! };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const ms = (x: number) => `${Math.round(x)} ms`;

async function main() {
  ensureCitizenBuilt();
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const sites = (await (await fetch(`${server.base}/api/v1/sites`)).json()) as { id: string; code: string }[];
    const site = sites.find((s) => s.code === 'QP') ?? sites[0]!;
    const services = (await (await fetch(`${server.base}/api/v1/sites/${site.id}/services`)).json()) as { id: string }[];
    const created = await fetch(`${server.base}/api/v1/sites/${site.id}/tickets`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: services[0]!.id, channel: 'mobile' }),
    });
    const t = (await created.json()) as { id: string; accessToken: string; siteId: string; number: string; issuedAt: string };
    const ticket = { id: t.id, token: t.accessToken, siteId: t.siteId, number: t.number, issuedAt: t.issuedAt };

    const weight = await firstScreenWeight(browser, server.base);
    // Warm-up (JIT of the server's routes), not counted.
    await ticketRun(browser, server.base, ticket);
    const runs: TicketRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await ticketRun(browser, server.base, ticket));

    const visible = runs.map((r) => r.visibleMs);
    const interactive = runs.map((r) => r.interactiveMs);
    const live = runs.map((r) => r.liveMs).filter((x): x is number => x !== null);
    const home = runs.map((r) => r.homeMs);
    const jsCssFiles = weight.files.filter((f) => f.type === 'Script' || f.type === 'Stylesheet');
    const body = [
      '`node --import tsx bench/web/citizen.ts` — real server (separate process, PGlite, demo data), Debian Chromium',
      `headless via playwright-core; ${machineLine()}.`,
      '',
      '| measure | result | budget |',
      '|---|---:|---:|',
      `| first screen JS + CSS on the wire (${jsCssFiles.length} files, ${jsCssFiles.map((f) => f.encoding).filter((v, i, a) => a.indexOf(v) === i).join('/')}) | ${kb(weight.jsCss)} | ≤ ${kb(BUDGET_FIRST_SCREEN_BYTES)} ${weight.jsCss <= BUDGET_FIRST_SCREEN_BYTES ? '✅' : '❌'} |`,
      `| first screen, everything on the wire (${weight.files.length} requests) | ${kb(weight.files.reduce((a, f) => a + f.wire, 0))} | |`,
      `| Slow 4G, cold: ticket page, number visible (median of ${RUNS}; worst) | ${ms(median(visible))}; ${ms(Math.max(...visible))} | |`,
      `| Slow 4G, cold: ticket page interactive, first tap answered (median; worst) | ${ms(median(interactive))}; ${ms(Math.max(...interactive))} | ≤ ${ms(BUDGET_TICKET_MS)} ${Math.max(...interactive) <= BUDGET_TICKET_MS ? '✅' : '❌'} |`,
      `| Slow 4G, cold: ticket page live (socket joined; median) | ${live.length ? ms(median(live)) : 'n/a'} | |`,
      `| Slow 4G, cold: home screen visible (median; worst) | ${ms(median(home))}; ${ms(Math.max(...home))} | |`,
      '',
      'Slow 4G = DevTools preset: 562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up (network only, no CPU throttling). Times are',
      'from navigation start (performance.now in the page); "interactive" is when a tap on the page\'s main button, made the',
      'moment the number shows, has been handled (its confirm step rendered). public/boot.js asks for the ticket while the code',
      'downloads. The server sends the build\'s precompressed files (Brotli, or gzip to browsers that do not take it).',
    ].join('\n');
    writeSection('Web (citizen)', body);
    process.stdout.write(`${body}\n`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
