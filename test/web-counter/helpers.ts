/**
 * Browser tests of the staff app and the hall board: the real server (its own database) serving the real
 * build of web-counter, driven in Debian's Chromium through playwright-core.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureWebAppBuilt, launchChromium as launchBrowser } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-app.ts';

/** A TV plays the chime without anyone clicking. */
const BOARD_ARGS = ['--autoplay-policy=no-user-gesture-required'];

export { REPO_ROOT, shot, SHOTS_DIR } from '../helpers/browser.ts';

export function ensureCounterBuilt(): void {
  ensureWebAppBuilt('web-counter');
}

/**
 * A database of this file's own, named outside `yc_t_*`: test/global-setup.ts drops every `yc_t_*`
 * database when any run starts, and these browser tests run long enough for another engineer's run to
 * start meanwhile.
 */
export function createCounterDatabase(): Promise<TestDatabase> {
  return createTestDatabase(`ycwc_${randomBytes(6).toString('hex')}`);
}

export async function launchChromium(): Promise<Browser> {
  return launchBrowser(BOARD_ARGS);
}

export const DESKTOP = { width: 1440, height: 900 } as const;
export const TV = { width: 1920, height: 1080 } as const;

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors in the page: a test fails on any. */
  errors: string[];
}

/** A page in a context of its own (its own sessionStorage: one staff member per page). */
export async function newPage(browser: Browser, baseUrl: string, viewport: { width: number; height: number } = DESKTOP): Promise<TestPage> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', baseURL: baseUrl });
  await context.grantPermissions(['camera', 'microphone'], { origin: baseUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (process.env.WC_DEBUG) page.on('console', (m) => process.stderr.write(`[page ${m.type()}] ${m.text().slice(0, 400)}\n`));
  return { page, context, errors };
}

/** Signs in on the staff app's login form. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/counter/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('staff-name').waitFor();
}

const DIGITS = '零一二三四五六七八九';
/** What the board should say for a call: the spec's sentence, the number spelled out (A012 → A 零 一 二). */
export function spokenCall(number: string, windowNumber: number): string {
  const spelled = [...number].map((c) => (/\d/.test(c) ? DIGITS[Number(c)] : c)).join(' ');
  return `请 ${spelled} 号 到 ${windowNumber} 号窗口`;
}
