import { describe, expect, it } from 'vitest';
import { transition } from '../queue/core/state-machine.ts';
import { TICKET_COMMANDS } from '../queue/core/types.ts';
import { TICKET_STATUSES } from './dto.ts';
import { isNotOlder } from './ticket-progress.ts';

const ENDS = ['done', 'noShow', 'cancelled', 'transferred'] as const;

describe('a pushed ticket update against what a screen shows', () => {
  it('never puts an ended ticket back to an earlier step', () => {
    for (const end of ENDS) {
      expect(isNotOlder({ status: 'waiting' }, { status: end })).toBe(false);
      expect(isNotOlder({ status: 'called' }, { status: end })).toBe(false);
      expect(isNotOlder({ status: 'serving' }, { status: end })).toBe(false);
      expect(isNotOlder({ status: 'suspended' }, { status: end })).toBe(false);
    }
  });

  it('never puts a called ticket back to waiting', () => {
    expect(isNotOlder({ status: 'waiting' }, { status: 'called' })).toBe(false);
  });

  it('never puts a ticket in service back to called or waiting', () => {
    expect(isNotOlder({ status: 'called' }, { status: 'serving' })).toBe(false);
    expect(isNotOlder({ status: 'waiting' }, { status: 'serving' })).toBe(false);
    expect(isNotOlder({ status: 'called' }, { status: 'suspended' })).toBe(false);
    expect(isNotOlder({ status: 'waiting' }, { status: 'suspended' })).toBe(false);
  });

  it('takes every forward step', () => {
    expect(isNotOlder({ status: 'called' }, { status: 'waiting' })).toBe(true);
    expect(isNotOlder({ status: 'serving' }, { status: 'called' })).toBe(true);
    expect(isNotOlder({ status: 'suspended' }, { status: 'serving' })).toBe(true);
    expect(isNotOlder({ status: 'done' }, { status: 'serving' })).toBe(true);
    expect(isNotOlder({ status: 'noShow' }, { status: 'called' })).toBe(true);
    expect(isNotOlder({ status: 'noShow' }, { status: 'suspended' })).toBe(true);
    expect(isNotOlder({ status: 'cancelled' }, { status: 'waiting' })).toBe(true);
    expect(isNotOlder({ status: 'transferred' }, { status: 'called' })).toBe(true);
    expect(isNotOlder({ status: 'transferred' }, { status: 'serving' })).toBe(true);
  });

  it('takes skipped steps (an event that never arrived)', () => {
    expect(isNotOlder({ status: 'serving' }, { status: 'waiting' })).toBe(true);
    expect(isNotOlder({ status: 'done' }, { status: 'waiting' })).toBe(true);
    expect(isNotOlder({ status: 'transferred' }, { status: 'waiting' })).toBe(true);
  });

  it('takes a recall and resume (the same step again, or its twin)', () => {
    expect(isNotOlder({ status: 'called' }, { status: 'called' })).toBe(true);
    expect(isNotOlder({ status: 'serving' }, { status: 'suspended' })).toBe(true);
  });

  it('takes any update of the status shown (position, estimate, call time, where a transfer went)', () => {
    for (const status of TICKET_STATUSES) expect(isNotOlder({ status }, { status })).toBe(true);
  });

  it('agrees with the state machine: each legal step is taken, its reverse only when also legal', () => {
    for (const from of TICKET_STATUSES) {
      for (const command of TICKET_COMMANDS) {
        const r = transition(from, command);
        if (!r.ok) continue;
        expect(isNotOlder({ status: r.to }, { status: from }), `${from} —${command}→ ${r.to}`).toBe(true);
        const back = TICKET_COMMANDS.some((c) => {
          const b = transition(r.to, c);
          return b.ok && b.to === from;
        });
        expect(isNotOlder({ status: from }, { status: r.to }), `late ${from} after ${r.to}`).toBe(back);
      }
    }
  });
});
