/** Wires statistics and the staffing planner into the app, with the roll-up job. */
import type { FastifyInstance } from 'fastify';
import { casePolicyFromConfig } from '../cases/cases.service.ts';
import { opsRoutes } from './ops.routes.ts';
import { createOpsService, type OpsService } from './ops.service.ts';

/** Rationale: hourly, the roll-up of a finished day lands within the hour after local midnight, on any node. */
export const STATS_ROLLUP_MS = 60 * 60_000;
export const STATS_ROLLUP_JOB = 'stats.rollup';

declare module 'fastify' {
  interface FastifyInstance {
    ops: OpsService;
  }
}

export async function registerOps(app: FastifyInstance, options: { startJobs: boolean }): Promise<void> {
  const d = app.deps;
  const ops = createOpsService({ db: d.db, clock: d.clock, sites: d.sites, config: d.config, calendar: casePolicyFromConfig(d.config).calendar });
  app.decorate('ops', ops);
  await app.register(opsRoutes(ops), { prefix: '/api/v1' });
  if (options.startJobs) {
    await d.jobs.every(STATS_ROLLUP_JOB, STATS_ROLLUP_MS, async () => void (await ops.rollup()));
  }
}
