/**
 * The staff app and the hall board end to end: real server, real database, the built app in Chromium.
 * A clerk works from the keyboard; the board shows and speaks each call; a citizen's phone (a /hall
 * watcher) hears of it; two clerks calling at once never share a ticket; a supervisor's counts move live.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { createHall, type Hall, residentId, STAFF_PASSWORD } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp, type TestDatabase } from '../helpers/test-app.ts';
import { freePortBase } from '../video/helpers.ts';
import { createCounterDatabase, DESKTOP, ensureCounterBuilt, launchChromium, newPage, shot, signIn, spokenCall, type TestPage, TV } from './helpers.ts';

let t: TestApp;
let hall: Hall;
let browser: Browser;
let database: TestDatabase;
const pages: TestPage[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  ensureCounterBuilt();
  database = await createCounterDatabase();
  t = await createTestApp({
    listen: true,
    webApps: true,
    database,
    // A real mediasoup worker for the call screens, on ports nobody else on this machine holds.
    env: {
      MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN || (await resolveMediasoupWorker()), YC_MEDIA_WORKERS: '1', YC_RTC_BASE_PORT: String(await freePortBase(1)),
      // Case deadlines are days away on the real clock: warn a week ahead so the dashboard test sees one.
      YC_CASE_WARN_BEFORE_MIN: '10080',
    },
  });
  hall = await createHall(t);
  browser = await launchChromium();
}, 300_000);

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const p of pages.splice(0)) {
    expect(p.errors, 'uncaught errors in the page').toEqual([]);
    await p.context.close();
  }
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await database?.drop();
});

async function open(viewport: { width: number; height: number } = DESKTOP): Promise<TestPage> {
  const p = await newPage(browser, t.url, viewport);
  pages.push(p);
  return p;
}

async function issue(serviceId = hall.services.general, siteId = hall.siteId, extra: Record<string, unknown> = {}) {
  const res = await t.api('POST', `/sites/${siteId}/tickets`, { serviceId, channel: 'kiosk', ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; number: string; accessToken: string };
}

/** Serves out whatever is waiting at a window through the API, so a test starts from an empty queue. */
async function drain(windowId: string, token: string) {
  await t.api('POST', `/windows/${windowId}/open`, undefined, bearer(token));
  for (let i = 0; i < 50; i++) {
    const called = await t.api('POST', `/windows/${windowId}/call-next`, undefined, bearer(token));
    if (called.status === 204) return;
    expect(called.status).toBe(200);
    await t.api('POST', `/tickets/${called.body.id}/no-show`, undefined, bearer(token));
  }
}

async function waitingAt(siteId = hall.siteId): Promise<number> {
  const res = await t.api('GET', `/sites/${siteId}/queue`, undefined, bearer(hall.tokens.supervisor));
  expect(res.status).toBe(200);
  return res.body.waiting.length as number;
}

/** A clerk signed in, at its window, attached to the live socket. */
async function clerkAt(username: string, windowNumber: number): Promise<Page> {
  const { page } = await open();
  await signIn(page, username, STAFF_PASSWORD);
  await page.getByTestId(`open-window-${windowNumber}`).waitFor();
  if (username === 'clerk' && windowNumber === 1) await shot(page, 'counter-window-picker');
  await page.getByTestId(`open-window-${windowNumber}`).click();
  await page.locator(`[data-testid=clerk-console][data-window="${windowNumber}"]`).waitFor();
  await page.locator('[data-testid=console-conn][data-online=yes]').waitFor();
  return page;
}

async function board(): Promise<Page> {
  const { page } = await open(TV);
  await page.goto(`/board/${hall.siteId}`);
  await page.locator('[data-testid=board][data-conn=online]').waitFor();
  await page.getByTestId('board-site').filter({ hasText: '测试政务服务中心' }).waitFor();
  return page;
}

/** What the board exposes for tests (web-counter/src/board/announcer.ts): texts spoken, and their timing. */
interface BoardWindow {
  __boardAnnouncements?: string[];
  __boardAnnouncementLog?: { text: string; startedAt: number | null; endedAt: number | null }[];
}
const announcements = (page: Page) => page.evaluate(() => (globalThis as BoardWindow).__boardAnnouncements ?? []);
const announcementLog = (page: Page) => page.evaluate(() => (globalThis as BoardWindow).__boardAnnouncementLog ?? []);

