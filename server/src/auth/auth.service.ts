/** Staff sign-in, bearer tokens (opaque, revocable, expiring) and the bootstrap admin. */
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import type { StaffUser } from '../contracts/dto.ts';
import type { Db } from '../db/client.ts';
import { staff, staffSessions } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, hashToken, newToken, verifyPassword } from '../lib/secrets.ts';

export interface AuthDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'staffTokenTtlMin' | 'adminUser' | 'adminPassword' | 'rateLimit'>;
}

type StaffRow = typeof staff.$inferSelect;

export function toStaffUser(row: StaffRow): StaffUser {
  return { id: row.id, username: row.username, displayName: row.displayName, role: row.role, siteIds: row.siteIds, skills: row.skills };
}

/** Rationale: lockout doubles from 1 minute per extra failure, capped at an hour. */
function lockoutMs(failures: number, threshold: number): number {
  const over = failures - threshold;
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, over));
}

/**
 * Rationale: every staff request resolves its token; a 5-second cache saves a query per request while a
 * revoked token stops working within 5 seconds on every node (immediately on the node that revoked it).
 */
const TOKEN_CACHE_MS = 5_000;

export function createAuthService(deps: AuthDeps) {
  const { db, clock, config } = deps;
  const tokenCache = new Map<string, { at: number; user: StaffUser }>();

  async function login(username: string, password: string): Promise<Result<{ token: string; expiresAt: Date; user: StaffUser }>> {
    const [row] = await db.select().from(staff).where(eq(staff.username, username)).limit(1);
    const now = clock.now();
    if (row?.lockedUntil && row.lockedUntil.getTime() > now) {
      return fail('LOCKED_OUT', { retryAfterSec: Math.ceil((row.lockedUntil.getTime() - now) / 1000) });
    }
    const valid = await verifyPassword(password, row?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!row || !valid || !row.active) {
      if (row) {
        const failures = row.failedLogins + 1;
        const threshold = config.rateLimit.loginFailuresBeforeLockout;
        await db
          .update(staff)
          .set({ failedLogins: failures, lockedUntil: failures >= threshold ? new Date(now + lockoutMs(failures, threshold)) : null })
          .where(eq(staff.id, row.id));
      }
      return fail('UNAUTHENTICATED', undefined, '用户名或密码错误 / wrong username or password');
    }
    if (row.failedLogins > 0) await db.update(staff).set({ failedLogins: 0, lockedUntil: null }).where(eq(staff.id, row.id));
    const token = newToken(32);
    const expiresAt = new Date(now + config.staffTokenTtlMin * 60_000);
    await db.insert(staffSessions).values({ tokenHash: hashToken(token), staffId: row.id, expiresAt });
    return ok({ token, expiresAt, user: toStaffUser(row) });
  }

  /** `fresh` skips the cache: a socket handshake (rare, long-lived) must not outlive a sign-out on another node. */
  async function authenticate(token: string, options: { fresh?: boolean } = {}): Promise<StaffUser | null> {
    if (!token || token.length > 200) return null;
    const key = hashToken(token);
    const cached = tokenCache.get(key);
    if (cached && !options.fresh && clock.now() - cached.at < TOKEN_CACHE_MS) return cached.user;
    const rows = await db
      .select({ s: staff })
      .from(staffSessions)
      .innerJoin(staff, eq(staff.id, staffSessions.staffId))
      .where(and(eq(staffSessions.tokenHash, hashToken(token)), isNull(staffSessions.revokedAt), gt(staffSessions.expiresAt, new Date(clock.now())), eq(staff.active, true)))
      .limit(1);
    const row = rows[0];
    if (!row) {
      tokenCache.delete(key);
      return null;
    }
    const user = toStaffUser(row.s);
    if (tokenCache.size > 10_000) tokenCache.clear();
    tokenCache.set(key, { at: clock.now(), user });
    return user;
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

  /** At start-up: an admin exists, or one is made from the configured credentials. */
  async function ensureBootstrapAdmin(): Promise<boolean> {
    const [existing] = await db.select({ n: sql<number>`count(*)::int` }).from(staff).where(eq(staff.role, 'admin'));
    if ((existing?.n ?? 0) > 0) return false;
    await db
      .insert(staff)
      .values({ username: config.adminUser, passwordHash: await hashPassword(config.adminPassword), displayName: '系统管理员', role: 'admin' })
      .onConflictDoNothing();
    return true;
  }

  return { login, authenticate, logout, revokeAll, ensureBootstrapAdmin };
}

export type AuthService = ReturnType<typeof createAuthService>;
