/** Administration: sites, services, windows, staff. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import { type Config, PUBLISHED_PASSWORDS } from '../config.ts';
import type { ServiceCreate, SiteCreate, StaffCreate, WindowCreate } from '../contracts/dto.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import type { Db } from '../db/client.ts';
import { services, sites, staff, tickets, windowServices, windows } from '../db/schema/index.ts';
import { hashPassword } from '../lib/secrets.ts';
import { isValidTimeZone } from '../lib/time.ts';
import { DEFAULT_POLICY } from '../queue/core/index.ts';
import { toStaffUser } from '../auth/auth.service.ts';
import type { SiteDirectory } from './site-directory.ts';

export interface SitesDeps {
  db: Db;
  sites: SiteDirectory;
  config: Pick<Config, 'secret' | 'demo'>;
}


export function createSitesService(deps: SitesDeps) {
  const { db } = deps;

  async function createSite(input: Static<typeof SiteCreate>): Promise<Result<typeof sites.$inferSelect>> {
    const timeZone = input.timeZone ?? 'Asia/Shanghai';
    if (!isValidTimeZone(timeZone)) return fail('VALIDATION_FAILED', { field: 'timeZone', reason: 'unknown time zone' });
    let parentId: string | null = null;
    if (input.parentCode) {
      const [parent] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, input.parentCode));
      if (!parent) return fail('VALIDATION_FAILED', { field: 'parentCode', reason: 'no such site' });
      parentId = parent.id;
    }
    try {
      const [row] = await db
        .insert(sites)
        .values({ code: input.code, name: input.name, level: input.level, parentId, region: input.region, timeZone, address: input.address ?? null, lat: input.location?.lat ?? null, lng: input.location?.lng ?? null })
        .returning();
      deps.sites.invalidate();
      return ok(row as typeof sites.$inferSelect);
    } catch (err) {
      if (isUniqueViolation(err)) return fail('ALREADY_EXISTS', { field: 'code' });
      throw err;
    }
  }

  async function createService(siteId: string, input: Static<typeof ServiceCreate>): Promise<Result<typeof services.$inferSelect>> {
    if (!(await deps.sites.get(siteId))) return fail('NOT_FOUND', { resource: 'site' });
    const c = input.complexity;
    try {
      const [row] = await db
        .insert(services)
        .values({
          siteId, code: input.code, name: input.name, category: input.category, complexity: c,
          targetWaitMin: input.targetWaitMin ?? DEFAULT_POLICY.defaultTargetWaitMin[c],
          walkInTargetMin: input.walkInTargetMin ?? DEFAULT_POLICY.defaultWalkInTargetMin[c],
          targetHandleMin: input.targetHandleMin ?? DEFAULT_POLICY.defaultTargetHandleMin,
          materialsNote: input.materialsNote ?? null, pinyin: input.pinyin ?? null,
        })
        .returning();
      return ok(row as typeof services.$inferSelect);
    } catch (err) {
      if (isUniqueViolation(err)) return fail('ALREADY_EXISTS', { field: 'code' });
      throw err;
    }
  }

  async function createWindow(siteId: string, input: Static<typeof WindowCreate>): Promise<Result<{ row: typeof windows.$inferSelect; serviceIds: string[] }>> {
    if (!(await deps.sites.get(siteId))) return fail('NOT_FOUND', { resource: 'site' });
    const serviceIds = [...new Set(input.serviceIds)];
    const found = await db.select({ id: services.id }).from(services).where(and(eq(services.siteId, siteId), inArray(services.id, serviceIds)));
    if (found.length !== serviceIds.length) return fail('VALIDATION_FAILED', { field: 'serviceIds', reason: 'every service must belong to this site' });
    try {
      return ok(
        await db.transaction(async (tx) => {
          const [row] = await tx.insert(windows).values({ siteId, number: input.number, name: input.name, kind: input.kind }).returning();
          const w = row as typeof windows.$inferSelect;
          await tx.insert(windowServices).values(serviceIds.map((serviceId) => ({ windowId: w.id, serviceId })));
          return { row: w, serviceIds };
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) return fail('ALREADY_EXISTS', { field: 'number' });
      throw err;
    }
  }

  /** `demoSeed`: the demo data's own accounts, which have the published demo password by design. */
  async function createStaff(input: Static<typeof StaffCreate>, options: { demoSeed?: boolean } = {}) {
    // Outside the demo a published password cannot sign in (PASSWORD_RESET_REQUIRED): an account an
    // administrator made with one would be locked from its first day, or claimable wherever that rule is relaxed.
    if (!deps.config.demo && !options.demoSeed && PUBLISHED_PASSWORDS.has(input.password)) return fail('VALIDATION_FAILED', { field: 'password', reason: 'a published password' });
    const siteIds = [...new Set(input.siteIds)];
    if (siteIds.length) {
      const found = await db.select({ id: sites.id }).from(sites).where(inArray(sites.id, siteIds));
      if (found.length !== siteIds.length) return fail('VALIDATION_FAILED', { field: 'siteIds', reason: 'unknown site' });
    }
    try {
      const [row] = await db
        .insert(staff)
        .values({ username: input.username, passwordHash: await hashPassword(input.password), displayName: input.displayName, role: input.role, siteIds, skills: input.skills ?? [] })
        .returning();
      return ok(toStaffUser(row as typeof staff.$inferSelect));
    } catch (err) {
      if (isUniqueViolation(err)) return fail('ALREADY_EXISTS', { field: 'username' });
      throw err;
    }
  }

  async function listServices(siteId: string) {
    return db.select().from(services).where(eq(services.siteId, siteId)).orderBy(services.category, services.code);
  }

  async function listWindows(siteId: string) {
    const rows = await db.select().from(windows).where(eq(windows.siteId, siteId)).orderBy(windows.number);
    const links = rows.length ? await db.select().from(windowServices).where(inArray(windowServices.windowId, rows.map((r) => r.id))) : [];
    return rows.map((r) => ({ row: r, serviceIds: links.filter((l) => l.windowId === r.id).map((l) => l.serviceId) }));
  }

  /** Waiting tickets per site, for the public tree. */
  async function waitingBySite(): Promise<Map<string, number>> {
    const rows = await db
      .select({ siteId: tickets.siteId, n: sql<number>`count(*)::int` })
      .from(tickets)
      .where(eq(tickets.status, 'waiting'))
      .groupBy(tickets.siteId);
    return new Map(rows.map((r) => [r.siteId, r.n]));
  }

  return { createSite, createService, createWindow, createStaff, listServices, listWindows, waitingBySite };
}

export type SitesService = ReturnType<typeof createSitesService>;
