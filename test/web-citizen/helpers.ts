/**
 * Browser tests of the citizen app: the real server (its own database) serving the real build, driven in
 * Debian's Chromium through playwright-core.
 */
import type { Browser, Page } from 'playwright-core';
import { ensureWebAppBuilt } from '../helpers/browser.ts';

export { launchChromium, REPO_ROOT, shot, SHOTS_DIR } from '../helpers/browser.ts';

export function ensureCitizenBuilt(): void {
  ensureWebAppBuilt('web-citizen', 180_000);
}

export const PHONE = { width: 390, height: 844 } as const;
export const KIOSK = { width: 1080, height: 1920 } as const;

export async function newPage(browser: Browser, viewport: { width: number; height: number }, baseUrl: string): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', baseURL: baseUrl });
  await context.grantPermissions(['camera', 'microphone'], { origin: baseUrl });
  return context.newPage();
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
