export * from './capacity.ts';
export * from './check-in.ts';
export * from './reminders.ts';
export * from './rules.ts';
export * from './slots.ts';
export * from './types.ts';
