/** Every table, for drizzle's relational client and drizzle-kit. One file per table group. */
export * from './sites.ts';
export * from './services.ts';
export * from './windows.ts';
export * from './staff.ts';
export * from './tickets.ts';
export * from './appointments.ts';
export * from './notifications.ts';
export * from './jobs.ts';
export * from './video.ts';
export * from './ratings.ts';
export * from './cases.ts';
export * from './stats.ts';
