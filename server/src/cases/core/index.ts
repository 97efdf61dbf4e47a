export * from './types.ts';
export * from './state-machine.ts';
export * from './working-days.ts';
export * from './deadlines.ts';
export * from './redact.ts';
export { CN_HOLIDAYS } from './cn-calendar.ts';
