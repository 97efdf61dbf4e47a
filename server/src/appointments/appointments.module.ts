/** Wires appointments, the notifications outbox and the nightly hook into the app, with their jobs. */
import type { FastifyInstance } from 'fastify';
import { createNightlyJobs, type NightlyJobs } from '../jobs/nightly.ts';
import { createLogChannel, createSmsGatewayChannel } from '../notifications/notification-channel.ts';
import { createOutbox, type Outbox } from '../notifications/outbox.ts';
import { appointmentsRoutes } from './appointments.routes.ts';
import { APPOINTMENT_DUE_JOB, type AppointmentsService, createAppointmentsService } from './appointments.service.ts';
import { createMemorySlotPlaces, createRedisSlotPlaces } from './slot-places.ts';

/** Rationale: one-off timers reach two hours ahead; rebuilding them hourly leaves an hour's overlap. */
const TIMER_REBUILD_MS = 60 * 60_000;

declare module 'fastify' {
  interface FastifyInstance {
    appointments: AppointmentsService;
    outbox: Outbox;
    /** Register nightly tasks here (e.g. the statistics roll-up): `app.nightly.register(name, task)`. */
    nightly: NightlyJobs;
  }
}

export async function registerAppointments(app: FastifyInstance, options: { startJobs: boolean }): Promise<void> {
  const d = app.deps;
  const onError = (name: string, err: unknown) => d.log.error({ err, job: name }, 'job failed');
  const channel = d.config.sms.gatewayUrl ? createSmsGatewayChannel(d.config.sms.gatewayUrl) : createLogChannel(d.log);
  const outbox = createOutbox({
    db: d.db, clock: d.clock, secret: d.config.secret, channel,
    onError: (err, row) => d.log.warn({ err, outboxId: row.id, attempts: row.attempts }, 'notification not sent; will retry'),
  });
  const appointments = createAppointmentsService({
    db: d.db, clock: d.clock, sites: d.sites, config: d.config, rateLimiter: d.rateLimiter, jobs: d.jobs, outbox, queue: app.queue,
    // Several nodes share one count of places through Redis; alone, the node's memory holds it.
    slotPlaces: d.redis ? createRedisSlotPlaces(d.redis, d.config.redisPrefix, d.clock.now) : createMemorySlotPlaces(d.clock.now),
  });
  const nightly = createNightlyJobs({ db: d.db, clock: d.clock, timeZone: 'Asia/Shanghai', atHour: d.config.jobs.nightlyHour, onError });
  app.decorate('appointments', appointments);
  app.decorate('outbox', outbox);
  app.decorate('nightly', nightly);

  await app.register(appointmentsRoutes(appointments), { prefix: '/api/v1' });

  if (options.startJobs) {
    appointments.enableTimers();
    d.jobs.handle<{ appointmentId: string }>(APPOINTMENT_DUE_JOB, async ({ appointmentId }) => appointments.processDue(appointmentId));
    await d.jobs.every('appointments.sweep', d.config.jobs.appointmentSweepMs, async () => void (await appointments.sweep()));
    await d.jobs.every('notifications.deliver', d.config.jobs.appointmentSweepMs, async () => void (await outbox.deliverDue()));
    await d.jobs.every('appointments.timers', TIMER_REBUILD_MS, async () => void (await appointments.rebuildTimers()));
    await nightly.start(d.jobs);
    // The in-process runner lost its timers with the last process: set the coming ones again from the database.
    app.addHook('onReady', async () => void (await appointments.rebuildTimers()));
  }
}
