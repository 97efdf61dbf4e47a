/**
 * Before any test file: Postgres and Redis must answer (in CI a missing service fails the run rather than
 * skipping tests), a template database is migrated once so each test file can clone a fresh one fast, and
 * the compiled server that server-process tests start (as npm start and the image do) is built from the sources.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createDatabase, MIGRATIONS_FOLDER } from '../server/src/db/client.ts';
import { buildServer } from '../scripts/build-server.mjs';

export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
/** Rationale: longer than the 90-minute CI limit, so no live run loses its databases. */
const STALE_AFTER_SEC = 2 * 3600;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    redisUrl: string;
    /** `postgres` or `pglite`: the vitest project (vitest.config.ts) this file runs in. */
    dbTarget: 'postgres' | 'pglite';
    /** A migrated PGlite folder that each test file of the `pglite` project copies. */
    pgliteTemplateDir: string;
  }
}

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).sort()) h.update(f).update(readFileSync(path.join(MIGRATIONS_FOLDER, f)));
  return h.digest('hex').slice(0, 12);
}

export default async function setup(project: TestProject) {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`Postgres is not reachable at ${PG_ADMIN_URL} (${(err as Error).message}). Start it (see README "Tests") — tests never skip it.`);
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${TEST_REDIS_URL} (${(err as Error).message}). Start it (see README "Tests") — tests never skip it.`);
  } finally {
    redis.disconnect();
  }

  await buildServer();

  const template = `yc_template_${migrationsHash()}`;
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
  if (exists.rowCount === 0) {
    const building = `${template}_build_${process.pid}`;
    await admin.query(`CREATE DATABASE "${building}"`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${building}`;
    const db = createDatabase({ databaseUrl: url.toString(), dataDir: '' });
    await db.migrate();
    await db.close();
    // Renamed only once complete, so a crashed run never leaves a half-migrated template behind.
    await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`).catch(async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
    });
  }
  // Databases of earlier runs that died before cleaning up. Names carry their creation time
  // (yc_t_<epoch seconds>_…), and only those older than a CI run can last are dropped: other test runs
  // may be going on right now against the same server.
  const cutoff = Math.floor(Date.now() / 1000) - STALE_AFTER_SEC;
  const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname ~ '^yc_t_[0-9]+_'`);
  for (const row of stale.rows as { datname: string }[]) {
    const created = Number(row.datname.split('_')[2]);
    if (created < cutoff) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => undefined);
  }
  await admin.end();

  const dbTarget = project.name === 'pglite' ? 'pglite' : 'postgres';
  project.provide('dbTarget', dbTarget);
  project.provide('pgliteTemplateDir', dbTarget === 'pglite' ? await pgliteTemplate() : '');
  project.provide('pgAdminUrl', PG_ADMIN_URL);
  project.provide('pgTemplate', template);
  project.provide('redisUrl', TEST_REDIS_URL);
}

/** A PGlite folder migrated once per set of migrations; built aside and renamed, so a crash leaves no half. */
async function pgliteTemplate(): Promise<string> {
  const dir = path.join(tmpdir(), `yc-pglite-template-${migrationsHash()}`);
  if (existsSync(dir)) return dir;
  const building = `${dir}-build-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const db = createDatabase({ databaseUrl: undefined, dataDir: building });
  await db.migrate();
  await db.close();
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}