/** A citizen's phone following its ticket on the /hall socket, as the citizen app does. */
async function watchTicket(ticket: { id: string; accessToken: string }) {
  const socket = connectSocket(`${t.url}/hall`, { transports: ['websocket'], forceNew: true });
  sockets.push(socket);
  const updates: { status: string; windowNumber: number | null; number: string }[] = [];
  socket.on('ticket.updated', (e: { ticket: { status: string; windowNumber: number | null; number: string } }) => updates.push(e.ticket));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.emit('ticket:watch', { ticketId: ticket.id, accessToken: ticket.accessToken }, (r: { data?: unknown; error?: unknown }) => (r.error ? reject(new Error(JSON.stringify(r.error))) : resolve()));
    });
  });
  return updates;
}

/** Rationale: a bound on waiting, not a speed check; a page on a loaded 2-core host can lag by seconds. */
const UNTIL_MS = 30_000;
/**
 * Rationale: each test drives two or three pages through several screens (a call through the SFU too); on a
 * loaded 2-core host a test has taken over 30 s with every step passing.
 */
const TEST_MS = 120_000;

async function until(check: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + UNTIL_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('clerk console and hall board', { timeout: TEST_MS }, () => {
  it('a clerk calls the next ticket with F1; the board shows the row and speaks it; the citizen watching the ticket hears of it', async () => {
    expect(await waitingAt()).toBe(0);
    const tv = await board();
    const idNumber = residentId();
    const ticket = await issue(hall.services.general, hall.siteId, { channel: 'mobile', citizen: { name: '张三丰', idNumber, phone: '13812345678' } });
    const citizen = await watchTicket(ticket);
    await tv.getByTestId('board-waiting-A').filter({ hasText: /^1$/ }).waitFor();

    const clerk = await clerkAt('clerk', 1);
    await shot(clerk, 'counter-clerk-ready');
    // The queue beside the card shows the ticket before anyone calls it.
    await clerk.locator(`[data-testid=queue-list] [data-number="${ticket.number}"]`).waitFor();

    await clerk.keyboard.press('F1');
    await clerk.locator(`[data-testid=current-ticket][data-status=called][data-number="${ticket.number}"]`).waitFor();
    await expect.poll(() => clerk.getByTestId('current-status').innerText(), { timeout: UNTIL_MS }).toBe('已叫号');
    await clerk.locator('[data-testid=queue-list]').waitFor({ state: 'detached' });
    // Personal data only masked, and the full values nowhere in the page.
    const citizenText = await clerk.getByTestId('citizen').innerText();
    expect(citizenText).toContain('张*丰');
    expect(citizenText).toContain('138****5678');
    const html = await clerk.content();
    for (const secret of ['张三丰', '13812345678', idNumber]) expect(html).not.toContain(secret);

    // The board: the newest row and the big "now calling" panel, then the voice.
    const row = tv.locator(`[data-testid=board-calls] tr[data-number="${ticket.number}"]`);
    await row.filter({ hasText: '1 号窗口' }).waitFor();
    await tv.getByTestId('board-latest').filter({ hasText: ticket.number }).waitFor();
    await tv.getByTestId('board-waiting-A').filter({ hasText: /^0$/ }).waitFor();
    await until(async () => (await announcements(tv)).includes(spokenCall(ticket.number, 1)), 'the announcement');
    expect(await announcements(tv)).toEqual([spokenCall(ticket.number, 1)]);

    // The citizen's phone learnt which window to go to.
    await until(() => citizen.some((u) => u.status === 'called'), 'the citizen update');
    expect(citizen.find((u) => u.status === 'called')).toMatchObject({ number: ticket.number, windowNumber: 1 });

    // More people arrive (for the pictures): the clerk's queue fills in calling order.
    await issue(hall.services.complex);
    await issue(hall.services.general, hall.siteId, { priority: 'elderly' });
    await issue(hall.services.other);
    await clerk.locator('[data-testid=queue-list] li').nth(1).waitFor();
    await shot(clerk, 'counter-clerk-called');

    // The shift goes on from the keyboard: start, finish (F, then Enter takes the default outcome).
    await clerk.keyboard.press('s');
    await clerk.locator('[data-testid=current-ticket][data-status=serving]').waitFor();
    await clerk.keyboard.press('f');
    await clerk.locator('.ant-modal').filter({ hasText: `办结 ${ticket.number}` }).waitFor();
    await clerk.keyboard.press('Enter');
    await clerk.locator('[data-testid=current-ticket][data-status=done]').waitFor();
    const done = await t.api('GET', `/tickets/${ticket.id}`, undefined, bearer(hall.tokens.supervisor));
    expect(done.body.status).toBe('done');
  });

  it('announcements queue: a call and its recall a moment later are both spoken, in order, one after the other', async () => {
    await drain(hall.windows.w1, hall.tokens.clerk);
    const tv = await board();
    const before = (await announcements(tv)).length;
    const ticket = await issue();
    const clerk = await clerkAt('clerk', 1);
    await clerk.keyboard.press('F1');
    await clerk.locator(`[data-testid=current-ticket][data-status=called][data-number="${ticket.number}"]`).waitFor();
    // Recall at once: the first announcement is still playing (its chime alone lasts a second).
    await clerk.keyboard.press('r');
    await until(async () => (await announcements(tv)).length >= before + 2, 'two announcements');
    const text = spokenCall(ticket.number, 1);
    expect((await announcements(tv)).slice(before)).toEqual([text, text]);
    await until(async () => (await announcementLog(tv)).every((a) => a.endedAt !== null), 'both to finish');
    const [first, second] = (await announcementLog(tv)).slice(before);
    expect(first && second).toBeTruthy();
    // Never cut off: the second began only after the first had ended.
    expect(second!.startedAt!).toBeGreaterThanOrEqual(first!.endedAt!);
  });

  it('two clerks calling at the same instant never get the same ticket', async () => {
    await drain(hall.windows.w1, hall.tokens.clerk);
    await drain(hall.windows.w2, hall.tokens.clerk2);
    const a = await clerkAt('clerk', 1);
    const b = await clerkAt('clerk2', 2);
    // Items both windows serve.
    const issued = [await issue(), await issue(), await issue()];
    const seen: string[] = [];

    const numberAt = async (page: Page) => (await page.locator('[data-testid=current-ticket]').getAttribute('data-number')) ?? null;
    // What each page's call-next requests answered, for the failure message.
    const answers = new Map<Page, string[]>([[a, []], [b, []]]);
    for (const [p, log] of answers) {
      p.on('response', (r) => {
        if (r.url().includes('/call-next')) void r.text().then((body) => log.push(`${r.status()} ${body.slice(0, 120)}`), () => log.push(`${r.status()}`));
      });
    }
    for (let round = 0; round < 2; round++) {
      await Promise.all([a.keyboard.press('F1'), b.keyboard.press('F1')]);
      if (round === 0) {
        await Promise.all([a, b].map((p) => p.locator('[data-testid=current-ticket][data-status=called]').waitFor()));
        const [na, nb] = [await numberAt(a), await numberAt(b)];
        expect(na).not.toBeNull();
        expect(na).not.toBe(nb);
        seen.push(na!, nb!);
        for (const p of [a, b]) {
          await p.keyboard.press('n');
          await p.locator('[data-testid=current-ticket][data-status=noShow]').waitFor();
        }
      } else {
        // One ticket left for two clerks: exactly one gets it, the other is told nobody is waiting.
        const outcome = (p: Page) =>
          Promise.race([
            p.locator('[data-testid=current-ticket][data-status=called]').waitFor({ timeout: 15_000 }).then(() => 'called'),
            p.getByTestId('last-outcome').filter({ hasText: '当前没有可叫的号' }).waitFor({ timeout: 15_000 }).then(() => 'none'),
          ]).catch(async () => `neither: ${await p.locator('.ant-message-notice').allInnerTexts()} call-next answers: ${JSON.stringify(answers.get(p))}`);
        const [ra, rb] = await Promise.all([outcome(a), outcome(b)]);
        expect([ra, rb].sort()).toEqual(['called', 'none']);
        seen.push((await numberAt(ra === 'called' ? a : b))!);
      }
    }
    expect(new Set(seen).size).toBe(3);
    expect(seen.sort()).toEqual(issued.map((i) => i.number).sort());
  });

  it('a key pressed while the last action is still on its way is not lost: N then F1 at once calls the next', async () => {
    await drain(hall.windows.w1, hall.tokens.clerk);
    const page = await clerkAt('clerk', 1);
    const [first, second] = [await issue(), await issue()];
    await page.keyboard.press('F1');
    await page.locator(`[data-testid=current-ticket][data-status=called][data-number="${first.number}"]`).waitFor();
    // A slow link: the no-show's answer takes half a second, and F1 comes while it is on its way.
    await page.route('**/no-show', async (route) => {
      await new Promise((r) => setTimeout(r, 500));
      await route.continue();
    });
    await page.keyboard.press('n');
    await page.keyboard.press('F1');
    await page.locator(`[data-testid=current-ticket][data-status=called][data-number="${second.number}"]`).waitFor();
    const firstNow = await t.api('GET', `/tickets/${first.id}`, undefined, bearer(hall.tokens.clerk));
    expect(firstNow.body.status).toBe('noShow');
  });

  it('the board shows it is offline when the connection drops, and catches up with the calls it missed', async () => {
    await drain(hall.windows.w1, hall.tokens.clerk);
    const { page: tv, context } = await open(TV);
    await tv.goto(`/board/${hall.siteId}`);
    await tv.locator('[data-testid=board][data-conn=online]').waitFor();
    const ticket = await issue();

    await context.setOffline(true);
    await tv.getByTestId('board-offline').waitFor();
    // Called while the board was away: no event reaches it.
    const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    expect(called.body.number).toBe(ticket.number);
    await shot(tv, 'counter-board-offline');
    await context.setOffline(false);

    await tv.locator('[data-testid=board][data-conn=online]').waitFor({ timeout: 20_000 });
    await tv.locator(`[data-testid=board-calls] tr[data-number="${ticket.number}"]`).waitFor();
    await tv.getByTestId('board-offline').waitFor({ state: 'detached' });
    await shot(tv, 'counter-board');
  });
});

describe('hall board sequence', { timeout: TEST_MS }, () => {
  it('an event that shows others were missed (a seq gap) makes the board reload its full state', async () => {
    const tv = await board();
    // Earlier tests' coalesced queue.changed, still to be published, would take seq+1 and close the gap below.
    await t.app.deps.events.flush();
    const real = await t.api('GET', `/sites/${hall.siteId}/board`);
    const count = (real.body.waiting as Record<string, number>).A ?? 0;
    await tv.getByTestId('board-waiting-A').filter({ hasText: new RegExp(`^${count}$`) }).waitFor();
    // The board applies it, sees the gap, and reloads: the real count comes back from the server. (The
    // made-up 99 may show only for a moment: wait for the reload itself, not for a glimpse of it.)
    const reloaded = tv.waitForResponse((r) => new URL(r.url()).pathname.endsWith(`/sites/${hall.siteId}/board`), { timeout: 15_000 });
    // As if two events had been lost on the way: this one arrives with a seq two ahead, and made-up counts.
    t.app.io.of('/hall').to(`site:${hall.siteId}`).emit('queue.changed', { seq: real.body.seq + 2, siteId: hall.siteId, waiting: { A: 99 } });
    await reloaded;
    await tv.getByTestId('board-waiting-A').filter({ hasText: new RegExp(`^${count}$`) }).waitFor();
    // A later real event (seq continues from the server's own numbering) is applied as usual.
    await issue();
    await tv.getByTestId('board-waiting-A').filter({ hasText: new RegExp(`^${count + 1}$`) }).waitFor();
  });
});

describe('supervisor dashboard', { timeout: TEST_MS }, () => {
  it('shows waiting counts per site and rolled up the tree, changing live, and at-risk alerts', async () => {
    // An item at the community centre below the hall, so the roll-up has something to add.
    const svc = await t.api('POST', `/admin/sites/${hall.childSiteId}/services`, { code: 'CM1', name: '社区事务', category: 'A', complexity: 'general' }, bearer(hall.adminToken));
    expect(svc.status).toBe(201);
    const { page } = await open();
    await signIn(page, 'supervisor', STAFF_PASSWORD);
    await page.getByTestId('dashboard').waitFor();
    const hallCell = page.getByTestId('waiting-T-HALL');
    const commCell = page.getByTestId('waiting-T-COMM');
    await commCell.waitFor();
    const own = await waitingAt();
    const text = (n: number) => new RegExp(`^${n}$`);
    await hallCell.filter({ hasText: text(own) }).waitFor();

    await issue();
    await hallCell.filter({ hasText: text(own + 1) }).waitFor();
    await issue(svc.body.id, hall.childSiteId);
    await commCell.filter({ hasText: /^1$/ }).waitFor();
    // The district row counts its community centre too.
    await hallCell.filter({ hasText: text(own + 2) }).waitFor();
    await page.getByTestId('kpi-waiting').filter({ hasText: String(own + 2) }).waitFor();

    // A clerk calls one: the counts come down without a reload.
    await t.api('POST', `/windows/${hall.windows.w1}/open`, undefined, bearer(hall.tokens.clerk));
    const called = await t.api('POST', `/windows/${hall.windows.w1}/call-next`, undefined, bearer(hall.tokens.clerk));
    expect(called.status).toBe(200);
    await hallCell.filter({ hasText: text(own + 1) }).waitFor();

    // The at-risk sweep warns about tickets near their deadline: the alert panel lists them.
    expect(await t.app.queue.warnAtRisk(24 * 60 * 60_000)).toBeGreaterThan(0);
    await page.locator('[data-testid=alerts] .ant-tag').first().waitFor();
    // A case (办不成事) nearing its reply deadline: the sweep warns, and the panel lists it by its number.
    const filed = await t.api('POST', '/cases', { siteId: hall.siteId, kind: 'cannotBeDone', description: '材料反复被退回', contact: { phone: '13812345678' } });
    expect(filed.status).toBe(201);
    expect((await t.app.cases.sweep()).warned).toBeGreaterThan(0);
    await page.getByTestId(`case-alert-${filed.body.number}`).filter({ hasText: '前答复' }).waitFor();

    // Today's statistics (earlier tests served and finished tickets here): shares as percentages.
    await page.getByTestId('kpi-wsla').filter({ hasText: /\d+%/ }).waitFor();
    await page.getByTestId('kpi-hsla').filter({ hasText: /\d+%/ }).waitFor();
    await page.getByTestId('chart-by-item').locator('canvas').waitFor();
    await shot(page, 'counter-dashboard');

    // How right the wait estimate was, at issue and at the updates citizens saw later (earlier tests here
    // called tickets that were given one).
    await page.getByRole('tab', { name: '等候预估' }).click();
    await page.getByTestId('estimate-accuracy').getByText('今天：之后更新').waitFor();
    await page.getByTestId('estimate-in-range-today').filter({ hasText: /\d+%/ }).waitFor();

    // CSV export: one line per site, the district first, with the live waiting counts.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toContain('当前等候');
    expect(lines).toHaveLength(3);
    expect(lines[1]!.split(',').slice(0, 3)).toEqual(['测试政务服务中心', '区中心', String(own + 1)]);
    expect(lines[2]!.split(',').slice(0, 3)).toEqual(['  测试社区中心', '社区中心', '1']);

    // Drill down from the district to the community centre.
    await page.getByTestId('site-link-T-COMM').click();
    await page.getByTestId('kpis').filter({ hasText: '测试社区中心' }).waitFor();
    await page.getByTestId('kpi-waiting').filter({ hasText: /^当前等候1$/ }).waitFor();
  });
});

describe('video assistance', { timeout: TEST_MS }, () => {
  it('a clerk asks for help; it rings at the online expert with a countdown; accepting opens the call on both sides; the end leaves a record', async () => {
    const expert = (await open()).page;
    await signIn(expert, 'expert', STAFF_PASSWORD);
    await expert.getByTestId('expert-console').waitFor();
    await expert.locator('[data-testid=presence]:not([disabled])').click();
    await expert.getByText('接听中').waitFor();

    const clerk = await clerkAt('clerk2', 2);
    await clerk.keyboard.press('v');
    const dialog = clerk.locator('.ant-modal').filter({ hasText: '发起视频帮办' });
    await dialog.waitFor();
    await dialog.locator('textarea').fill('异地社保转移材料认定');
    await dialog.locator('.ant-btn-primary').click();
    await clerk.getByTestId('assist-ringing').waitFor();

    const request = expert.getByTestId('ringing-request');
    await request.filter({ hasText: '异地社保转移材料认定' }).filter({ hasText: '测试政务服务中心' }).waitFor();
    await expect.poll(() => expert.getByTestId('countdown').innerText(), { timeout: UNTIL_MS }).toMatch(/请在 \d+ 秒内接听/);
    await shot(expert, 'counter-expert-ringing');

    await expert.getByTestId('accept').click();
    await expert.locator('[data-testid=call-view][data-state=joined]').waitFor({ timeout: 20_000 });
    await clerk.locator('[data-testid=call-view][data-state=joined]').waitFor({ timeout: 20_000 });
    // Each side sees the other's camera on the stage.
    await expert.getByTestId('call-stage').waitFor({ timeout: 20_000 });
    await clerk.getByTestId('call-stage').waitFor({ timeout: 20_000 });
    // Document first: the clerk shares its screen; on the expert's side it takes the stage, faces go small.
    await clerk.getByTestId('call-share').click();
    await expert.locator('.call__stage-tag').filter({ hasText: '共享屏幕' }).waitFor({ timeout: 20_000 });
    await expert.locator('.call__faces .call__face:not(.call__face--self)').waitFor();
    // The shared screen's frames really arrive and play.
    await expert.waitForFunction(() => {
      const v = document.querySelector('[data-testid=call-stage]') as HTMLVideoElement | null;
      return !!v && v.videoWidth > 0 && v.currentTime > 0;
    }, undefined, { timeout: 20_000 });
    await shot(expert, 'counter-expert-call');

    await expert.getByTestId('call-hangup').click();
    await expert.getByTestId('session-record').filter({ hasText: '异地社保转移材料认定' }).filter({ hasText: 'clerk2' }).waitFor();
    // The clerk's side learns the session is over and shows the same record.
    await clerk.getByTestId('session-record').waitFor({ timeout: 15_000 });
    await clerk.getByTestId('call-view').waitFor({ state: 'detached' });
  });
});

describe('virtual window', { timeout: TEST_MS }, () => {
  it('calling at a virtual window opens the video room with the remote citizen beside the ticket', async () => {
    await drain(hall.windows.virtual, hall.tokens.clerk);
    const ticket = await issue(hall.services.general, hall.siteId, { channel: 'mobile' });
    const clerk = await clerkAt('clerk', 9);
    await clerk.keyboard.press('F1');
    await clerk.locator(`[data-testid=current-ticket][data-status=called][data-number="${ticket.number}"]`).waitFor();
    const call = clerk.getByTestId('remote-call');
    await call.locator('[data-testid=call-view][data-state=joined]').waitFor({ timeout: 20_000 });
    expect(await call.innerText()).toContain(`远程办理 ${ticket.number}`);
    // The citizen is told where to join: its ticket carries the same room.
    const seen = await t.api('GET', `/tickets/${ticket.id}?t=${ticket.accessToken}`);
    expect(seen.body.join?.roomId).toBeTruthy();

    // Finishing the ticket closes the room on the clerk's side.
    await clerk.keyboard.press('s');
    await clerk.locator('[data-testid=current-ticket][data-status=serving]').waitFor();
    await clerk.keyboard.press('f');
    await clerk.locator('.ant-modal').filter({ hasText: `办结 ${ticket.number}` }).waitFor();
    await clerk.keyboard.press('Enter');
    await clerk.locator('[data-testid=current-ticket][data-status=done]').waitFor();
    await call.waitFor({ state: 'detached' });
  });
});
