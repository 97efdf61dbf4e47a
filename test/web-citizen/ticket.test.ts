/**
 * Take a ticket on a phone, follow it live, and see the call: the clerk works through the real API while
 * the page listens on the real /hall socket.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { ensureCitizenBuilt, KIOSK, launchChromium, newPage, PHONE, shot } from './helpers.ts';

let t: TestApp;
let hall: Hall;
let browser: Browser;

beforeAll(async () => {
  ensureCitizenBuilt();
  t = await createTestApp({ listen: true, webApps: true });
  hall = await createHall(t);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function clerk(method: 'POST', path: string, body?: unknown) {
  const res = await t.api(method, path, body, bearer(hall.tokens.clerk));
  expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

/** Calls at the window until `ticketId` comes up, serving whoever was ahead (earlier tests' leftovers). */
async function callUntil(windowId: string, ticketId: string) {
  for (let i = 0; i < 10; i++) {
    const called = await clerk('POST', `/windows/${windowId}/call-next`);
    expect(called, 'the queue ran dry before our ticket').toBeTruthy();
    if (called.id === ticketId) return called;
    await clerk('POST', `/tickets/${called.id}/start`);
    await clerk('POST', `/tickets/${called.id}/finish`, {});
  }
  throw new Error('ticket never called');
}

