/** Staff sign-in (password, then a TOTP code where enabled), bearer tokens (opaque, revocable, expiring) and the bootstrap admin. */
import { and, eq, gt, isNull, or, lt, sql } from 'drizzle-orm';
import { type Config, PUBLISHED_PASSWORDS } from '../config.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import type { StaffUser } from '../contracts/dto.ts';
import type { Db } from '../db/client.ts';
import { staff, staffSessions } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, hashToken, newToken, seal, unseal, verifyPassword } from '../lib/secrets.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp.ts';

export interface AuthDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'staffTokenTtlMin' | 'adminUser' | 'adminPassword' | 'rateLimit' | 'secret' | 'demo' | 'production'>;
}

type StaffRow = typeof staff.$inferSelect;

export function toStaffUser(row: StaffRow): StaffUser {
  return { id: row.id, username: row.username, displayName: row.displayName, role: row.role, siteIds: row.siteIds, skills: row.skills };
}

/** Roles offered a second factor: level 3 of 等保 2.0 asks two factors of administrators. */
export const TOTP_ROLES: readonly StaffRow['role'][] = ['admin', 'supervisor'];

export interface Credentials {
  username: string;
  password: string;
  totp?: string | undefined;
}

/**
 * Rationale: every staff request resolves its token; a 5-second cache saves a query per request while a
 * revoked token stops working within 5 seconds on every node (immediately on the node that revoked it).
 */
const TOKEN_CACHE_MS = 5_000;

