/**
 * Security headers and the CORS allow-list. Pages and API share one origin, so browsers need no CORS unless
 * a partner origin is listed in YC_CORS_ORIGINS.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';

export default fp(async function security(app: FastifyInstance) {
  // Built once: @fastify/helmet rebuilt (and re-parsed) the whole policy on every request.
  const applySecurityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Ant Design writes its styles at run time; the OpenAPI explorer inlines a few.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        fontSrc: ["'self'", 'data:'],
        workerSrc: ["'self'", 'blob:'],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // Video pages need the camera, microphone and screen of their own origin.
    crossOriginEmbedderPolicy: false,
    hsts: app.deps.config.production,
  });
  app.addHook('onRequest', (request, reply, done) => applySecurityHeaders(request.raw, reply.raw, (err) => done(err instanceof Error ? err : undefined)));
  const allowed = new Set(app.deps.config.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    credentials: false,
    allowedHeaders: ['content-type', 'authorization', 'x-access-token', 'idempotency-key', 'x-request-id'],
    maxAge: 600,
  });
});
