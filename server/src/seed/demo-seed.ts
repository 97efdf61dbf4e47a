/** Seeds the demo once: a site that exists is left as it is, so running it again changes nothing. */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { sites, staff } from '../db/schema/index.ts';
import type { SitesService } from '../sites/sites.service.ts';
import { DEMO_PASSWORD, DEMO_SERVICES, DEMO_SITES, DEMO_STAFF } from './demo-data.ts';

export async function seedDemo(db: Db, sitesService: SitesService): Promise<{ created: boolean }> {
  const [already] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'QP')).limit(1);
  if (already) return { created: false };
  const siteIds = new Map<string, string>();
  for (const s of DEMO_SITES) {
    const created = await sitesService.createSite({
      code: s.code, name: s.name, level: s.level, region: s.region, address: s.address, location: { lat: s.lat, lng: s.lng },
      ...(s.parentCode ? { parentCode: s.parentCode } : {}),
    });
    if (!created.ok) throw new Error(`seed site ${s.code}: ${created.error.code}`);
    siteIds.set(s.code, created.value.id);
    const serviceIds = new Map<string, string>();
    for (const code of s.services) {
      const def = DEMO_SERVICES.find((d) => d.code === code);
      if (!def) throw new Error(`seed: unknown service ${code}`);
      const r = await sitesService.createService(created.value.id, def);
      if (!r.ok) throw new Error(`seed service ${code}: ${r.error.code}`);
      serviceIds.set(code, r.value.id);
    }
    for (const w of s.windows) {
      const codes = w.services === 'all' ? s.services : w.services;
      const r = await sitesService.createWindow(created.value.id, { number: w.number, name: w.name, kind: w.kind, serviceIds: codes.map((c) => serviceIds.get(c) as string) });
      if (!r.ok) throw new Error(`seed window ${w.number}: ${r.error.code}`);
    }
  }
  for (const p of DEMO_STAFF) {
    const [exists] = await db.select({ id: staff.id }).from(staff).where(eq(staff.username, p.username)).limit(1);
    if (exists) continue;
    const r = await sitesService.createStaff({ username: p.username, password: DEMO_PASSWORD, displayName: p.displayName, role: p.role, siteIds: p.sites.map((c) => siteIds.get(c) as string), skills: p.skills ?? [] }, { demoSeed: true });
    if (!r.ok) throw new Error(`seed staff ${p.username}: ${r.error.code}`);
  }
  return { created: true };
}
