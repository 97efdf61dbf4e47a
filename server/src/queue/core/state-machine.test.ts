import { describe, expect, it } from 'vitest';
import { isTerminal, transition } from './state-machine.ts';
import { TICKET_COMMANDS, TICKET_STATUSES, type TicketCommand, type TicketStatus } from './types.ts';

/** The whole allowed table from API.md; every other (status, command) pair must be refused. */
const ALLOWED: ReadonlyArray<[TicketStatus, TicketCommand, TicketStatus]> = [
  ['waiting', 'call', 'called'],
  ['called', 'recall', 'called'],
  ['called', 'start', 'serving'],
  ['serving', 'finish', 'done'],
  ['called', 'noShow', 'noShow'],
  ['waiting', 'cancel', 'cancelled'],
  ['called', 'cancel', 'cancelled'],
  ['serving', 'suspend', 'suspended'],
  ['suspended', 'resume', 'serving'],
  ['suspended', 'expireSuspension', 'noShow'],
  ['called', 'transfer', 'transferred'],
  ['serving', 'transfer', 'transferred'],
];

const expected = (from: TicketStatus, command: TicketCommand): TicketStatus | undefined =>
  ALLOWED.find(([f, c]) => f === from && c === command)?.[2];

const table = TICKET_STATUSES.flatMap((from) => TICKET_COMMANDS.map((command) => [from, command] as const));

describe('transition', () => {
  it('covers every status × command (8 × 10)', () => {
    expect(table).toHaveLength(80);
  });

  it.each(table)('%s —%s→', (from, command) => {
    const to = expected(from, command);
    const r = transition(from, command);
    if (to === undefined) {
      expect(r).toEqual({ ok: false, error: { code: 'INVALID_TRANSITION', from, command } });
    } else {
      expect(r).toEqual({ ok: true, to });
    }
  });

  it('terminal statuses accept no command', () => {
    for (const from of TICKET_STATUSES.filter(isTerminal)) {
      for (const command of TICKET_COMMANDS) expect(transition(from, command).ok).toBe(false);
    }
    expect(TICKET_STATUSES.filter(isTerminal)).toEqual(['done', 'noShow', 'cancelled', 'transferred']);
  });

  it('a served ticket walks the happy path with a suspension', () => {
    let s: TicketStatus = 'waiting';
    for (const c of ['call', 'recall', 'start', 'suspend', 'resume', 'finish'] as const) {
      const r = transition(s, c);
      if (!r.ok) throw new Error(`refused ${s} ${c}`);
      s = r.to;
    }
    expect(s).toBe('done');
  });
});
