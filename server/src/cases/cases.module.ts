/** Wires cases and ratings into the app: routes, the deadline sweep, and `app.ratings` for the video module. */
import type { FastifyInstance } from 'fastify';
import { createRatingsService, type RatingsService } from '../ratings/ratings.service.ts';
import { ratingsRoutes } from '../ratings/ratings.routes.ts';
import { casesRoutes } from './cases.routes.ts';
import { createCasesService, type CasesService } from './cases.service.ts';

/** Rationale: deadlines fall on the minute of a working day's end; a one-minute sweep is late by at most that. */
export const CASE_SWEEP_MS = 60_000;
export const CASE_SWEEP_JOB = 'cases.sweep';

declare module 'fastify' {
  interface FastifyInstance {
    cases: CasesService;
    /** `app.ratings.rateAssistSession(...)` rates a video assistance session. */
    ratings: RatingsService;
  }
}

export async function registerCases(app: FastifyInstance, options: { startJobs: boolean }): Promise<void> {
  const d = app.deps;
  const cases = createCasesService({ db: d.db, clock: d.clock, sites: d.sites, config: d.config, events: d.events });
  const ratings = createRatingsService({ db: d.db, clock: d.clock, sites: d.sites, cases });
  app.decorate('cases', cases);
  app.decorate('ratings', ratings);
  await app.register(async (api) => {
    await api.register(casesRoutes(cases));
    await api.register(ratingsRoutes(ratings));
  }, { prefix: '/api/v1' });
  if (options.startJobs) {
    await d.jobs.every(CASE_SWEEP_JOB, CASE_SWEEP_MS, async () => {
      const r = await cases.sweep();
      if (r.escalated > 0) d.log.warn({ escalated: r.escalated, warned: r.warned }, 'cases escalated past their deadline');
    });
  }
}
