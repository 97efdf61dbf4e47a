/**
 * The embedded default end to end, as a newcomer meets it: the server started as `npm start` starts it (a
 * process of its own, no DATABASE_URL, no REDIS_URL, the demo and its seed, media on, a fresh data folder)
 * and the real pages in Chromium. A citizen takes a ticket on the phone, a clerk calls it (the hall board
 * shows it, the phone shows the call), starts, finishes, and the citizen rates it; a booking made on the
 * phone is checked in at the kiosk and served; a village station asks for video help and an expert answers,
 * both sides in the call.
 *
 * Why this test exists (issue #13): on commit 50bc98a the clerk's 开始办理 (start) never answered on the
 * embedded default. PGlite has one connection, and the queue service read through the root handle inside
 * its own transaction, so each waited for the other; from then on every request touching the database hung
 * and /health said `db down`. The integration suite ran on Postgres only, so nothing noticed. Every step
 * here must show on screen within STEP_MS, so a hang, or a page that stops updating, fails the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/src/seed/demo-data.ts';
import { ensureWebAppBuilt, shot } from '../helpers/browser.ts';
import { residentId } from '../helpers/fixtures.ts';
import { httpJson, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { freePortBase } from '../video/helpers.ts';
import { KIOSK, PHONE } from '../web-citizen/helpers.ts';
import { DESKTOP, launchChromium, newPage, signIn, type TestPage, TV } from '../web-counter/helpers.ts';

/**
 * Rationale: what "shows on screen within a few seconds" means here. A hang (the bug above) never shows;
 * a healthy embedded server on a shared 2-core host shows each step in well under a second.
 */
const STEP_MS = 5_000;
/** Rationale: the first load of each app parses its bundle (Ant Design, ECharts) on a loaded host. */
const LOAD_MS = 15_000;
/** Rationale: three journeys through six pages; about 30 s when healthy on the shared 2-core host. */
const TEST_MS = 120_000;

let server: ServerProcess;
let dataDir: string;
let browser: Browser;
let siteId: string;
let serviceId: string;
const pages: TestPage[] = [];
/** The clerk's console stays open from the first journey to the second, as on a real shift. */
let clerk: Page;

interface SiteNode { id: string; code: string; children?: SiteNode[] }
function findSite(nodes: SiteNode[], code: string): SiteNode | undefined {
  for (const n of nodes) {
    if (n.code === code) return n;
    const hit = findSite(n.children ?? [], code);
    if (hit) return hit;
  }
  return undefined;
}

