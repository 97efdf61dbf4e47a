/**
 * The virtual window in the page: a virtual window calls the citizen's ticket, the phone shows the call,
 * asks for camera and microphone, checks them, and joins the room on a real mediasoup worker (Chromium's
 * fake devices). Refusing the permission shows the help instead.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { createHall, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp } from '../helpers/test-app.ts';
import { freePortBase } from '../video/helpers.ts';
import { ensureCitizenBuilt, launchChromium, newPage, PHONE, shot } from './helpers.ts';

let t: TestApp;
let hall: Hall;
let browser: Browser;

beforeAll(async () => {
  ensureCitizenBuilt();
  const bin = await resolveMediasoupWorker();
  t = await createTestApp({ listen: true, webApps: true, env: { MEDIASOUP_WORKER_BIN: bin, YC_MEDIA_WORKERS: '1', YC_RTC_BASE_PORT: String(await freePortBase(1)) } });
  hall = await createHall(t);
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

// Rationale: a media join on a shared 2-core machine takes seconds.
describe('citizen app: virtual window', { timeout: 120_000 }, () => {
  it('a virtual window calls: the phone checks camera, microphone and network, then joins the video room', async () => {
    const page = await newPage(browser, PHONE, t.url);
    await page.goto(`/#/take/${hall.siteId}/${hall.services.general}`);
    await page.getByRole('button', { name: '确认取号' }).click();
    await page.locator('.ticket-number').waitFor();
    await page.locator('.conn.ok').waitFor();
    const ticketId = decodeURIComponent(page.url().split('#/ticket/')[1]!);

    expect((await t.api('POST', `/windows/${hall.windows.virtual}/open`, undefined, bearer(hall.tokens.clerk))).status).toBe(200);
    const called = await t.api('POST', `/windows/${hall.windows.virtual}/call-next`, undefined, bearer(hall.tokens.clerk));
    expect(called.body.id).toBe(ticketId);

    await page.getByRole('alertdialog').getByText('远程视频窗口在呼叫您').waitFor({ timeout: 15_000 });
    await page.getByRole('alertdialog').getByRole('button', { name: '进入视频办理' }).click();
    await page.getByRole('button', { name: '允许使用摄像头和麦克风' }).click();
    await page.getByText('通话前检查').waitFor();
    await page.locator('.checks li', { hasText: '摄像头' }).locator('.check-badge.ok').waitFor();
    await page.locator('.checks li', { hasText: '网络' }).locator('.check-badge.ok').waitFor();
    await shot(page, 'phone-video-check');
    await page.getByRole('button', { name: '开始视频' }).click();
    await page.locator('.call').waitFor({ timeout: 30_000 });
    // Stats arrive once media flows to the SFU: the quality badge shows.
    await page.locator('.quality').waitFor({ timeout: 30_000 });
    await shot(page, 'phone-video-call');
    await page.getByRole('button', { name: '挂断' }).click();
    await page.getByText('视频已结束').waitFor();
    await page.close();
  });

  it('when camera and microphone are refused, it explains how to allow them and offers to try again', async () => {
    const page = await newPage(browser, PHONE, t.url);
    // Stands in for the person tapping "Block" on the browser's prompt.
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await page.goto(`/#/take/${hall.siteId}/${hall.services.complex}`);
    await page.getByRole('button', { name: '确认取号' }).click();
    await page.locator('.ticket-number').waitFor();
    const ticketId = decodeURIComponent(page.url().split('#/ticket/')[1]!);
    await page.goto(`/#/video/${ticketId}`);
    await page.getByRole('button', { name: '允许使用摄像头和麦克风' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('没有拿到摄像头或麦克风的权限').waitFor();
    expect(await alert.innerText()).toContain('锁形图标');
    await alert.getByRole('button', { name: '再试一次' }).waitFor();
    await shot(page, 'phone-video-denied');
    await page.close();
  });
});
