/**
 * Security headers and the CORS allow-list. Pages and API share one origin, so browsers need no CORS unless
 * a partner origin is listed in YC_CORS_ORIGINS.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(async function security(app: FastifyInstance) {
  await app.register(helmet, {
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
  const allowed = new Set(app.deps.config.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    credentials: false,
    allowedHeaders: ['content-type', 'authorization', 'x-access-token', 'idempotency-key', 'x-request-id'],
    maxAge: 600,
  });
});
