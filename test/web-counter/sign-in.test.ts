/**
 * The staff app's sign-in asks for what the server asks for (issue #14 items 2 and 6): an authenticator
 * code for an account with TOTP, a published password refused with the way out (an administrator resets it). Real server, the built app,
 * Chromium.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { totpCode } from '../../server/src/auth/totp.ts';
import { staff } from '../../server/src/db/schema/index.ts';
import { hashPassword } from '../../server/src/lib/secrets.ts';
import { createHall, type Hall, login, STAFF_PASSWORD } from '../helpers/fixtures.ts';
import { bearer, createTestApp, type TestApp, type TestDatabase } from '../helpers/test-app.ts';
import { createCounterDatabase, ensureCounterBuilt, launchChromium, newPage, type TestPage } from './helpers.ts';

let t: TestApp;
let hall: Hall;
let browser: Browser;
let database: TestDatabase;
const pages: TestPage[] = [];

beforeAll(async () => {
  ensureCounterBuilt();
  database = await createCounterDatabase();
  t = await createTestApp({ listen: true, webApps: true, database, env: { YC_MEDIA: '0' } });
  hall = await createHall(t);
  browser = await launchChromium();
}, 300_000);
afterEach(async () => {
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

describe('staff sign-in', { timeout: 120_000 }, () => {
  it('asks a supervisor with TOTP for the authenticator code after the password, and signs in with it', async () => {
    const token = await login(t, 'supervisor');
    const setup = await t.api('POST', '/auth/totp/setup', undefined, bearer(token));
    const secret = setup.body.secret as string;
    expect((await t.api('POST', '/auth/totp/enable', { code: totpCode(secret, Date.now()) }, bearer(token))).status).toBe(204);
    // The next code: the one used to enable is spent.
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 200));

    const p = await newPage(browser, t.url);
    pages.push(p);
    await p.page.goto('/counter/');
    await p.page.getByTestId('login-username').fill('supervisor');
    await p.page.getByTestId('login-password').fill(STAFF_PASSWORD);
    await p.page.getByTestId('login-submit').click();
    await p.page.getByTestId('login-totp').waitFor();
    expect(await p.page.getByTestId('login-error').textContent()).toContain('动态验证码');
    await p.page.getByTestId('login-totp').fill(totpCode(secret, Date.now()));
    await p.page.getByTestId('login-submit').click();
    await p.page.getByTestId('staff-name').waitFor();
  });

  it('tells a clerk with a published password to ask an administrator, who resets it; the clerk then signs in', async () => {
    // An account the demo left behind (no new account can be made with a published password).
    const r = await t.api('POST', '/admin/staff', { username: 'newclerk', password: 'a-first-pass-2026', displayName: '新同事', role: 'clerk', siteIds: [hall.siteId] }, bearer(hall.adminToken));
    expect(r.status).toBe(201);
    await t.app.deps.db.update(staff).set({ passwordHash: await hashPassword('demo12345') }).where(eq(staff.id, r.body.id));
    const p = await newPage(browser, t.url);
    pages.push(p);
    await p.page.goto('/counter/');
    await p.page.getByTestId('login-username').fill('newclerk');
    await p.page.getByTestId('login-password').fill('demo12345');
    await p.page.getByTestId('login-submit').click();
    // Anyone could type a published password: it opens nothing, not even a password change.
    await expect.poll(() => p.page.getByTestId('login-error').textContent()).toContain('联系管理员');
    expect(await p.page.getByTestId('login-new-password').count()).toBe(0);
    expect((await t.api('POST', `/admin/staff/${r.body.id}/password`, { newPassword: 'a-better-pass-2026' }, bearer(hall.adminToken))).status).toBe(204);
    await p.page.getByTestId('login-password').fill('a-better-pass-2026');
    await p.page.getByTestId('login-submit').click();
    await p.page.getByTestId('staff-name').waitFor();
  });

  it('an administrator turns two-step sign-in on in the app (QR code and key), sign-in then asks for the code, and a current code turns it off', async () => {
    const p = await newPage(browser, t.url);
    pages.push(p);
    await p.page.goto('/counter/');
    await p.page.getByTestId('login-username').fill(t.config.adminUser);
    await p.page.getByTestId('login-password').fill(t.config.adminPassword);
    await p.page.getByTestId('login-submit').click();
    await p.page.getByTestId('two-step-open').click();
    const dialog = p.page.getByTestId('two-step-dialog');
    await dialog.locator('.ant-qrcode canvas').waitFor();
    const secret = (await p.page.getByTestId('two-step-secret').innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // A wrong code is refused in plain words and turns nothing on.
    await p.page.getByTestId('two-step-code').fill('000000');
    await p.page.getByTestId('two-step-submit').click();
    await p.page.getByTestId('two-step-error').filter({ hasText: '验证码不对' }).waitFor();
    await p.page.getByTestId('two-step-code').fill(totpCode(secret, Date.now()));
    await p.page.getByTestId('two-step-submit').click();
    await p.page.getByTestId('two-step-done').filter({ hasText: '已开启' }).waitFor();

    const again = await t.api('POST', '/auth/login', { username: t.config.adminUser, password: t.config.adminPassword });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('TOTP_REQUIRED');

    // Opened again, the dialog says it is on, and a current code turns it off (the code used above is spent).
    await p.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await p.page.getByTestId('two-step-open').click();
    await p.page.getByTestId('two-step-state').filter({ hasText: '已开启两步验证' }).waitFor();
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 200));
    await p.page.getByTestId('two-step-code').fill(totpCode(secret, Date.now()));
    await p.page.getByTestId('two-step-submit').click();
    await p.page.getByTestId('two-step-done').filter({ hasText: '已关闭' }).waitFor();
    expect((await t.api('POST', '/auth/login', { username: t.config.adminUser, password: t.config.adminPassword })).status).toBe(200);
  });
});
