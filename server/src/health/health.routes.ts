import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HealthView } from '../contracts/dto.ts';

/** Rationale: a health probe must answer fast even when a dependency hangs. */
const PROBE_TIMEOUT_MS = 1_000;

function withTimeout<T>(p: Promise<T>, fallback: T): Promise<T> {
  return Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), PROBE_TIMEOUT_MS).unref())]);
}

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, redis } = app.deps;
  app.get('/health', { schema: { tags: ['ops'], response: { 200: HealthView, 503: HealthView } } }, async (_request, reply) => {
    // The ping comes first even while stuck: its answer is what tells the watch the database is back.
    const answered = await withTimeout(database.ping(), false);
    // Stuck: requests time out (a held lock, a full pool) though a ping on Postgres's other connections
    // may still answer; a hall whose clerks get 503s is down to its load balancer and its operator.
    const db = answered && database.watch.stuckSince === null ? 'up' : 'down';
    const r = !redis ? 'none' : (await withTimeout(redis.ping().then(() => true, () => false), false)) ? 'up' : 'down';
    const status = db === 'up' && r !== 'down' ? 'ok' : 'degraded';
    return reply.status(db === 'up' ? 200 : 503).send({ status, db, redis: r });
  });
};
