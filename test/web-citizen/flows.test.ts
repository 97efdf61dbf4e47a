/**
 * Booking (book → check in → ticket), rating a finished ticket, reporting 办不成事, and forms that refuse
 * bad input without sending anything: the real app in Chromium against the real server.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHall, type Hall, residentId } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { ensureCitizenBuilt, KIOSK, launchChromium, newPage, PHONE, recordApiRequests, shot } from './helpers.ts';

let t: TestApp;
let hall: Hall;
let browser: Browser;

const ALL_DAY = [['00:00', '23:59']];

beforeAll(async () => {
  ensureCitizenBuilt();
  // Check-in opens three days ahead here, so the test books whatever slot comes first at any hour it runs.
  t = await createTestApp({ listen: true, webApps: true, env: { YC_CHECKIN_EARLY_MIN: String(3 * 24 * 60) } });
  hall = await createHall(t);
  const rules = await t.api('PUT', `/admin/sites/${hall.siteId}/services/${hall.services.general}/booking-rules`, {
    openingHours: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
    slotMinutes: 30, horizonDays: 7, appointmentShare: 1,
  }, bearer(hall.adminToken));
  expect(rules.status, JSON.stringify(rules.body)).toBe(200);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function clerk(path: string, body?: unknown) {
  const res = await t.api('POST', path, body, bearer(hall.tokens.clerk));
  expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

/** Opens the booking page and picks the first slot with places left (today, else the next day that has one). */
async function pickFirstSlot(page: Page) {
  await page.goto(`/#/book/${hall.siteId}/${hall.services.general}`);
  await chooseSlot(page, 0);
}

/** On the booking page: the `nth` slot with places left, on the first day that has one. */
async function chooseSlot(page: Page, nth: number) {
  const days = page.locator('.days .day');
  await days.first().waitFor();
  for (let i = 0; i < 3; i++) {
    await days.nth(i).click();
    // Wait for this day's answer: its slots, or the "no slots" note (late at night, today has none left).
    const answer = page.locator('.slots, .choices .empty');
    await page.locator('.choices .loading').waitFor({ state: 'detached' }).catch(() => undefined);
    await answer.first().waitFor();
    const slot = page.locator('.slots .slot:not([disabled])').nth(nth);
    if (await slot.count()) {
      await slot.click();
      return;
    }
  }
  throw new Error('no bookable slot in three days');
}

