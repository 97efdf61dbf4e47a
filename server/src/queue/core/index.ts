export * from './types.ts';
export * from './state-machine.ts';
export * from './due-at.ts';
export * from './calling-order.ts';
export * from './eta.ts';
export * from './min-heap.ts';
