/**
 * What the browser tests of both web apps share: Debian's Chromium through playwright-core, a build of the
 * app under test that is never older than its sources, and screenshots for the README.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHOTS_DIR = path.join(REPO_ROOT, '.cache', 'screenshots');

/** Headless in this closed network (no background calls home), with a fake camera and microphone allowed. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];

export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds a web app workspace when its dist is missing or older than its sources, the server's contracts or
 * the media client (one build of each app at a time across test files), as `npm start` builds it.
 */
export function ensureWebAppBuilt(workspace: 'web-citizen' | 'web-counter', timeoutMs = 240_000): void {
  const dir = path.join(REPO_ROOT, workspace);
  const index = path.join(dir, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(path.join(dir, 'src')),
    statSync(path.join(dir, 'index.html')).mtimeMs,
    statSync(path.join(dir, 'vite.config.ts')).mtimeMs,
    newestMtime(path.join(REPO_ROOT, 'server', 'src', 'contracts')),
    newestMtime(path.join(REPO_ROOT, 'sfu', 'src', 'client')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // vitest sets NODE_ENV=test, and Vite would then bundle React's development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  execFileSync('flock', [`/tmp/yc-${workspace}-build.lock`, 'npm', 'run', 'build', '-w', workspace], { cwd: REPO_ROOT, env, stdio: 'pipe', timeout: timeoutMs });
}

/** Saves a screenshot under .cache/screenshots (the committed pictures in docs/screenshots are copied from there). */
export async function shot(page: Page, name: string, settleMs = 3000): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  // Let fonts and lazy chunks settle; a screenshot is documentation, not an assertion.
  await page.waitForLoadState('networkidle', { timeout: settleMs }).catch(() => undefined);
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: false });
}
