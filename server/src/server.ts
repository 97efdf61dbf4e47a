/** Process concerns only: configuration, listening, the demo seed, graceful shutdown. */
import { buildApp, loggerOptions } from './app.ts';
import { ConfigError, DEFAULT_ADMIN_PASSWORD, loadConfig } from './config.ts';
import { registerWebApps } from './plugins/web-apps.ts';
import { DEMO_PASSWORD, DEMO_STAFF } from './seed/demo-data.ts';
import { seedDemo } from './seed/demo-seed.ts';

async function main() {
  let config;
  try {
    // `npm start` passes --demo: the demo is asked for by name, never fallen into by a missing setting.
    config = loadConfig(process.argv.includes('--demo') && process.env.YC_DEMO === undefined ? { ...process.env, YC_DEMO: '1' } : process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = await buildApp({ config, logger: loggerOptions(config.logLevel), webApps: (a) => registerWebApps(a, config.webRoot) });
  if (config.demoSeed) {
    const { created } = await seedDemo(app.deps.db, app.sitesService);
    if (created) app.log.info('demo data seeded');
  }
  // Rationale: a release-time burst opens thousands of connections at once; Node's default backlog (511)
  // makes the kernel reset the overflow before the server sees it.
  await app.listen({ port: config.port, host: config.host, backlog: 4096 });
  const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${(app.server.address() as { port: number }).port}`;
  const lines = [
    '',
    '一窗 Yichuang is running',
    `  citizen app      ${base}/            (kiosk: ${base}/?kiosk=1)`,
    `  staff app        ${base}/counter/`,
    `  hall board       ${base}/board/<siteId>   (site ids: ${base}/api/v1/sites)`,
    `  API docs         ${base}/docs`,
    `  database         ${config.databaseUrl ? 'Postgres (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`}`,
    `  events and jobs  ${config.redisUrl ? 'Redis (REDIS_URL)' : 'in-process'}`,
    `  admin            ${config.adminUser} / ${config.adminPassword === DEFAULT_ADMIN_PASSWORD ? DEFAULT_ADMIN_PASSWORD : '(YC_ADMIN_PASSWORD)'}`,
    ...(config.demoSeed ? [`  demo staff       ${DEMO_STAFF.map((s) => s.username).join(', ')}  — password ${DEMO_PASSWORD}`] : []),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'draining');
    // Rationale: long enough to finish in-flight requests and jobs, short enough for an orchestrator's grace period.
    const force = setTimeout(() => {
      app.log.error({ resources: process.getActiveResourcesInfo() }, 'shutdown timed out');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  // A promise nobody awaited must not take the hall down with it: log it loudly and keep serving.
  process.on('unhandledRejection', (err) => app.log.error({ err }, 'unhandled rejection'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Maintenance of a media node: no new rooms, not offered to new participants; the rooms here finish.
  process.on('SIGUSR2', () => {
    app.log.info('media node draining');
    app.video.drain();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
