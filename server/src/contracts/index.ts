/** What the web apps and partner code may import from the server: schemas, event maps, error codes. */
export * from './dto.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './validators.ts';
export * from './ratings.ts';
export * from './cases.ts';
export * from './ops.ts';
export * from './video.ts';
export * from './appointments.ts';
export * from './ticket-progress.ts';
