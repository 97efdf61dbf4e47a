/**
 * Staff sign-in as an attacker and as an administrator meet it (issue #14 items 2, 6, and 10's lockout
 * message): parallel guessing gets no further than serial guessing, a lockout reads the same whether or not
 * the account exists, the TOTP second factor, and published passwords that open nothing outside the demo.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../server/src/auth/totp.ts';
import { DEFAULT_ADMIN_PASSWORD } from '../../server/src/config.ts';
import { DEMO_PASSWORD } from '../../server/src/seed/demo-data.ts';
import { seedDemo } from '../../server/src/seed/demo-seed.ts';
import { manualClock } from '../../server/src/lib/clock.ts';
import { createHall, login, STAFF_PASSWORD, type Hall } from '../helpers/fixtures.ts';
import { bearer, createTestApp, createTestDatabase, type TestApp } from '../helpers/test-app.ts';

const THRESHOLD = 5;
const clock = manualClock(Date.parse('2026-11-23T09:00:00+08:00'));
let t: TestApp;
let hall: Hall;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { YC_LOGIN_FAILURES_BEFORE_LOCKOUT: String(THRESHOLD), YC_RATE_LOGINS_PER_MIN: '100000' } });
  hall = await createHall(t);
  // Two more clerks to guess at, with the password the fixtures give every clerk.
  for (const username of ['target1', 'target2']) {
    const r = await t.api('POST', '/admin/staff', { username, password: STAFF_PASSWORD, displayName: username, role: 'clerk', siteIds: [hall.siteId] }, bearer(hall.adminToken));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
}, 60_000);
afterAll(async () => t?.close());

const attempt = (username: string, password: string, totp?: string) => t.api('POST', '/auth/login', { username, password, ...(totp ? { totp } : {}) });

describe('lockout', () => {
  it('lets parallel guesses reach the password check no more often than serial ones, the right password last included', async () => {
    const GUESSES = 40;
    const serial: number[] = [];
    for (let i = 0; i < GUESSES; i++) serial.push((await attempt('target1', i === GUESSES - 1 ? STAFF_PASSWORD : `wrong-${i}`)).status);
    const parallel = (await Promise.all(Array.from({ length: GUESSES }, (_, i) => attempt('target2', i === GUESSES - 1 ? STAFF_PASSWORD : `wrong-${i}`)))).map((r) => r.status);
    // Only THRESHOLD attempts are judged at all; every other one is refused before its hash is checked.
    expect(serial.filter((s) => s !== 429)).toHaveLength(THRESHOLD);
    expect(parallel.filter((s) => s !== 429)).toHaveLength(THRESHOLD);
    expect(serial.at(-1)).toBe(429);
    expect(parallel.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    const rows = (await t.app.deps.db.execute(sql`SELECT username, failures FROM login_throttle WHERE username IN ('target1', 'target2') ORDER BY username`)) as unknown as { rows: { username: string; failures: number }[] };
    expect(rows.rows).toEqual([{ username: 'target1', failures: THRESHOLD }, { username: 'target2', failures: THRESHOLD }]);
  });

  it('then allows one guess per lock period, the period doubling', async () => {
    clock.advance(61_000);
    expect((await attempt('target1', 'wrong-again')).status).toBe(401);
    const locked = await attempt('target1', STAFF_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error.details.retryAfterSec).toBe(120);
    clock.advance(121_000);
    expect((await attempt('target1', STAFF_PASSWORD)).status).toBe(200);
    // Success clears the count.
    expect((await attempt('target1', 'wrong')).status).toBe(401);
    expect((await attempt('target1', STAFF_PASSWORD)).status).toBe(200);
  });

  it('reads the same for an account that does not exist: nothing tells which accounts exist', async () => {
    const real: { status: number; body: any }[] = [];
    const ghost: { status: number; body: any }[] = [];
    for (let i = 0; i < THRESHOLD + 2; i++) {
      real.push(await attempt('clerk2', `nope-${i}`));
      ghost.push(await attempt('no-such-clerk', `nope-${i}`));
    }
    expect(ghost.map((r) => r.status)).toEqual(real.map((r) => r.status));
    expect(ghost.map((r) => r.body)).toEqual(real.map((r) => r.body));
    expect(real.at(-1)?.body.error.code).toBe('LOCKED_OUT');
  });

  it('forgets sprayed names a day after their last try (the nightly job)', async () => {
    await attempt('sprayed-name', 'whatever');
    await t.app.deps.db.execute(sql`UPDATE login_throttle SET updated_at = updated_at - interval '25 hours' WHERE username = 'sprayed-name'`);
    const ran = await t.app.nightly.run();
    expect(ran.map((r) => r.task)).toContain('auth.throttle.prune');
    const rows = (await t.app.deps.db.execute(sql`SELECT username FROM login_throttle WHERE username = 'sprayed-name'`)) as unknown as { rows: unknown[] };
    expect(rows.rows).toHaveLength(0);
  });
});

describe('TOTP second factor', () => {
  let secret = '';
  let token = '';

  it('is offered to supervisors and administrators, not to clerks', async () => {
    clock.advance(2 * 3600_000);
    const clerk = await t.api('POST', '/auth/totp/setup', undefined, bearer(hall.tokens.clerk));
    expect(clerk.status).toBe(403);
    token = await login(t, 'supervisor');
    const setup = await t.api('POST', '/auth/totp/setup', undefined, bearer(token));
    expect(setup.status).toBe(200);
    secret = setup.body.secret;
    expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\/.+supervisor\?secret=[A-Z2-7]+&/);
    // Not in force until a code proves the authenticator holds the key.
    expect((await attempt('supervisor', STAFF_PASSWORD)).status).toBe(200);
    const wrong = await t.api('POST', '/auth/totp/enable', { code: '000000' === totpCode(secret, clock.now()) ? '111111' : '000000' }, bearer(token));
    expect(wrong.status).toBe(400);
    expect((await t.api('POST', '/auth/totp/enable', { code: totpCode(secret, clock.now()) }, bearer(token))).status).toBe(204);
  });

  it('asks for the code after the password, takes each code once, and counts wrong codes as failures', async () => {
    clock.advance(30_000);
    const noCode = await attempt('supervisor', STAFF_PASSWORD);
    expect(noCode.status).toBe(401);
    expect(noCode.body.error.code).toBe('TOTP_REQUIRED');
    // A wrong password still reads as a wrong password, code or not.
    expect((await attempt('supervisor', 'wrong-password')).body.error.code).toBe('UNAUTHENTICATED');
    const code = totpCode(secret, clock.now());
    const signedIn = await attempt('supervisor', STAFF_PASSWORD, code);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.username).toBe('supervisor');
    const replay = await attempt('supervisor', STAFF_PASSWORD, code);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('UNAUTHENTICATED');
    // Asking for the code is not a failure: many first steps never lock the account.
    for (let i = 0; i < THRESHOLD * 2; i++) expect((await attempt('supervisor', STAFF_PASSWORD)).body.error.code).toBe('TOTP_REQUIRED');
    // Wrong codes are: the account locks like any other.
    const wrongCode = code === '123456' ? '654321' : '123456';
    const answers: number[] = [];
    for (let i = 0; i < THRESHOLD + 1; i++) answers.push((await attempt('supervisor', STAFF_PASSWORD, wrongCode)).status);
    expect(answers.at(-1)).toBe(429);
    clock.advance(3600_000);
  });

  it('is cleared by an administrator for a lost phone, and by nobody else', async () => {
    const other = await t.api('POST', '/auth/totp/setup', undefined, bearer(hall.adminToken));
    expect(other.status).toBe(200);
    expect((await t.api('POST', '/auth/totp/enable', { code: totpCode(other.body.secret, clock.now()) }, bearer(hall.adminToken))).status).toBe(204);
    const supervisorId = hall.staffIds.supervisor as string;
    const fresh = (await attempt('supervisor', STAFF_PASSWORD, totpCode(secret, clock.now()))).body.token as string;
    expect((await t.api('DELETE', `/admin/staff/${supervisorId}/totp`, undefined, bearer(fresh))).status).toBe(403);
    expect((await t.api('DELETE', `/admin/staff/${supervisorId}/totp`, undefined, bearer(hall.adminToken))).status).toBe(204);
    expect((await attempt('supervisor', STAFF_PASSWORD)).status).toBe(200);
    // Set up again for the next case.
    const again = await t.api('POST', '/auth/totp/setup', undefined, bearer(fresh));
    secret = again.body.secret;
    clock.advance(30_000);
    expect((await t.api('POST', '/auth/totp/enable', { code: totpCode(secret, clock.now()) }, bearer(fresh))).status).toBe(204);
    clock.advance(30_000);
  });

  it('turns off only with a current code', async () => {
    const fresh = (await attempt('supervisor', STAFF_PASSWORD, totpCode(secret, clock.now()))).body.token as string;
    expect((await t.api('POST', '/auth/totp/disable', { code: '99999' }, bearer(fresh))).status).toBe(400);
    clock.advance(30_000);
    expect((await t.api('POST', '/auth/totp/disable', { code: totpCode(secret, clock.now()) }, bearer(fresh))).status).toBe(204);
    expect((await attempt('supervisor', STAFF_PASSWORD)).status).toBe(200);
  });
});

describe('published passwords outside the demo', () => {
  it('will not make a new account with a published password: it could never sign in, or anyone could', async () => {
    const r = await t.api('POST', '/admin/staff', { username: 'new-clerk', password: 'demo12345', displayName: '新职员', role: 'clerk', siteIds: [hall.siteId] }, bearer(hall.adminToken));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'password' } });
    expect((await t.api('POST', '/auth/login', { username: 'new-clerk', password: 'demo12345' })).status).toBe(401);
  });

  it('makes the bootstrap admin in production replace YC_ADMIN_PASSWORD at its first sign-in: the setting alone does not sign in', async () => {
    const fresh = await createTestApp({ env: { NODE_ENV: 'production', YC_ADMIN_PASSWORD: 'a-production-boot-pass' } });
    try {
      const first = await fresh.api('POST', '/auth/login', { username: 'admin', password: 'a-production-boot-pass' });
      expect(first.status).toBe(403);
      expect(first.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
      expect((await fresh.api('POST', '/auth/password', { username: 'admin', password: 'a-production-boot-pass', newPassword: 'the-operators-own-2026' })).status).toBe(200);
      expect((await fresh.api('POST', '/auth/login', { username: 'admin', password: 'the-operators-own-2026' })).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it('refuses an attacker the published passwords of accounts the demo made: the admin is reset to YC_ADMIN_PASSWORD, the others locked until an administrator resets them', async () => {
    // The same database, first run as the demo (which made its admin and its 11 accounts with published passwords)…
    const database = await createTestDatabase();
    try {
      const demo = await createTestApp({ database, env: { YC_DEMO: '1', YC_ADMIN_PASSWORD: '' } });
      await seedDemo(demo.app.deps.db, demo.app.sitesService);
      const [old, oldClerk] = await Promise.all([login(demo, 'admin', DEFAULT_ADMIN_PASSWORD), login(demo, 'clerk1', DEMO_PASSWORD)]).finally(() => demo.close());
      // …then restarted as a real deployment: the bootstrap admin now holds YC_ADMIN_PASSWORD, which only the operator knows.
      const real = await createTestApp({ database, env: { YC_ADMIN_PASSWORD: 'a-real-admin-password' } });
      try {
        // An attacker who read the published password gets nothing: not a session, not the right to set a password.
        const refused = await real.api('POST', '/auth/login', { username: 'admin', password: DEFAULT_ADMIN_PASSWORD });
        expect(refused.status).toBe(401);
        const claim = await real.api('POST', '/auth/password', { username: 'admin', password: DEFAULT_ADMIN_PASSWORD, newPassword: 'the-attackers-own-2026' });
        expect(claim.status).toBe(401);
        expect((await real.api('POST', '/auth/login', { username: 'admin', password: 'the-attackers-own-2026' })).status).toBe(401);
        expect((await real.api('GET', '/auth/me', undefined, bearer(old))).status).toBe(401);
        // The operator, who alone knows YC_ADMIN_PASSWORD, signs in with it and sets its own.
        const weak = await real.api('POST', '/auth/password', { username: 'admin', password: 'a-real-admin-password', newPassword: 'admin-password-2026' });
        expect(weak.status).toBe(400);
        const changed = await real.api('POST', '/auth/password', { username: 'admin', password: 'a-real-admin-password', newPassword: 'the-operators-own-2026' });
        expect(changed.status).toBe(200);
        expect(changed.body.user.role).toBe('admin');
        expect((await real.api('POST', '/auth/login', { username: 'admin', password: 'the-operators-own-2026' })).status).toBe(200);

        // A demo account keeps its published password, but it is locked, not claimable: only an administrator frees it.
        const clerk = await real.api('POST', '/auth/login', { username: 'clerk1', password: DEMO_PASSWORD });
        expect(clerk.status).toBe(403);
        expect(clerk.body.error.code).toBe('PASSWORD_RESET_REQUIRED');
        const clerkClaim = await real.api('POST', '/auth/password', { username: 'clerk1', password: DEMO_PASSWORD, newPassword: 'the-attackers-own-2026' });
        expect(clerkClaim.status).toBe(403);
        expect(clerkClaim.body.error.code).toBe('PASSWORD_RESET_REQUIRED');
        expect((await real.api('POST', '/auth/login', { username: 'clerk1', password: 'the-attackers-own-2026' })).status).toBe(401);
        const clerkId = (await real.api('GET', '/auth/me', undefined, bearer(oldClerk))).body.id as string;
        const admin = bearer(changed.body.token as string);
        expect((await real.api('POST', `/admin/staff/${clerkId}/password`, { newPassword: 'clerk1-password-2026' }, admin)).status).toBe(400);
        expect((await real.api('POST', `/admin/staff/${clerkId}/password`, { newPassword: 'a-new-clerk-pass' }, admin)).status).toBe(204);
        expect((await real.api('GET', '/auth/me', undefined, bearer(oldClerk))).status).toBe(401);
        expect((await real.api('POST', '/auth/login', { username: 'clerk1', password: 'a-new-clerk-pass' })).status).toBe(200);
      } finally {
        await real.close();
      }
    } finally {
      await database.drop();
    }
  });
});