beforeAll(async () => {
  ensureWebAppBuilt('web-citizen');
  ensureWebAppBuilt('web-counter');
  dataDir = mkdtempSync(path.join(tmpdir(), 'yc-journey-'));
  // `npm start` is `npm run build:web` (ensureWebAppBuilt above) and then `server.ts --demo`, in a shell with
  // no DATABASE_URL or REDIS_URL: the demo (its published secret and admin password) with its seed, media on.
  server = await startServerProcess({
    // Only what this machine needs beside npm start's own settings:
    // a fresh data folder (a fresh clone has no ./data; this checkout's may hold a developer's);
    YC_DATA_DIR: dataDir,
    // one media worker on ports nobody else on this shared machine holds (npm start: from 40000);
    YC_MEDIA_WORKERS: '1', YC_RTC_BASE_PORT: String(await freePortBase(1)),
    // check-in opening a week ahead, so the booking journey can check in whatever slot comes first at any
    // hour the test runs (the demo books Mon–Fri office hours).
    YC_CHECKIN_EARLY_MIN: String(7 * 24 * 60),
  }, undefined, [], { scriptArgs: ['--demo'], asNpmStart: true });
  expect(server.output()).toContain(`embedded PGlite in ${dataDir}`);
  expect(server.output()).toMatch(/events and jobs\s+in-process/);

  const sites = await httpJson(server.url, 'GET', '/sites');
  expect(sites.status).toBe(200);
  siteId = findSite(sites.body as SiteNode[], 'QP')!.id;
  const services = await httpJson(server.url, 'GET', `/sites/${siteId}/services`);
  serviceId = (services.body as { id: string; code: string }[]).find((s) => s.code === 'HJ01')!.id;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  for (const p of pages.splice(0)) await p.context.close().catch(() => undefined);
  await browser?.close();
  if (server) {
    const code = await server.stop();
    if (code !== 0 && code !== 'SIGTERM') process.stderr.write(`[journey] server exit ${code}:\n${server.output().slice(-4000)}\n`);
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

/** A page of its own context; every wait on it fails after STEP_MS unless told otherwise. */
async function open(viewport: { width: number; height: number }): Promise<Page> {
  const p = await newPage(browser, server.url, viewport);
  p.page.setDefaultTimeout(STEP_MS);
  p.page.setDefaultNavigationTimeout(LOAD_MS);
  pages.push(p);
  return p.page;
}

/** The staff app signed in; the first screen may wait for the app's bundle. */
async function staff(username: string): Promise<Page> {
  const page = await open(DESKTOP);
  page.setDefaultTimeout(LOAD_MS);
  await signIn(page, username, DEMO_PASSWORD);
  page.setDefaultTimeout(STEP_MS);
  return page;
}

/** A clerk at window 1 of its site, attached to the live socket. */
async function openWindow(page: Page): Promise<void> {
  await page.getByTestId('open-window-1').click();
  await page.locator('[data-testid=clerk-console][data-window="1"]').waitFor();
  await page.locator('[data-testid=console-conn][data-online=yes]').waitFor();
}

/** The clerk serves the ticket numbered `number` from the keyboard: call (F1), start (S), finish (F, Enter). */
async function serve(number: string, onCalled?: () => Promise<void>): Promise<void> {
  await clerk.locator(`[data-testid=queue-list] [data-number="${number}"]`).waitFor();
  await clerk.keyboard.press('F1');
  await clerk.locator(`[data-testid=current-ticket][data-status=called][data-number="${number}"]`).waitFor();
  await onCalled?.();
  // 开始办理: the request that never answered on 50bc98a.
  await clerk.keyboard.press('s');
  await clerk.locator(`[data-testid=current-ticket][data-status=serving][data-number="${number}"]`).waitFor();
  await clerk.keyboard.press('f');
  await clerk.locator('.ant-modal').filter({ hasText: `办结 ${number}` }).waitFor();
  await clerk.keyboard.press('Enter');
  await clerk.locator(`[data-testid=current-ticket][data-status=done][data-number="${number}"]`).waitFor();
}

describe('the embedded default (npm start) through the real pages', { timeout: TEST_MS }, () => {
  it('a ticket taken on the phone is called at the console, shown on the board and the phone, served and rated', async () => {
    const tv = await open(TV);
    await tv.goto(`/board/${siteId}`);
    await tv.locator('[data-testid=board][data-conn=online]').waitFor({ timeout: LOAD_MS });
    await tv.getByTestId('board-site').filter({ hasText: '青浦区政务服务中心' }).waitFor();

    clerk = await staff('clerk1');
    await openWindow(clerk);

    const phone = await open(PHONE);
    await phone.goto(`/#/site/${siteId}`);
    await phone.getByRole('button', { name: '居住证办理' }).click({ timeout: LOAD_MS });
    await phone.getByRole('button', { name: /现场取号/ }).click();
    await phone.getByRole('button', { name: '确认取号' }).click();
    await phone.waitForURL(/#\/ticket\//, { timeout: STEP_MS });
    const number = (await phone.locator('.ticket-number').innerText()).trim();
    expect(number).toMatch(/^A\d+$/);
    await phone.locator('.conn.ok').waitFor();
    await tv.getByTestId('board-waiting-A').filter({ hasText: /^1$/ }).waitFor();

    await serve(number, async () => {
      // The call reaches the hall board and the citizen's phone.
      await tv.locator(`[data-testid=board-calls] tr[data-number="${number}"]`).filter({ hasText: '1 号窗口' }).waitFor();
      await tv.getByTestId('board-latest').filter({ hasText: number }).waitFor();
      await phone.locator('.overlay.called [data-window="1"]').waitFor();
      await phone.getByRole('alertdialog').filter({ hasText: '请到 1 号窗口' }).waitFor();
      await shot(tv, 'journey-board-called', 1000);
      await shot(phone, 'journey-phone-called', 1000);
    });

    await phone.locator('[data-ticket-status="done"]').waitFor();
    await phone.getByRole('button', { name: '评价这次服务' }).click();
    await phone.getByLabel('非常满意', { exact: true }).check();
    await phone.getByRole('button', { name: '提交评价' }).click();
    await phone.getByText('谢谢您的评价！').waitFor();
  });

  it('a booking made on the phone is checked in at the kiosk and served at the console', async () => {
    const phone = await open(PHONE);
    await phone.goto(`/#/book/${siteId}/${serviceId}`);
    // The first slot with places left: today, else the next day that has one (the demo books Mon–Fri).
    const days = phone.locator('.days .day');
    await days.first().waitFor({ timeout: LOAD_MS });
    let picked = false;
    for (let i = 0; i < 5 && !picked; i++) {
      await days.nth(i).click();
      await phone.locator('.choices .loading').waitFor({ state: 'detached' });
      await phone.locator('.slots, .choices .empty').first().waitFor();
      const slot = phone.locator('.slots .slot:not([disabled])').first();
      if (await slot.count()) {
        await slot.click();
        picked = true;
      }
    }
    expect(picked, 'a bookable slot in the next five days').toBe(true);
    await phone.getByLabel('姓名').fill('王小明');
    await phone.getByLabel('身份证号').fill(residentId('31022919850505123'));
    await phone.getByLabel('手机号').fill('139 1234 5678');
    await phone.getByRole('button', { name: /确认预约/ }).click();
    const code = await phone.locator('[data-appointment-code]').getAttribute('data-appointment-code');
    expect(code).toMatch(/^[A-Z0-9]{4,16}$/);

    // The kiosk: a clerk signs it in once, then the citizen's code (as its barcode reader types it).
    const kiosk = await open(KIOSK);
    await kiosk.goto('/?kiosk=1&site=QP#/checkin');
    await kiosk.getByText('这台机器还没有开通签到').waitFor({ timeout: LOAD_MS });
    await kiosk.getByLabel('工作人员账号').fill('clerk1');
    await kiosk.getByLabel('密码').fill(DEMO_PASSWORD);
    await kiosk.getByRole('button', { name: '开通' }).click();
    await kiosk.getByLabel('请输入预约码').fill(`YC-A:${code}`);
    await kiosk.getByRole('button', { name: '我到了，签到' }).click();
    const number = (await kiosk.locator('.ticket-number').innerText()).trim();
    expect(number).toMatch(/^A\d+$/);
    await shot(kiosk, 'journey-kiosk-checked-in', 1000);

    await serve(number);
  });

  it('a village station asks for video help; an expert answers and both sides are in the call', async () => {
    const expert = await staff('expert1');
    await expert.getByTestId('expert-console').waitFor();
    await expert.locator('[data-testid=presence]:not([disabled])').click();
    await expert.getByText('接听中').waitFor();

    const village = await staff('village1');
    await openWindow(village);
    await village.keyboard.press('v');
    const dialog = village.locator('.ant-modal').filter({ hasText: '发起视频帮办' });
    await dialog.waitFor();
    await dialog.locator('textarea').fill('老年综合津贴申领材料认定');
    await dialog.locator('.ant-btn-primary').click();
    await village.getByTestId('assist-ringing').waitFor();

    await expert.getByTestId('ringing-request').filter({ hasText: '老年综合津贴申领材料认定' }).filter({ hasText: '张马村' }).waitFor();
    await expert.getByTestId('accept').click();
    await expert.locator('[data-testid=call-view][data-state=joined]').waitFor();
    await village.locator('[data-testid=call-view][data-state=joined]').waitFor();
    // Each side sees the other's camera on the stage.
    await expert.getByTestId('call-stage').waitFor();
    await village.getByTestId('call-stage').waitFor();
    await shot(expert, 'journey-expert-call', 1000);

    await expert.getByTestId('call-hangup').click();
    await expert.getByTestId('session-record').filter({ hasText: '老年综合津贴申领材料认定' }).waitFor();
    await village.getByTestId('session-record').waitFor();

    for (const p of pages) expect(p.errors, 'uncaught errors in the page').toEqual([]);
  });
});
