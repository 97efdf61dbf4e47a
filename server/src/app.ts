/**
 * The Fastify app as a plugin tree: what tests build and what server.ts listens with.
 * Dependencies are made here once and handed down explicitly.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from './contracts/errors.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Redis } from 'ioredis';
import { createAuditService, type AuditService } from './audit/audit.service.ts';
import { createAuthService, type AuthService } from './auth/auth.service.ts';
import type { Config } from './config.ts';
import { createDatabase, type Database, type Db } from './db/client.ts';
import { isDatabaseUnavailable } from './db/pg-errors.ts';
import { createHallEvents, type HallEvents, redisWindowClaim } from './events/hall-events.ts';
import { createJobRunner } from './jobs/create-job-runner.ts';
import type { JobRunner } from './jobs/job-runner.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from './lib/rate-limiter.ts';
import authPlugin from './plugins/auth.ts';
import { clientErrorHandler } from './plugins/client-errors.ts';
import errorHandler from './plugins/error-handler.ts';
import inputText from './plugins/input-text.ts';
import metricsPlugin from './plugins/metrics.ts';
import securityPlugin from './plugins/security.ts';
import socketIo from './plugins/socket-io.ts';
import { registerDomains } from './routes.ts';
import { createSiteDirectory, type SiteDirectory } from './sites/site-directory.ts';

export interface AppDeps {
  config: Config;
  clock: Clock;
  database: Database;
  db: Db;
  redis: Redis | null;
  auth: AuthService;
  audit: AuditService;
  sites: SiteDirectory;
  events: HallEvents;
  jobs: JobRunner;
  rateLimiter: RateLimiter;
  log: FastifyBaseLogger;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

export interface BuildOptions {
  config: Config;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
  /** Skip background jobs (tests that drive time by hand run them with `jobs.runNow`). */
  startJobs?: boolean;
  /** Registers the built web apps (server.ts); tests of the API leave them out. */
  webApps?: (app: FastifyInstance) => Promise<unknown>;
}

/** Log lines never carry personal data or credentials. */
export const LOG_REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers["x-access-token"]',
    'req.headers["idempotency-key"]',
    '*.citizen', '*.idNumber', '*.phone', '*.password', '*.accessToken', '*.token',
  ],
  censor: '[redacted]',
};

function stripTokenFromUrl(url: string): string {
  // Citizen access tokens may ride in `?t=`: never into a log.
  return url.replace(/([?&]t=)[^&]*/g, '$1[redacted]');
}

/** Logger options for a served process: redacted, with the request id on every line (Fastify's reqId). */
export function loggerOptions(level: string) {
  return {
    level,
    redact: LOG_REDACT,
    serializers: {
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({ method: req.method, url: stripTokenFromUrl(req.url), reqId: req.id }),
    },
  };
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const app = Fastify({
    logger: options.logger ?? false,
    // Only the deployed proxies (a hop count or their addresses): see TRUST_PROXY in config.ts.
    // A hop count as Fastify itself compiles one (its types leave numbers out): hop i = i addresses from the socket.
    trustProxy: typeof config.trustProxy === 'object' ? [...config.trustProxy] : typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : false,
    // Rationale: the largest legitimate body (booking rules for a week) is a few KiB.
    bodyLimit: 64 * 1024,
    requestIdHeader: 'x-request-id',
    // While draining, new requests get the contract's 503 UNAVAILABLE (below), not Fastify's own body.
    return503OnClosing: false,
    // Rationale: the first boot on a busy 2-core host (migrations, media, job queues) can exceed the 10 s default.
    pluginTimeout: 60_000,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const database = createDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    limits: config.databaseLimits,
    strictTransactions: !config.production,
    log: () => app.log,
  });
  await database.migrate();
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, {
        // Fail fast while Redis is down instead of queueing commands without bound.
        maxRetriesPerRequest: 1,
        enableOfflineQueue: true,
        lazyConnect: false,
      })
    : null;
  redis?.on('error', () => undefined);
  const db = database.db;
  const jobs = createJobRunner({ config, clock, onError: (name, err) => {
    app.log.error({ err, job: name }, 'job failed');
    if (app.hasDecorator('metrics')) app.metrics.jobFailures.inc({ job: name });
  } });
  const deps: AppDeps = {
    config,
    clock,
    database,
    db,
    redis,
    auth: createAuthService({ db, clock, config }),
    audit: createAuditService({ db, clock }),
    sites: createSiteDirectory({ db, now: clock.now, checkRootRead: database.checkRootRead }),
    events: createHallEvents({
      db, hall: () => (app.hasDecorator('io') ? app.io.of('/hall') : null), sharedBusUp: () => !redis || redis.status === 'ready', onError: (err) => logPublicationFailure(app, database, err),
      ...(redis ? { claimQueueChanged: redisWindowClaim(redis, `${config.redisPrefix}:queue-changed`) } : {}),
    }),
    jobs,
    rateLimiter: redis ? createRedisRateLimiter(redis, config.redisPrefix, clock.now) : createMemoryRateLimiter(clock.now),
    log: app.log,
  };
  app.decorate('deps', deps);
  await deps.auth.ensureBootstrapAdmin();

  await app.register(errorHandler);
  await app.register(inputText);
  await app.register(securityPlugin);
  await app.register(metricsPlugin);
  await app.register(swagger, {
    openapi: {
      info: { title: '一窗 Yichuang API', version: '1.0.0', description: 'Public contract: ../shared/API.md' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, accessToken: { type: 'apiKey', in: 'header', name: 'X-Access-Token' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin);
  await app.register(socketIo);
  await registerDomains(app, { startJobs: options.startJobs ?? true });
  if (options.webApps) await options.webApps(app);

  let draining = false;
  // Callback hooks, not async ones: they run on every request, and a promise each is measurable there.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!draining) return done();
    reply.header('Connection', 'close');
    done(new AppError({ code: 'UNAVAILABLE', details: { reason: 'shutting down' } }));
  });
  // Responses finished while draining close their connection, so keep-alive clients move to another node
  // and the server can finish closing instead of waiting out the keep-alive timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('Connection', 'close');
    done(null, payload);
  });
  app.addHook('preClose', async () => {
    draining = true;
    // Events of committed changes still go out before sockets close.
    await deps.events.flush();
  });
  app.addHook('onClose', async () => {
    await jobs.close();
    await database.close();
    if (redis) await redis.quit().catch(() => redis.disconnect());
  });
  return app;
}

/** An event that could not go out: once per outage when the database is why (the watch says it), else loudly. */
function logPublicationFailure(app: FastifyInstance, database: Database, err: unknown): void {
  if (!isDatabaseUnavailable(err)) return app.log.error({ err }, 'event publication failed');
  database.watch.refused(err);
  app.log.debug({ err }, 'event publication failed: the database is unavailable');
}