async function takeOnPage(page: Page, serviceName: string): Promise<string> {
  await page.goto(`/#/site/${hall.siteId}`);
  await page.getByRole('button', { name: serviceName }).click();
  await page.getByRole('button', { name: /现场取号/ }).click();
  await page.getByRole('button', { name: '确认取号' }).click();
  await page.waitForURL(/#\/ticket\//);
  await page.locator('.ticket-number').waitFor();
  return decodeURIComponent(page.url().split('#/ticket/')[1]!);
}

/** Rationale: a bound on waiting for a live update, not a speed check: a loaded 2-core host lags by seconds. */
const LIVE_MS = 15_000;

// Rationale: each test drives several screens on a 2-core machine shared with other suites.
describe('citizen app: ticket', { timeout: 120_000 }, () => {
  it('takes a ticket, shows the people ahead changing live, survives a reload, and shows the window when called', async () => {
    const page = await newPage(browser, PHONE, t.url);
    await page.goto('/');
    await shot(page, 'phone-home');

    // Someone is already waiting for the same item.
    const before = await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' });
    expect(before.status).toBe(201);

    const ticketId = await takeOnPage(page, '居住证办理');
    const number = (await page.locator('.ticket-number').innerText()).trim();
    expect(number).toMatch(/^A\d+$/);
    await page.locator('.conn.ok').waitFor();
    await page.locator('.ahead', { hasText: '前面还有 1 人' }).waitFor();
    await page.locator('.eta').waitFor();
    await shot(page, 'phone-ticket');

    // The clerk calls the first ticket: ours moves up without a reload.
    await clerk('POST', `/windows/${hall.windows.w1}/open`);
    const first = await clerk('POST', `/windows/${hall.windows.w1}/call-next`);
    expect(first.id).toBe(before.body.id);
    await page.locator('.ahead', { hasText: '您排在第一位' }).waitFor({ timeout: LIVE_MS });
    await clerk('POST', `/tickets/${first.id}/start`);
    await clerk('POST', `/tickets/${first.id}/finish`, {});

    // A reload keeps the ticket (the access token stays on the phone) and reconnects.
    await page.reload();
    await page.locator('.ticket-number', { hasText: number }).waitFor();
    await page.locator('.conn.ok').waitFor();

    const callSentAt = Date.now();
    const called = await clerk('POST', `/windows/${hall.windows.w1}/call-next`);
    expect(called.id).toBe(ticketId);
    // The issue asks that the window show within a second of the call. That speed is measured by bench/
    // (ticket.called fan-out), not here on a loaded test machine: here the call must show, and the figure
    // is logged.
    await page.locator('.overlay.called [data-window="1"]').waitFor({ timeout: LIVE_MS });
    process.stdout.write(`[web-citizen] the call showed on the phone ${Date.now() - callSentAt} ms after call-next was sent\n`);
    await page.getByRole('alertdialog').filter({ hasText: '请到 1 号窗口' }).waitFor();
    await shot(page, 'phone-called');
    await page.close();
  });

  it('a missed event is recovered: after the socket drops and the ticket is called meanwhile, the page shows the call on reconnect', async () => {
    const page = await newPage(browser, PHONE, t.url);
    const ticketId = await takeOnPage(page, '公积金提取');
    await page.locator('.conn.ok').waitFor();
    // Cut the network: socket and HTTP both fail while the clerk calls.
    await page.context().setOffline(true);
    await page.locator('.conn.off').waitFor({ timeout: 15_000 });
    await clerk('POST', `/windows/${hall.windows.w2}/open`);
    await callUntil(hall.windows.w2, ticketId);
    await page.context().setOffline(false);
    await page.locator('.overlay.called [data-window="2"]').waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('a late event of an earlier step does not move the screen backwards', async () => {
    const page = await newPage(browser, PHONE, t.url);
    const ticketId = await takeOnPage(page, '公积金提取');
    const room = `ticket:${ticketId}`;
    const hallNs = t.app.io.of('/hall');
    const asWaiting = (await t.api('GET', `/tickets/${ticketId}`, undefined, bearer(hall.tokens.clerk))).body;
    expect(asWaiting.status).toBe('waiting');
    await page.locator('.conn.ok').waitFor();
    // The page has joined its ticket's room: what the server sends there reaches it.
    await expect.poll(async () => (await hallNs.in(room).fetchSockets()).length, { timeout: LIVE_MS }).toBe(1);
    await clerk('POST', `/windows/${hall.windows.w2}/open`);
    const asCalled = await callUntil(hall.windows.w2, ticketId);
    await clerk('POST', `/tickets/${ticketId}/start`);
    await page.locator('[data-ticket-status="serving"]').waitFor({ timeout: LIVE_MS });

    // Updates of the steps before arrive now, late. Seq 0 is no gap, so nothing makes the page ask again.
    hallNs.to(room).emit('ticket.updated', { seq: 0, ticket: asWaiting });
    hallNs.to(room).emit('ticket.updated', { seq: 0, ticket: asCalled });
    hallNs.to(room).emit('ticket.called', {
      seq: 0, ticketId, number: asCalled.number, windowId: asCalled.windowId, windowNumber: asCalled.windowNumber,
      siteId: hall.siteId, calledAt: asCalled.calledAt, recall: false,
    });
    // Then the server drops the socket: the page handles that after the updates (one connection keeps
    // order), and shows it at once without asking for the ticket again, so what it shows then is what
    // those updates left.
    hallNs.in(room).disconnectSockets();
    await page.locator('.conn.off').waitFor({ timeout: LIVE_MS });
    expect(await page.locator('.ticket-card').getAttribute('data-ticket-status')).toBe('serving');
    await page.close();
  });

  it('a ticket moved to another item at the window: the phone follows it to the new number and says why', async () => {
    const page = await newPage(browser, PHONE, t.url);
    const ticketId = await takeOnPage(page, '公积金提取');
    await clerk('POST', `/windows/${hall.windows.w2}/open`);
    await callUntil(hall.windows.w2, ticketId);
    await clerk('POST', `/tickets/${ticketId}/start`);
    const next = await clerk('POST', `/tickets/${ticketId}/transfer`, { serviceId: hall.services.general });
    // The app moves with history.replaceState: read the address itself rather than wait for a navigation.
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash)), { timeout: LIVE_MS }).toBe(`#/ticket/${next.id}`);
    await page.getByTestId('transferred-in').waitFor({ timeout: LIVE_MS });
    await expect.poll(() => page.locator('.ticket-number').textContent(), { timeout: LIVE_MS }).toBe(next.number);
    await page.locator('[data-ticket-status="waiting"]').waitFor();
    await page.close();
  });

  it('cancelling asks first, then leaves the queue', async () => {
    const page = await newPage(browser, PHONE, t.url);
    const ticketId = await takeOnPage(page, '不动产登记');
    await page.getByRole('button', { name: '不办了，取消排队' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: '确定' }).click();
    await page.locator('[data-ticket-status="cancelled"]').waitFor();
    const res = await t.api('GET', `/tickets/${ticketId}`, undefined, bearer(hall.tokens.clerk));
    expect(res.body.status).toBe('cancelled');
    await page.close();
  });

  it('works by keyboard alone, and every control has a name for screen readers', async () => {
    const page = await newPage(browser, PHONE, t.url);
    const unnamed = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('button, input, select, textarea, a[href]')]
          .filter((el) => {
            const e = el as HTMLElement;
            const labelled = e.getAttribute('aria-label') || (e.id && document.querySelector(`label[for="${e.id}"]`)) || e.closest('label');
            return !labelled && !(e.textContent ?? '').trim();
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
    /** Tabs forward until the focused control's text contains `text`, then presses Enter. */
    const tabTo = async (text: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
        if (focused.includes(text)) return page.keyboard.press('Enter');
      }
      throw new Error(`could not reach "${text}" with Tab`);
    };
    await page.goto('/');
    await page.locator('.home').waitFor();
    expect(await unnamed()).toEqual([]);
    await tabTo('找办事地点');
    await page.locator('.tree').waitFor();
    expect(await unnamed()).toEqual([]);
    await tabTo('测试政务服务中心');
    await page.locator('.cards.services').waitFor();
    await tabTo('居住证办理');
    await tabTo('现场取号');
    await page.getByText('您是否属于以下人群？').waitFor();
    expect(await unnamed()).toEqual([]);
    await tabTo('确认取号');
    await page.locator('.ticket-number').waitFor();
    expect(await unnamed()).toEqual([]);
    await page.close();
  });

  it('in English, the same flow reads in English', async () => {
    const page = await newPage(browser, PHONE, t.url);
    await page.goto('/');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Hello, what do you need to do?' }).waitFor();
    await page.close();
  });

  it('kiosk: takes a ticket with a QR to follow on a phone, keeps nothing on the device, and resets when idle', async () => {
    const page = await newPage(browser, KIOSK, t.url);
    // Rationale: idle after 15 s (the countdown shows for the last 5): enough for the steps below between the
    // last touch of the flow and the touch that starts the idle wait, on a loaded machine.
    await page.goto(`/?kiosk=1&site=T-HALL&idle=15#/`);
    await page.locator('.kiosk-foot').waitFor();
    await shot(page, 'kiosk-home');
    await page.getByRole('button', { name: /取号排队/ }).click();
    await page.getByRole('button', { name: '居住证办理' }).click();
    await page.getByRole('button', { name: /现场取号/ }).click();
    await page.getByRole('button', { name: '确认取号' }).click();
    await page.locator('.ticket-number').waitFor();
    const kioskTicketId = page.url().split('#/ticket/')[1]!;
    const number = (await page.locator('.ticket-number').innerText()).trim();
    const qr = await page.locator('[data-qr]').getAttribute('data-qr');
    expect(qr).toMatch(/#\/t\/[0-9a-f-]{36}\/.+/);
    await page.locator('.qr svg').waitFor();
    await shot(page, 'kiosk-ticket');
    const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('yc.')));
    expect(stored).toEqual([]);

    // Left alone from a last touch now (a key press: it also dismisses a countdown already showing), the
    // kiosk warns, then goes back to the start screen.
    await page.keyboard.press('Shift');
    await page.locator('.overlay.idle').waitFor({ timeout: 30_000 });
    await page.locator('.home').waitFor({ timeout: 30_000 });
    expect(page.url()).not.toContain('/ticket/');

    // The phone that scans the kiosk's QR follows the same ticket, after the kiosk has forgotten it.
    const phone = await newPage(browser, PHONE, t.url);
    await phone.goto(qr!.replace(t.url, ''));
    await phone.locator('.ticket-number', { hasText: new RegExp(`^${number}$`) }).waitFor();
    await phone.close();

    // The next person cannot open the last one's ticket: the kiosk no longer holds its pass.
    await page.evaluate((id) => { location.hash = `#/ticket/${id}`; }, kioskTicketId);
    await page.getByText('找不到这个号').waitFor();
    await page.close();
  });

  it('behind a long queue, the wait shows as a range with how often it holds, in plain words', async () => {
    // Eight ahead for an item at most three windows serve: the wait is several services long.
    for (let i = 0; i < 8; i++) {
      expect((await t.api('POST', `/sites/${hall.siteId}/tickets`, { serviceId: hall.services.general, channel: 'kiosk' })).status).toBe(201);
    }
    const page = await newPage(browser, PHONE, t.url);
    await takeOnPage(page, '居住证办理');
    const eta = page.locator('.eta', { hasText: /预计等候 \d+–\d+ 分钟/ });
    await eta.waitFor({ timeout: LIVE_MS });
    const [, low, high] = /(\d+)–(\d+)/.exec(await eta.innerText()) ?? [];
    expect(Number(low)).toBeLessThan(Number(high));
    await page.locator('.eta-how', { hasText: '通常 10 个人里约有 8 个在这段时间内叫到号' }).waitFor();
    await shot(page, 'phone-ticket-range');
    await page.close();
  });
});