export function createAuthService(deps: AuthDeps) {
  const { db, clock, config } = deps;
  const tokenCache = new Map<string, { at: number; user: StaffUser }>();
  const throttle = createLoginThrottle(db, config.rateLimit.loginFailuresBeforeLockout);

  /**
   * The one gate of every sign-in: count the attempt and decide the lock first, then the password (a dummy
   * hash for unknown names, so both take one hash), then the second factor. Wrong answers all read the same.
   */
  async function checkCredentials(c: Credentials): Promise<Result<StaffRow>> {
    const now = clock.now();
    const gate = await throttle.enter(c.username, now);
    if (!gate.allowed) return fail('LOCKED_OUT', { retryAfterSec: gate.retryAfterSec });
    const [row] = await db.select().from(staff).where(eq(staff.username, c.username)).limit(1);
    const valid = await verifyPassword(c.password, row?.passwordHash ?? DUMMY_PASSWORD_HASH);
    const wrong = fail('UNAUTHENTICATED', undefined, '用户名或密码错误 / wrong username or password');
    if (!row || !valid || !row.active) return wrong;
    // Outside the demo a published password (the demo accounts', the old default admin's) proves nothing: anyone
    // can type it. The account is locked until an administrator sets a new password; it cannot be claimed.
    if (!config.demo && PUBLISHED_PASSWORDS.has(c.password)) return fail('PASSWORD_RESET_REQUIRED');
    if (row.totpEnabled && row.totpSecret) {
      if (c.totp === undefined) {
        await throttle.giveBack(c.username);
        return fail('TOTP_REQUIRED');
      }
      const secret = unseal(row.totpSecret, config.secret);
      const step = secret ? verifyTotp(secret, c.totp, now) : null;
      // Each code signs in once: the step is claimed in the row, so a replayed (or raced) code finds it taken.
      const claimed = step !== null && (await db.update(staff).set({ totpLastStep: step })
        .where(and(eq(staff.id, row.id), or(isNull(staff.totpLastStep), lt(staff.totpLastStep, step))))
        .returning({ id: staff.id })).length > 0;
      if (!claimed) return fail('UNAUTHENTICATED', { reason: 'totp' }, '动态验证码错误 / wrong authenticator code');
    }
    await throttle.succeeded(c.username);
    return ok(row);
  }

  async function openSession(row: StaffRow): Promise<{ token: string; expiresAt: Date; user: StaffUser }> {
    const token = newToken(32);
    const expiresAt = new Date(clock.now() + config.staffTokenTtlMin * 60_000);
    await db.insert(staffSessions).values({ tokenHash: hashToken(token), staffId: row.id, expiresAt });
    return { token, expiresAt, user: toStaffUser(row) };
  }

  async function login(c: Credentials): Promise<Result<{ token: string; expiresAt: Date; user: StaffUser }>> {
    const checked = await checkCredentials(c);
    if (!checked.ok) return checked;
    // In production YC_ADMIN_PASSWORD is a setting, readable by whoever reads the deployment's environment: the
    // bootstrap admin made from it replaces it at its first sign-in (POST /auth/password, which takes it).
    if (config.production && c.password === config.adminPassword) return fail('PASSWORD_CHANGE_REQUIRED');
    return ok(await openSession(checked.value));
  }

  /** Why a new password is refused, or null: the same rules for a staff member's own change and an administrator's reset. */
  function weakness(newPassword: string, username: string, old?: string): string | null {
    if (newPassword === old) return 'same as the old one';
    if (PUBLISHED_PASSWORDS.has(newPassword) || newPassword === config.adminPassword) return 'published default';
    if (newPassword.toLowerCase().includes(username.toLowerCase())) return 'contains the username';
    return new Set(newPassword).size < 4 ? 'too few distinct characters' : null;
  }

  /** Sign in and replace the password in one step; every other session of the account ends. */
  async function changePassword(c: Credentials & { newPassword: string }): Promise<Result<{ token: string; expiresAt: Date; user: StaffUser }>> {
    const checked = await checkCredentials(c);
    if (!checked.ok) return checked;
    const weak = weakness(c.newPassword, c.username, c.password);
    if (weak) return fail('VALIDATION_FAILED', { field: 'newPassword', reason: weak });
    await db.update(staff).set({ passwordHash: await hashPassword(c.newPassword) }).where(eq(staff.id, checked.value.id));
    await revokeAll(checked.value.id);
    return ok(await openSession(checked.value));
  }

  /** Starts enrolment: a new key, not in force until `enableTotp` sees a code made with it. */
  async function setupTotp(user: StaffUser): Promise<Result<{ secret: string; uri: string }>> {
    if (!TOTP_ROLES.includes(user.role)) return fail('FORBIDDEN', { reason: 'role' });
    const [row] = await db.select({ enabled: staff.totpEnabled }).from(staff).where(eq(staff.id, user.id)).limit(1);
    if (row?.enabled) return fail('ALREADY_EXISTS', { resource: 'totp' });
    const secret = newTotpSecret();
    await db.update(staff).set({ totpSecret: seal(secret, config.secret), totpEnabled: false, totpLastStep: null }).where(eq(staff.id, user.id));
    return ok({ secret, uri: otpauthUri(secret, user.username) });
  }

  async function currentTotp(user: StaffUser, code: string, wantEnabled: boolean): Promise<Result<number>> {
    const [row] = await db.select({ secret: staff.totpSecret, enabled: staff.totpEnabled }).from(staff).where(eq(staff.id, user.id)).limit(1);
    if (!row?.secret || row.enabled !== wantEnabled) return fail('INVALID_TRANSITION', { resource: 'totp' });
    const secret = unseal(row.secret, config.secret);
    const step = secret ? verifyTotp(secret, code, clock.now()) : null;
    return step === null ? fail('VALIDATION_FAILED', { field: 'code', reason: 'wrong authenticator code' }) : ok(step);
  }

  /** The authenticator proved it holds the key: sign-ins now ask for its code. */
  async function enableTotp(user: StaffUser, code: string): Promise<Result<null>> {
    const step = await currentTotp(user, code, false);
    if (!step.ok) return step;
    await db.update(staff).set({ totpEnabled: true, totpLastStep: step.value }).where(eq(staff.id, user.id));
    return ok(null);
  }

  /** Turning the second factor off takes a current code too. */
  async function disableTotp(user: StaffUser, code: string): Promise<Result<null>> {
    const step = await currentTotp(user, code, true);
    if (!step.ok) return step;
    await db.update(staff).set({ totpEnabled: false, totpSecret: null, totpLastStep: null }).where(eq(staff.id, user.id));
    return ok(null);
  }

  /** `fresh` skips the cache: a socket handshake (rare, long-lived) must not outlive a sign-out on another node. */
  async function authenticate(token: string, options: { fresh?: boolean } = {}): Promise<StaffUser | null> {
    if (!token || token.length > 200) return null;
    const cached = tokenCache.get(hashToken(token));
    if (cached && !options.fresh && clock.now() - cached.at < TOKEN_CACHE_MS) return cached.user;
    return (await session(token))?.user ?? null;
  }

  /** The token's staff member and when the session expires, read from the database (socket handshakes). */
  async function session(token: string): Promise<{ user: StaffUser; expiresAt: number } | null> {
    if (!token || token.length > 200) return null;
    const key = hashToken(token);
    const rows = await db
      .select({ s: staff, expiresAt: staffSessions.expiresAt })
      .from(staffSessions)
      .innerJoin(staff, eq(staff.id, staffSessions.staffId))
      .where(and(eq(staffSessions.tokenHash, key), isNull(staffSessions.revokedAt), gt(staffSessions.expiresAt, new Date(clock.now())), eq(staff.active, true)))
      .limit(1);
    const row = rows[0];
    if (!row) {
      tokenCache.delete(key);
      return null;
    }
    const user = toStaffUser(row.s);
    if (tokenCache.size > 10_000) tokenCache.clear();
    tokenCache.set(key, { at: clock.now(), user });
    return { user, expiresAt: row.expiresAt.getTime() };
  }

  async function logout(token: string): Promise<void> {
    tokenCache.delete(hashToken(token));
    await db.update(staffSessions).set({ revokedAt: new Date(clock.now()) }).where(eq(staffSessions.tokenHash, hashToken(token)));
  }

  /** Revoke every session of a staff member (account disabled, password changed). */
  async function revokeAll(staffId: string): Promise<void> {
    for (const [k, v] of tokenCache) if (v.user.id === staffId) tokenCache.delete(k);
    await db.update(staffSessions).set({ revokedAt: new Date(clock.now()) }).where(and(eq(staffSessions.staffId, staffId), isNull(staffSessions.revokedAt)));
  }

  /** An administrator sets a staff member's password (a locked published one, a forgotten one); their sessions end. */
  async function resetPassword(staffId: string, newPassword: string): Promise<Result<null>> {
    const [row] = await db.select({ username: staff.username }).from(staff).where(eq(staff.id, staffId)).limit(1);
    if (!row) return fail('NOT_FOUND', { resource: 'staff' });
    const weak = weakness(newPassword, row.username);
    if (weak) return fail('VALIDATION_FAILED', { field: 'newPassword', reason: weak });
    await db.update(staff).set({ passwordHash: await hashPassword(newPassword) }).where(eq(staff.id, staffId));
    await revokeAll(staffId);
    return ok(null);
  }

  /**
   * At start-up: an admin exists, or one is made from the configured credentials. Outside the demo, a
   * bootstrap admin (YC_ADMIN_USER) still holding a published password (a database the demo made) is reset to
   * YC_ADMIN_PASSWORD and its sessions end: otherwise whoever typed the published password first would own it.
   */
  async function ensureBootstrapAdmin(): Promise<boolean> {
    const [existing] = await db.select({ n: sql<number>`count(*)::int` }).from(staff).where(eq(staff.role, 'admin'));
    if ((existing?.n ?? 0) > 0) {
      if (!config.demo) await resetPublishedBootstrapAdmin();
      return false;
    }
    await db
      .insert(staff)
      .values({ username: config.adminUser, passwordHash: await hashPassword(config.adminPassword), displayName: '系统管理员', role: 'admin' })
      .onConflictDoNothing();
    return true;
  }

  async function resetPublishedBootstrapAdmin(): Promise<void> {
    const [admin] = await db.select().from(staff).where(and(eq(staff.username, config.adminUser), eq(staff.role, 'admin'))).limit(1);
    if (!admin) return;
    // Rationale: one scrypt per published password (~0.1 s each, in parallel), once per boot of a deployment.
    const matches = await Promise.all([...PUBLISHED_PASSWORDS].map((p) => verifyPassword(p, admin.passwordHash)));
    if (!matches.some(Boolean)) return;
    await db.update(staff).set({ passwordHash: await hashPassword(config.adminPassword) }).where(eq(staff.id, admin.id));
    await revokeAll(admin.id);
  }

  /** An administrator clears a lost authenticator; the account signs in with its password until set up again. */
  async function resetTotp(staffId: string): Promise<Result<null>> {
    const rows = await db.update(staff).set({ totpEnabled: false, totpSecret: null, totpLastStep: null }).where(eq(staff.id, staffId)).returning({ id: staff.id });
    return rows.length > 0 ? ok(null) : fail('NOT_FOUND', { resource: 'staff' });
  }

  return { login, changePassword, setupTotp, enableTotp, disableTotp, resetTotp, resetPassword, authenticate, session, logout, revokeAll, ensureBootstrapAdmin, pruneThrottle: throttle.prune };
}

export type AuthService = ReturnType<typeof createAuthService>;
