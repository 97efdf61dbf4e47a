export * from './erlang-c.ts';
export * from './rng.ts';
export * from './stats.ts';
export * from './simulator.ts';
export * from './staffing-plan.ts';
