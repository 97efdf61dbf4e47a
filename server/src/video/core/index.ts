export * from './escalation.ts';
export * from './quality.ts';
export * from './room-ids.ts';
export * from './routing.ts';
export * from './sdp.ts';
export * from './placement.ts';