// Rationale: each test drives several screens on a 2-core machine shared with other suites.
describe('citizen app: booking, rating, reporting', { timeout: 120_000 }, () => {
  it('books a slot, shows the code and QR, checks in from "my bookings" and gets a ticket', async () => {
    const page = await newPage(browser, PHONE, t.url);
    await pickFirstSlot(page);
    await page.getByLabel('姓名').fill('张三');
    await page.getByLabel('身份证号').fill(residentId());
    await page.getByLabel('手机号').fill('138 1234 5678');
    await shot(page, 'phone-book');
    await page.getByRole('button', { name: /确认预约/ }).click();
    const card = page.locator('[data-appointment-code]');
    await card.waitFor();
    const code = await card.getAttribute('data-appointment-code');
    expect(code).toMatch(/^[A-Z0-9]{4,16}$/);
    await page.locator('.qr svg').waitFor();
    await shot(page, 'phone-booked');
    // Nothing personal stays in the page's storage: only ids, codes and tokens.
    const stored = await page.evaluate(() => JSON.stringify(localStorage));
    expect(stored).not.toContain('张三');
    expect(stored).not.toContain('13812345678');

    await page.getByRole('button', { name: '我的预约' }).click();
    await page.locator('[data-appointment-status="booked"]').waitFor();

    // Change the time: another slot, same booking.
    const before = await page.locator('[data-appointment-status]').innerText();
    await page.getByRole('button', { name: '改约时间' }).click();
    await chooseSlot(page, 1);
    await page.getByRole('button', { name: /改约时间/ }).click();
    await page.locator('[data-appointment-status="booked"]').waitFor();
    const after = await page.locator('[data-appointment-status]').innerText();
    expect(after).not.toBe(before);
    expect(after).toContain(code!);

    await page.getByRole('button', { name: '我到了，签到' }).click();
    await page.waitForURL(/#\/ticket\//);
    await page.locator('.ticket-number').waitFor();
    await page.locator('[data-ticket-status="waiting"]').waitFor();
    const ticketId = decodeURIComponent(page.url().split('#/ticket/')[1]!);
    const ticket = await t.api('GET', `/tickets/${ticketId}`, undefined, bearer(hall.tokens.clerk));
    expect(ticket.body.channel).toBe('appointment');
    expect(ticket.body.appointmentId).toBeTruthy();
    await page.close();
  });

  it('a bad identity form shows the field errors and sends nothing', async () => {
    const page = await newPage(browser, PHONE, t.url);
    const requests = recordApiRequests(page);
    await pickFirstSlot(page);
    await page.getByLabel('姓名').fill('张三');
    // Wrong check digit (GB 11643) and a number that is not a mainland mobile.
    const good = residentId();
    await page.getByLabel('身份证号').fill(good.slice(0, 17) + (good[17] === '0' ? '1' : '0'));
    await page.getByLabel('手机号').fill('12345');
    await page.getByRole('button', { name: /确认预约/ }).click();
    await page.locator('#bk-idNumber-error').waitFor();
    expect(await page.locator('#bk-idNumber-error').innerText()).toContain('身份证号不正确');
    expect(await page.locator('#bk-phone-error').innerText()).toContain('手机号不正确');
    expect(await page.locator('#bk-name-error').count()).toBe(0);
    // Focus goes to the first field to fix.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('bk-idNumber');
    await shot(page, 'phone-form-errors');
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
    await page.close();
  });

  it('rates a finished ticket; a low score asks why and answers with a follow-up case', async () => {
    const page = await newPage(browser, PHONE, t.url);
    await page.goto(`/#/take/${hall.siteId}/${hall.services.complex}`);
    await page.getByRole('button', { name: '确认取号' }).click();
    await page.locator('.ticket-number').waitFor();
    const ticketId = decodeURIComponent(page.url().split('#/ticket/')[1]!);
    await clerk(`/windows/${hall.windows.w1}/open`);
    for (;;) {
      const called = await clerk(`/windows/${hall.windows.w1}/call-next`);
      await clerk(`/tickets/${called.id}/start`);
      await clerk(`/tickets/${called.id}/finish`, {});
      if (called.id === ticketId) break;
    }
    await page.locator('[data-ticket-status="done"]').waitFor();
    await page.getByRole('button', { name: '评价这次服务' }).click();
    await page.getByLabel('不满意', { exact: true }).check();
    await page.getByLabel('等候时间长').check();
    await shot(page, 'phone-rate');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('谢谢您的评价！').waitFor();
    expect(await page.getByText(/跟进单号/).innerText()).toMatch(/CP\d+/);
    // The server holds the rating (read with the ticket's pass, as the phone keeps it).
    const token = await page.evaluate((id) => (JSON.parse(localStorage.getItem('yc.tickets') ?? '[]') as { id: string; token: string }[]).find((x) => x.id === id)?.token, ticketId);
    const rating = await t.api('GET', `/tickets/${ticketId}/rating`, undefined, { 'x-access-token': token! });
    expect(rating.body.score).toBe(2);
    expect(rating.body.reasons).toEqual(['等候时间长']);
    await page.close();
  });

  it('reports 办不成事 and shows the case number; an empty report sends nothing', async () => {
    const page = await newPage(browser, PHONE, t.url);
    const requests = recordApiRequests(page);
    await page.goto('/#/report');
    await page.getByRole('button', { name: '提交反映' }).click();
    await page.locator('#rp-description-error').waitFor();
    await page.locator('#rp-phone-error').waitFor();
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);

    await page.getByLabel('在哪个服务点').selectOption(hall.siteId);
    await page.getByLabel('遇到了什么问题').fill('材料都带齐了，窗口说系统里查不到我的社保记录，办不了');
    await page.getByLabel('联系电话').fill('13912345678');
    await page.getByRole('button', { name: '提交反映' }).click();
    const number = await page.locator('[data-case-number]').getAttribute('data-case-number');
    expect(number).toMatch(/^BC\d+/);
    await shot(page, 'phone-report-done');
    await page.close();
  });

  it('elderly mode enlarges the page and skips the priority question', async () => {
    const page = await newPage(browser, PHONE, t.url);
    await page.goto('/');
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const before = await size();
    await page.getByRole('button', { name: /长者模式/ }).click();
    expect(await page.getByRole('button', { name: /长者模式/ }).getAttribute('aria-pressed')).toBe('true');
    expect(await size()).toBeGreaterThan(before);
    await shot(page, 'phone-elderly-home');
    await page.goto(`/#/take/${hall.siteId}/${hall.services.general}`);
    await page.getByRole('button', { name: '确认取号' }).waitFor();
    expect(await page.getByText('您是否属于以下人群？').count()).toBe(0);
    await page.getByRole('button', { name: '确认取号' }).click();
    await page.locator('.ticket-number').waitFor();
    const ticketId = decodeURIComponent(page.url().split('#/ticket/')[1]!);
    const ticket = await t.api('GET', `/tickets/${ticketId}`, undefined, bearer(hall.tokens.clerk));
    expect(ticket.body.priority).toBe('elderly');
    await shot(page, 'phone-elderly-ticket');
    await page.close();
  });

  it('finds places: the site tree with waiting counts, and search by pinyin initials', async () => {
    // An item with its pinyin initials, as the demo data has for every item.
    const svc = await t.api('POST', `/admin/sites/${hall.siteId}/services`, { code: 'SB01', name: '社保卡补办', category: 'B', complexity: 'general', pinyin: 'sbkbb', materialsNote: '身份证' }, bearer(hall.adminToken));
    expect(svc.status, JSON.stringify(svc.body)).toBe(201);
    await t.api('POST', `/admin/sites/${hall.siteId}/windows`, { number: 5, name: '社保窗口', kind: 'physical', serviceIds: [svc.body.id] }, bearer(hall.adminToken));
    const page = await newPage(browser, PHONE, t.url);
    await page.goto('/#/places');
    await page.getByRole('button', { name: /^测试政务服务中心/ }).waitFor();
    // The tree folds: the community centre sits under the district centre.
    await page.getByRole('button', { name: /收起下级.*测试政务服务中心/ }).click();
    expect(await page.getByRole('button', { name: /^测试社区中心/ }).count()).toBe(0);
    await page.getByRole('button', { name: /展开下级.*测试政务服务中心/ }).click();
    await page.getByRole('button', { name: /^测试社区中心/ }).waitFor();
    const badge = page.locator('.site-row', { hasText: '其他中心' }).locator('.badge');
    expect(await badge.innerText()).toBe('0 人等候');
    // Someone takes a ticket there: the count follows without a reload.
    const other = await t.api('GET', `/sites/${hall.otherSiteId}/services`);
    expect((await t.api('POST', `/sites/${hall.otherSiteId}/tickets`, { serviceId: other.body[0].id, channel: 'kiosk' })).status).toBe(201);
    await page.locator('.site-row', { hasText: '其他中心' }).locator('.badge', { hasText: '1 人等候' }).waitFor({ timeout: 15_000 });
    await shot(page, 'phone-places');
    // Nearby, with the citizen's permission to use its position.
    await page.context().grantPermissions(['geolocation'], { origin: t.url });
    await page.context().setGeolocation({ latitude: 31.16, longitude: 121.13 });
    await page.getByRole('tab', { name: '离我最近' }).click();
    await page.getByRole('button', { name: /使用我的位置/ }).click();
    const nearest = page.locator('.cards .card').first();
    await nearest.waitFor();
    expect(await nearest.innerText()).toMatch(/测试政务服务中心[\s\S]*(\d+ 米|[\d.]+ 公里)/);
    await shot(page, 'phone-nearby');

    await page.getByRole('tab', { name: '搜索事项' }).click();
    await page.locator('#svc-search').fill('sbk');
    await page.locator('.card-title', { hasText: '社保卡补办' }).waitFor();
    expect(await page.locator('.cards .card').first().innerText()).toContain('身份证');
    await shot(page, 'phone-search');
    await page.getByRole('button', { name: '这件事去哪儿最快' }).first().click();
    await page.locator('.ranked .card').first().waitFor();
    const best = await page.locator('.ranked .card').first().innerText();
    expect(best).toContain('测试政务服务中心');
    // With the position known, travel counts in: 路上约 N 分钟 + 排队约 M 分钟.
    expect(best).toMatch(/路上约 \d+ 分钟/);
    await page.close();
  });

  it('kiosk check-in by booking code needs the kiosk signed in by staff, then gives a ticket', async () => {
    // A booking made through the API, as from someone's phone.
    let slot: { start: string; remaining: number } | undefined;
    for (let day = 0; !slot && day < 3; day++) {
      // Dates in Shanghai time (UTC+8).
      const date = new Date(Date.now() + 8 * 3600_000 + day * 86_400_000).toISOString().slice(0, 10);
      const res = await t.api('GET', `/sites/${hall.siteId}/services/${hall.services.general}/slots?date=${date}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      slot = (res.body as { start: string; remaining: number }[]).find((s) => s.remaining > 0);
    }
    const booked = await t.api('POST', '/appointments', { siteId: hall.siteId, serviceId: hall.services.general, start: slot!.start, citizen: { name: '李四', idNumber: residentId('32058419800202123'), phone: '13700001111' } });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);

    const page = await newPage(browser, KIOSK, t.url);
    await page.goto('/?kiosk=1&site=T-HALL#/checkin');
    await page.getByText('这台机器还没有开通签到').waitFor();
    await page.getByLabel('工作人员账号').fill('clerk');
    await page.getByLabel('密码').fill('staff-pass-123');
    await page.getByRole('button', { name: '开通' }).click();
    // A barcode reader types what the booking QR holds.
    await page.getByLabel('请输入预约码').fill(`YC-A:${booked.body.code}`);
    await shot(page, 'kiosk-checkin');
    await page.getByRole('button', { name: '我到了，签到' }).click();
    await page.locator('.ticket-number').waitFor();
    await page.locator('[data-qr]').waitFor();
    await page.close();
  });
});
