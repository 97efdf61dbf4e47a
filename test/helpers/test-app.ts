/**
 * A real server for a test: its own Postgres database cloned from the migrated template, optionally Redis
 * under a prefix of its own, listening on port 0 when sockets are needed.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../server/src/app.ts';
import { registerWebApps } from '../../server/src/plugins/web-apps.ts';
import { type Config, loadConfig } from '../../server/src/config.ts';
import type { Clock } from '../../server/src/lib/clock.ts';

/**
 * Which database the integration tests run on: the `postgres` project of vitest.config.ts runs them on
 * Postgres, the `pglite` project runs the same test bodies on the embedded default (PGlite in a folder, no
 * Redis), which is what `npm start` gives every newcomer.
 */
export const dbTarget: 'postgres' | 'pglite' = inject('dbTarget');
export const onPglite = dbTarget === 'pglite';

export interface TestDatabase {
  /** Postgres connection string; '' on PGlite. */
  url: string;
  /** The PGlite folder (the `pglite` project), else undefined. */
  dataDir?: string;
  drop(): Promise<void>;
}

/** The environment that points a server process at this database (a PGlite folder on the `pglite` project). */
export function databaseEnv(database: TestDatabase): Record<string, string> {
  return database.dataDir === undefined ? { DATABASE_URL: database.url } : { DATABASE_URL: '', YC_DATA_DIR: database.dataDir };
}

/** PGlite folders with a live server: one process owns a folder, so two at once would corrupt it. */
const openPgliteFolders = new Set<string>();

/**
 * A database cloned from the migrated template: on Postgres a database named `yc_t_*` by default, which
 * test/global-setup.ts drops when any run starts (a test that runs long, the browser tests, passes a name
 * outside that pattern); on PGlite a copy of the migrated template folder.
 */
export async function createTestDatabase(name = `yc_t_${Math.floor(Date.now() / 1000)}_${randomBytes(5).toString('hex')}`): Promise<TestDatabase> {
  if (onPglite) {
    const dir = mkdtempSync(path.join(tmpdir(), 'yc-pglite-t-'));
    cpSync(inject('pgliteTemplateDir'), dir, { recursive: true });
    return { url: '', dataDir: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = inject('pgAdminUrl');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // CREATE DATABASE … TEMPLATE needs the template idle; parallel test files retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('pgTemplate')}"`);
        break;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

export interface TestAppOptions {
  /** Redis for events, jobs and rate limits; ignored on PGlite, whose whole point is running without it. */
  redis?: boolean;
  clock?: Clock;
  config?: Partial<Config>;
  env?: Record<string, string>;
  /** Share a database with another app (two nodes). */
  database?: TestDatabase;
  /** Share a Redis prefix with another app (two nodes). */
  redisPrefix?: string;
  startJobs?: boolean;
  listen?: boolean;
  /** Serve the built web apps (browser tests): `/`, `/counter/`, `/board/:siteId`. */
  webApps?: boolean;
}

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  database: TestDatabase;
  /** Base URL when listening (`http://127.0.0.1:PORT`). */
  url: string;
  close(): Promise<void>;
  /** `app.inject` under `/api/v1`, with an optional bearer token. */
  api(method: InjectOptions['method'], path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const folder = database.dataDir;
  if (folder !== undefined) {
    if (openPgliteFolders.has(folder)) {
      throw new Error('a second live server on one PGlite folder: this test needs Postgres (one process owns a PGlite folder)');
    }
    openPgliteFolders.add(folder);
  }
  const prefix = options.redisPrefix ?? `yct-${randomBytes(4).toString('hex')}`;
  const config = loadConfig(
    { YC_DEMO_SEED: '0', YC_ADMIN_PASSWORD: 'admin-test-pass', YC_SECRET: 'test-secret-0123456789', ...(options.env ?? {}) },
    {
      databaseUrl: folder === undefined ? database.url : undefined,
      ...(folder === undefined ? {} : { dataDir: folder }),
      redisUrl: options.redis && !onPglite ? inject('redisUrl') : undefined,
      redisPrefix: prefix,
      port: 0,
      ...(options.config ?? {}),
    },
  );
  let app: FastifyInstance;
  try {
    app = await buildApp({
      config,
      ...(options.clock ? { clock: options.clock } : {}),
      startJobs: options.startJobs ?? false,
      // YC_TEST_LOG=error (or info) shows the server's log while debugging a test.
      ...(process.env.YC_TEST_LOG ? { logger: { level: process.env.YC_TEST_LOG } } : {}),
      ...(options.webApps ? { webApps: (a: FastifyInstance) => registerWebApps(a, fileURLToPath(new URL('../..', import.meta.url))) } : {}),
    });
  } catch (err) {
    if (folder !== undefined) openPgliteFolders.delete(folder);
    throw err;
  }
  let url = '';
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  } else {
    await app.ready();
  }
  let closed = false;
  return {
    app,
    config,
    database,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (folder !== undefined) openPgliteFolders.delete(folder);
      if (!options.database) await database.drop();
    },
    async api(method, path, body, headers = {}) {
      const res = await app.inject({
        method,
        url: `/api/v1${path}`,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      let parsed: unknown = null;
      try {
        parsed = res.body ? JSON.parse(res.body) : null;
      } catch {
        parsed = res.body;
      }
      return { status: res.statusCode, body: parsed, headers: res.headers as Record<string, unknown> };
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
