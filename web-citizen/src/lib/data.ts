/** Public directory data (sites, services), cached briefly so moving between screens feels instant. */
import { api } from './api.ts';
import type { Service, SiteTreeNode } from './contract-types.ts';
import { flattenSites } from './geo.ts';

/** Rationale: waiting counts move by the minute; 15 s of staleness is invisible, a refetch per tap is not. */
const SITES_TTL_MS = 15_000;
const SERVICES_TTL_MS = 5 * 60_000;

let sitesCache: { at: number; value: Promise<SiteTreeNode[]> } | null = null;
const servicesCache = new Map<string, { at: number; value: Promise<Service[]> }>();

export function loadSites(force = false): Promise<SiteTreeNode[]> {
  if (!force && sitesCache && Date.now() - sitesCache.at < SITES_TTL_MS) return sitesCache.value;
  const value = api.sites();
  sitesCache = { at: Date.now(), value };
  value.catch(() => {
    if (sitesCache?.value === value) sitesCache = null;
  });
  return value;
}

export function loadServices(siteId: string): Promise<Service[]> {
  const hit = servicesCache.get(siteId);
  if (hit && Date.now() - hit.at < SERVICES_TTL_MS) return hit.value;
  const value = api.services(siteId);
  servicesCache.set(siteId, { at: Date.now(), value });
  value.catch(() => servicesCache.delete(siteId));
  return value;
}

export async function findSite(idOrCode: string): Promise<SiteTreeNode | undefined> {
  const all = flattenSites(await loadSites());
  return all.find((s) => s.id === idOrCode || s.code === idOrCode);
}

export async function findService(siteId: string, serviceId: string): Promise<Service | undefined> {
  return (await loadServices(siteId)).find((s) => s.id === serviceId);
}
