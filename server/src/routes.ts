/** Every domain's routes, sockets and jobs, wired with their dependencies. */
import type { FastifyInstance } from 'fastify';
import { registerAppointments } from './appointments/appointments.module.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { registerCases } from './cases/cases.module.ts';
import { registerOps } from './ops/ops.module.ts';
import { healthRoutes } from './health/health.routes.ts';
import { createQueueService } from './queue/queue.service.ts';
import { queueRoutes } from './queue/queue.routes.ts';
import { attachHallSocket } from './queue/queue.socket.ts';
import { createSitesService } from './sites/sites.service.ts';
import { sitesRoutes } from './sites/sites.routes.ts';
import { registerVideo, type VideoModule } from './video/video.module.ts';

/** Rationale: sweeps every 15 s keep automatic transitions within a quarter-minute of their due time. */
const SWEEP_INTERVAL_MS = 15_000;
/** Rationale: two minutes' warning leaves a supervisor time to open a window before a target is missed. */
const SLA_WARNING_HORIZON_MS = 2 * 60_000;

export async function registerDomains(app: FastifyInstance, options: { startJobs: boolean }): Promise<void> {
  const d = app.deps;
  const sites = createSitesService({ db: d.db, sites: d.sites, config: d.config });
  // The video module needs the queue and the queue calls back into it: it is filled in once registered.
  const late: { video?: VideoModule } = {};
  const queue = createQueueService({ db: d.db, clock: d.clock, events: d.events, sites: d.sites, config: d.config, virtualRooms: () => late.video?.virtualRooms, log: d.log });
  app.decorate('queue', queue);
  app.decorate('sitesService', sites);

  await app.register(async (api) => {
    await api.register(healthRoutes);
    await api.register(authRoutes);
    await api.register(sitesRoutes(sites));
    await api.register(queueRoutes(queue));
    await api.register(auditRoutes(d.audit));
  }, { prefix: '/api/v1' });

  attachHallSocket(app);
  late.video = await registerVideo(app, { startJobs: options.startJobs });
  await registerAppointments(app, { startJobs: options.startJobs });
  await registerCases(app, { startJobs: options.startJobs });
  await registerOps(app, { startJobs: options.startJobs });

  if (options.startJobs) {
    await d.jobs.every('queue.expireSuspensions', SWEEP_INTERVAL_MS, async () => void (await queue.expireSuspensions()));
    await d.jobs.every('queue.slaAtRisk', SWEEP_INTERVAL_MS, async () => void (await queue.warnAtRisk(SLA_WARNING_HORIZON_MS)));
    // Workers take jobs only once every domain has registered its handlers (onReady runs after all plugins).
    app.addHook('onReady', async () => d.jobs.start());
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    queue: ReturnType<typeof createQueueService>;
    sitesService: ReturnType<typeof createSitesService>;
  }
}
