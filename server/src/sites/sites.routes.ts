import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Service, ServiceCreate, Site, SiteCreate, SiteParams, type SiteTreeNode, StaffCreate, StaffUser, Window, WindowCreate } from '../contracts/dto.ts';
import { unwrap } from '../contracts/errors.ts';
import { deny, errorResponses, staffOf } from '../lib/route-helpers.ts';
import { requireStaff } from '../plugins/auth.ts';
import { toService, toSite, toWindow } from './sites.mapper.ts';
import type { SitesService } from './sites.service.ts';

export function sitesRoutes(sitesService: SitesService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { sites: directory } = app.deps;
    const admin = requireStaff('admin');

    app.post('/admin/sites', { preValidation: admin, schema: { tags: ['admin'], body: SiteCreate, response: { 201: Site, ...errorResponses(400, 401, 403, 409) } } }, async (request, reply) => {
      return reply.status(201).send(toSite(unwrap(await sitesService.createSite(request.body))));
    });

    app.post('/admin/sites/:siteId/services', { preValidation: admin, schema: { tags: ['admin'], params: SiteParams, body: ServiceCreate, response: { 201: Service, ...errorResponses(400, 401, 403, 404, 409) } } }, async (request, reply) => {
      return reply.status(201).send(toService(unwrap(await sitesService.createService(request.params.siteId, request.body))));
    });

    app.post('/admin/sites/:siteId/windows', { preValidation: admin, schema: { tags: ['admin'], params: SiteParams, body: WindowCreate, response: { 201: Window, ...errorResponses(400, 401, 403, 404, 409) } } }, async (request, reply) => {
      const { row, serviceIds } = unwrap(await sitesService.createWindow(request.params.siteId, request.body));
      return reply.status(201).send(toWindow(row, serviceIds));
    });

    app.post('/admin/staff', { preValidation: admin, schema: { tags: ['admin'], body: StaffCreate, response: { 201: StaffUser, ...errorResponses(400, 401, 403, 409) } } }, async (request, reply) => {
      const created = unwrap(await sitesService.createStaff(request.body));
      await app.deps.audit.record({ actorId: staffOf(request).id, action: 'staff.create', siteId: created.siteIds[0] ?? null, subject: created.username, data: { role: created.role, siteIds: created.siteIds } });
      return reply.status(201).send(created);
    });

    app.get('/sites', { schema: { tags: ['sites'], description: 'The site tree (district → subcentre → community → village, and cross-province desks), each node with its live waiting count. Nodes: Site + { waiting, children }.' } }, async () => {
      const [all, waiting] = await Promise.all([directory.all(), sitesService.waitingBySite()]);
      const nodes = new Map<string, SiteTreeNode>(all.map((r) => [r.id, { ...toSite(r), waiting: waiting.get(r.id) ?? 0, children: [] }]));
      const roots: SiteTreeNode[] = [];
      for (const node of nodes.values()) {
        const parent = node.parentId ? nodes.get(node.parentId) : undefined;
        (parent ? parent.children : roots).push(node);
      }
      const order = ['district', 'subcentre', 'community', 'village', 'crossProvince'];
      const sort = (list: SiteTreeNode[]) => {
        list.sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level) || a.code.localeCompare(b.code));
        for (const n of list) sort(n.children);
      };
      sort(roots);
      return roots;
    });

    app.get('/sites/:siteId/services', { schema: { tags: ['sites'], params: SiteParams, response: { 200: Type.Array(Service), ...errorResponses(400, 404) } } }, async (request) => {
      if (!(await directory.get(request.params.siteId))) deny('NOT_FOUND', { resource: 'site' });
      return (await sitesService.listServices(request.params.siteId)).map(toService);
    });

    // Window numbers and names are public (boards show them); who staffs them is for staff only.
    app.get('/sites/:siteId/windows', { schema: { tags: ['sites'], params: SiteParams, response: { 200: Type.Array(Window), ...errorResponses(400, 404) } } }, async (request) => {
      if (!(await directory.get(request.params.siteId))) deny('NOT_FOUND', { resource: 'site' });
      const isStaff = request.staff ? await directory.canAccess(staffOf(request), request.params.siteId) : false;
      return (await sitesService.listWindows(request.params.siteId)).map(({ row, serviceIds }) => ({ ...toWindow(row, serviceIds), clerkId: isStaff ? row.clerkId : null }));
    });
  };
}
