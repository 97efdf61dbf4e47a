/** The public site tree (GET /sites), flattened for look-ups and narrowed to what a staff member may see. */
import type { SiteTreeNode, StaffUser } from '@yichuang/server/contracts';
import { api } from '../lib/api.ts';

export interface SiteIndex {
  roots: SiteTreeNode[];
  byId: Map<string, SiteTreeNode>;
  parentOf: Map<string, string | null>;
}

export async function fetchSiteIndex(): Promise<SiteIndex> {
  const roots = await api<SiteTreeNode[]>('GET', '/sites');
  const byId = new Map<string, SiteTreeNode>();
  const parentOf = new Map<string, string | null>();
  const walk = (nodes: SiteTreeNode[], parent: string | null) => {
    for (const n of nodes) {
      byId.set(n.id, n);
      parentOf.set(n.id, parent);
      walk(n.children, n.id);
    }
  };
  walk(roots, null);
  return { roots, byId, parentOf };
}

/** The subtrees a staff member works in: its own sites (admin: every root), each with what lies below. */
export function scopeRoots(index: SiteIndex, user: StaffUser): SiteTreeNode[] {
  if (user.role === 'admin') return index.roots;
  const mine = user.siteIds.map((id) => index.byId.get(id)).filter((n): n is SiteTreeNode => !!n);
  // A site under another of the user's sites is already covered by that one.
  return mine.filter((n) => {
    for (let p = index.parentOf.get(n.id); p; p = index.parentOf.get(p)) if (user.siteIds.includes(p)) return false;
    return true;
  });
}

export function flatten(nodes: SiteTreeNode[]): SiteTreeNode[] {
  const out: SiteTreeNode[] = [];
  const walk = (list: SiteTreeNode[]) => {
    for (const n of list) {
      out.push(n);
      walk(n.children);
    }
  };
  walk(nodes);
  return out;
}
