/**
 * Serves the two built web apps on the API's port: the citizen app at `/`, the staff app at `/counter/`,
 * and hall boards at `/board/:siteId` (a route of the staff app). A missing build is reported, not fatal.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export async function registerWebApps(app: FastifyInstance, repoRoot: string): Promise<string[]> {
  const citizenDist = path.join(repoRoot, 'web-citizen', 'dist');
  const counterDist = path.join(repoRoot, 'web-counter', 'dist');
  const served: string[] = [];
  if (existsSync(path.join(counterDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: counterDist, prefix: '/counter/', decorateReply: false, wildcard: false, index: 'index.html' });
    // Client-side routes of the staff app all answer with its index.
    const sendCounterIndex = (_req: unknown, reply: { sendFile?: unknown; type: (t: string) => { send: (b: Buffer) => unknown } }) =>
      reply.type('text/html').send(readIndex(counterDist));
    app.get('/counter/*', sendCounterIndex as never);
    app.get('/board/:siteId', sendCounterIndex as never);
    served.push('counter');
  }
  if (existsSync(path.join(citizenDist, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: citizenDist, prefix: '/', decorateReply: false, wildcard: false,
      // An array: with `preCompressed`, @fastify/static finds a compressed index only from a list.
      index: ['index.html'],
      // The build writes .br/.gz beside each file: village links get a third of the bytes, no CPU per request.
      preCompressed: true,
      // Hashed assets never change; index.html must be revalidated so a new build is picked up.
      setHeaders: (reply: { header(name: string, value: string): unknown }, filePath: string) =>
        reply.header('cache-control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
    served.push('citizen');
  }
  return served;
}

/** Read on each request (a few hundred bytes): a rebuild while the server runs is served at once. */
function readIndex(dist: string): Buffer {
  return readFileSync(path.join(dist, 'index.html'));
}
