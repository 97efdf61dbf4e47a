import type { Service, Site, Window } from '../contracts/dto.ts';
import type { services, sites, windows } from '../db/schema/index.ts';

export function toSite(r: typeof sites.$inferSelect): Site {
  return {
    id: r.id, code: r.code, name: r.name, level: r.level, parentId: r.parentId, region: r.region, timeZone: r.timeZone,
    address: r.address, location: r.lat !== null && r.lng !== null ? { lat: r.lat, lng: r.lng } : null,
  };
}

export function toService(r: typeof services.$inferSelect): Service {
  return {
    id: r.id, siteId: r.siteId, code: r.code, name: r.name, category: r.category, complexity: r.complexity,
    targetWaitMin: r.targetWaitMin, targetHandleMin: r.targetHandleMin, walkInTargetMin: r.walkInTargetMin,
    materialsNote: r.materialsNote, pinyin: r.pinyin,
  };
}

export function toWindow(r: typeof windows.$inferSelect, serviceIds: string[]): Window {
  return { id: r.id, siteId: r.siteId, number: r.number, name: r.name, kind: r.kind, status: r.status, clerkId: r.clerkId, serviceIds };
}
