/**
 * `GET /metrics` in Prometheus text format: request latency by route, queue state per site (waiting, oldest
 * wait, SLA at risk), socket connections per namespace, job failures, mediasoup load. Each scrape reads the
 * queue figures from the database, so every node reports the same truth.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'drizzle-orm';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../contracts/errors.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; jobFailures: Counter<'job'> };
  }
}

/** Rationale: buckets from 5 ms (a cached read) to 5 s (a request stuck behind a restarting database). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Rationale: a ticket whose dueAt is this close with no call is "at risk" on the dashboard and here. */
const AT_RISK_HORIZON_SEC = 120;
/** Rationale: a rolling day keeps the gauges meaningful at any scrape time, across midnight. */
const ESTIMATE_WINDOW_H = 24;

export default fp(async function metrics(app: FastifyInstance) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'yc_process_' });
  const latency = new Histogram({ name: 'yc_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const jobFailures = new Counter({ name: 'yc_job_failures_total', help: 'Background job runs that failed', labelNames: ['job'], registers: [registry] });
  const { db, redis, database } = app.deps;

  const waiting = new Gauge({ name: 'yc_tickets_waiting', help: 'Waiting tickets per site', labelNames: ['site'], registers: [registry] });
  const oldest = new Gauge({ name: 'yc_oldest_wait_seconds', help: 'Longest current wait per site', labelNames: ['site'], registers: [registry] });
  const atRisk = new Gauge({ name: 'yc_sla_at_risk', help: `Waiting tickets within ${AT_RISK_HORIZON_SEC} s of (or past) their dueAt`, labelNames: ['site'], registers: [registry] });
  // The wait estimate given at issue against the actual wait (as the dashboard's stats define them).
  const estimateMae = new Gauge({ name: 'yc_wait_estimate_mae_minutes', help: `Mean |estimate given at issue − actual wait| of tickets called in the last ${ESTIMATE_WINDOW_H} h`, labelNames: ['site'], registers: [registry] });
  const estimateBias = new Gauge({ name: 'yc_wait_estimate_bias_minutes', help: `Mean (estimate − actual wait), last ${ESTIMATE_WINDOW_H} h: below 0 citizens waited longer than told`, labelNames: ['site'], registers: [registry] });
  const estimateInRange = new Gauge({ name: 'yc_wait_estimate_in_range_ratio', help: `Share of actual waits inside the range given at issue (±0.5 min), of tickets whose screen showed a range (high ≥ 2 min, above low), last ${ESTIMATE_WINDOW_H} h`, labelNames: ['site'], registers: [registry] });
  const updatesInRange = new Gauge({ name: 'yc_wait_estimate_updates_in_range_ratio', help: `Share of the ranges citizens were shown after issue (high ≥ 2 min, above low) whose remaining wait fell inside them (±0.5 min), tickets called in the last ${ESTIMATE_WINDOW_H} h`, labelNames: ['site'], registers: [registry] });
  const sockets = new Gauge({ name: 'yc_socket_connections', help: 'socket.io connections on this node per namespace', labelNames: ['namespace'], registers: [registry] });
  const up = new Gauge({ name: 'yc_dependency_up', help: '1 when a dependency answers', labelNames: ['dependency'], registers: [registry] });
  const mediaWorkers = new Gauge({ name: 'yc_media_workers_alive', help: 'Live mediasoup workers on this node', registers: [registry] });
  const mediaDeaths = new Gauge({ name: 'yc_media_worker_deaths', help: 'mediasoup workers that died since start', registers: [registry] });
  const mediaConsumers = new Gauge({ name: 'yc_media_consumers', help: 'mediasoup consumers on this node', registers: [registry] });
  const mediaRooms = new Gauge({ name: 'yc_media_rooms', help: 'Live media rooms on this node', registers: [registry] });

  const watch = database.watch;
  new Gauge({
    name: 'yc_database_stuck_seconds', help: 'How long the database has not answered in time (0 while it does)', registers: [registry],
    collect() {
      this.set(watch.stuckSince === null ? 0 : (Date.now() - watch.stuckSince) / 1000);
    },
  });
  new Counter({
    name: 'yc_database_timeouts_total', help: 'Database calls that ran out of time: waiting for a connection or turn, a statement, a lock, a transaction', labelNames: ['kind'], registers: [registry],
    collect() {
      this.reset();
      for (const [kind, n] of Object.entries(watch.timeouts)) this.inc({ kind }, n);
    },
  });

  app.decorate('metrics', { registry, jobFailures });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    if (route === '/metrics') return;
    latency.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  async function collect() {
    const dbUp = await database.ping();
    up.set({ dependency: 'postgres' }, dbUp ? 1 : 0);
    if (redis) up.set({ dependency: 'redis' }, (await redis.ping().then(() => true, () => false)) ? 1 : 0);
    if (dbUp) {
      const rows = (await db.execute(sql`
        SELECT s.code AS site, count(t.id)::int AS waiting,
               coalesce(extract(epoch from now() - min(t.issued_at)), 0)::float8 AS oldest,
               count(t.id) FILTER (WHERE t.due_at <= now() + make_interval(secs => ${AT_RISK_HORIZON_SEC}))::int AS at_risk
        FROM sites s LEFT JOIN tickets t ON t.site_id = s.id AND t.status = 'waiting'
        GROUP BY s.code`)) as unknown as { rows: { site: string; waiting: number; oldest: number; at_risk: number }[] };
      waiting.reset();
      oldest.reset();
      atRisk.reset();
      for (const r of rows.rows) {
        waiting.set({ site: r.site }, r.waiting);
        oldest.set({ site: r.site }, Number(r.oldest));
        atRisk.set({ site: r.site }, r.at_risk);
      }
      // Same definitions as ops/stats-facts (and ops/core/estimate-accuracy's insideRange and showsRange), in SQL so a
      // scrape reads one row per site instead of every ticket of the day.
      const estimates = (await db.execute(sql`
        SELECT s.code AS site,
               avg(abs(t.eta_at_issue_min - w.min))::float8 AS mae,
               avg(t.eta_at_issue_min - w.min)::float8 AS bias,
               (count(*) FILTER (WHERE t.eta_high_at_issue_min > 1 AND t.eta_high_at_issue_min > r.low
                 AND w.min BETWEEN r.low - 0.5 AND t.eta_high_at_issue_min + 0.5))::float8
                 / nullif(count(*) FILTER (WHERE t.eta_high_at_issue_min > 1 AND t.eta_high_at_issue_min > r.low), 0) AS in_range
        FROM tickets t JOIN sites s ON s.id = t.site_id
        CROSS JOIN LATERAL (SELECT extract(epoch from t.called_at - t.issued_at) / 60 AS min) w
        CROSS JOIN LATERAL (SELECT coalesce(t.eta_low_at_issue_min, t.eta_at_issue_min) AS low) r
        WHERE t.called_at > now() - make_interval(hours => ${ESTIMATE_WINDOW_H}) AND t.eta_at_issue_min IS NOT NULL
        GROUP BY s.code`)) as unknown as { rows: { site: string; mae: number; bias: number; in_range: number | null }[] };
      estimateMae.reset();
      estimateBias.reset();
      estimateInRange.reset();
      for (const r of estimates.rows) {
        estimateMae.set({ site: r.site }, Number(r.mae));
        estimateBias.set({ site: r.site }, Number(r.bias));
        if (r.in_range !== null) estimateInRange.set({ site: r.site }, Number(r.in_range));
      }
      const updates = (await db.execute(sql`
        SELECT s.code AS site,
               (count(*) FILTER (WHERE u.high_min > 1 AND u.high_min > u.low_min AND w.min BETWEEN u.low_min - 0.5 AND u.high_min + 0.5))::float8
                 / nullif(count(*) FILTER (WHERE u.high_min > 1 AND u.high_min > u.low_min), 0) AS in_range
        FROM ticket_estimate_updates u JOIN tickets t ON t.id = u.ticket_id JOIN sites s ON s.id = u.site_id
        CROSS JOIN LATERAL (SELECT extract(epoch from t.called_at - u.shown_at) / 60 AS min) w
        WHERE t.called_at > now() - make_interval(hours => ${ESTIMATE_WINDOW_H}) AND t.called_at >= u.shown_at
        GROUP BY s.code`)) as unknown as { rows: { site: string; in_range: number | null }[] };
      updatesInRange.reset();
      for (const r of updates.rows) if (r.in_range !== null) updatesInRange.set({ site: r.site }, Number(r.in_range));
    }
    for (const ns of ['/hall', '/media']) sockets.set({ namespace: ns }, app.io.of(ns).sockets.size);
    const media = app.hasDecorator('video') ? app.video?.media : undefined;
    if (media) {
      const s = media.stats();
      mediaWorkers.set(s.workers.length);
      mediaDeaths.set(s.workerDeaths);
      mediaConsumers.set(s.consumers);
      mediaRooms.set(s.rooms);
    }
  }

  // With YC_METRICS_TOKEN set, a scraper sends it as a bearer token (Prometheus' `authorization` setting);
  // deploy/nginx.conf refuses /metrics from outside in any case.
  const expected = app.deps.config.metricsToken === undefined ? undefined : Buffer.from(`Bearer ${app.deps.config.metricsToken}`);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (expected) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AppError({ code: 'UNAUTHENTICATED', details: { reason: 'metrics token' } });
    }
    await collect().catch((err: unknown) => app.log.warn({ err }, 'metrics collection incomplete'));
    return reply.type(registry.contentType).send(await registry.metrics());
  });
});
