/**
 * Browser tests of the citizen app: the real server (its own database) serving the real build, driven in
 * Debian's Chromium through playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CITIZEN = path.join(REPO_ROOT, 'web-citizen');
export const SHOTS_DIR = path.join(REPO_ROOT, '.cache', 'screenshots');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // The video test: a fake camera and microphone, allowed without a prompt.
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds web-citizen when dist is missing or older than its sources (one build at a time across files). */
export function ensureCitizenBuilt(): void {
  const index = path.join(CITIZEN, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(path.join(CITIZEN, 'src')),
    statSync(path.join(CITIZEN, 'index.html')).mtimeMs,
    statSync(path.join(CITIZEN, 'vite.config.ts')).mtimeMs,
    newestMtime(path.join(REPO_ROOT, 'server', 'src', 'contracts')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync('flock', ['/tmp/yc-citizen-build.lock', 'npm', 'run', 'build', '-w', 'web-citizen'], { cwd: REPO_ROOT, stdio: 'pipe', timeout: 180_000 });
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export const PHONE = { width: 390, height: 844 } as const;
export const KIOSK = { width: 1080, height: 1920 } as const;

export async function newPage(browser: Browser, viewport: { width: number; height: number }, baseUrl: string): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', baseURL: baseUrl });
  await context.grantPermissions(['camera', 'microphone'], { origin: baseUrl });
  return context.newPage();
}

/** Saves a screenshot under .cache/screenshots (the README's pictures are copied from there by hand). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  // Let fonts and lazy chunks settle; a screenshot is documentation, not an assertion.
  await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => undefined);
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: false });
}

/** Every request the page sends to the API, for "nothing was sent" assertions. */
export function recordApiRequests(page: Page): { method: string; path: string }[] {
  const seen: { method: string; path: string }[] = [];
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.pathname.startsWith('/api/')) seen.push({ method: req.method(), path: u.pathname });
  });
  return seen;
}
