import { describe, expect, it } from 'vitest';
import { caseTransition, isActive, type CaseFacts } from './state-machine.ts';
import { CASE_COMMANDS, CASE_STATUSES, type CaseCommand, type CaseStatus } from './types.ts';

type Row = [CaseStatus, CaseCommand, CaseStatus];
/** The allowed table for a case that has been assigned and replied to; every other pair is refused. */
const ALLOWED: readonly Row[] = [
  ['open', 'assign', 'assigned'],
  ['assigned', 'assign', 'assigned'],
  ['escalated', 'assign', 'assigned'],
  ['replied', 'assign', 'replied'],
  ['open', 'reply', 'replied'],
  ['assigned', 'reply', 'replied'],
  ['replied', 'reply', 'replied'],
  ['escalated', 'reply', 'replied'],
  ['replied', 'resolve', 'resolved'],
  ['escalated', 'resolve', 'resolved'],
  ['resolved', 'accept', 'revisited'],
  ['resolved', 'reject', 'assigned'],
  ['revisited', 'close', 'closed'],
  ['open', 'escalate', 'escalated'],
  ['assigned', 'escalate', 'escalated'],
  ['replied', 'escalate', 'escalated'],
];
const both: CaseFacts = { assigned: true, replied: true };
const table = CASE_STATUSES.flatMap((from) => CASE_COMMANDS.map((command) => [from, command] as const));

describe('caseTransition', () => {
  it('covers every status × command (7 × 7)', () => expect(table).toHaveLength(49));

  it.each(table)('%s —%s→', (from, command) => {
    const to = ALLOWED.find(([f, c]) => f === from && c === command)?.[2];
    const r = caseTransition(from, command, both);
    expect(r).toEqual(to === undefined ? { ok: false, error: { code: 'INVALID_TRANSITION', from, command } } : { ok: true, to });
  });

  it('sends a rejected result back to the assignee, or to the open pool when nobody is assigned', () => {
    expect(caseTransition('resolved', 'reject', { assigned: true, replied: true })).toEqual({ ok: true, to: 'assigned' });
    expect(caseTransition('resolved', 'reject', { assigned: false, replied: true })).toEqual({ ok: true, to: 'open' });
  });

  it('does not let an escalated case be resolved before the citizen had any reply', () => {
    expect(caseTransition('escalated', 'resolve', { assigned: true, replied: false }).ok).toBe(false);
    expect(caseTransition('escalated', 'reply', { assigned: true, replied: false })).toEqual({ ok: true, to: 'replied' });
  });

  it('walks the whole story open → assigned → replied → resolved → revisited → closed', () => {
    let s: CaseStatus = 'open';
    for (const c of ['assign', 'reply', 'resolve', 'accept', 'close'] as const) {
      const r = caseTransition(s, c, both);
      expect(r.ok).toBe(true);
      if (r.ok) s = r.to;
    }
    expect(s).toBe('closed');
  });

  it('runs deadlines only while a case is being worked on', () => {
    expect(CASE_STATUSES.filter(isActive)).toEqual(['open', 'assigned', 'replied', 'escalated']);
  });
});
