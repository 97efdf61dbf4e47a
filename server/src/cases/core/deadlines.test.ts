import { describe, expect, it } from 'vitest';
import { isoInZone, zonedTimeToMs } from '../../lib/time.ts';
import { caseDeadlines, overdue, resolutionDeadline, timerActions, type CaseTimerState } from './deadlines.ts';
import { DEFAULT_CASE_POLICY } from './types.ts';
import { makeCalendar, type WorkingDayRules } from './working-days.ts';

const TZ = 'Asia/Shanghai';
const rules: WorkingDayRules = { timeZone: TZ, calendar: makeCalendar(), cutoff: '16:00', dueTime: '17:00' };
const at = (date: string, time: string) => zonedTimeToMs(date, time, TZ);
const iso = (ms: number) => isoInZone(ms, TZ);
const H = 3_600_000;

describe('caseDeadlines', () => {
  it('uses the limits of the kind: 办不成事 replied the same day, resolved in 5 working days, 10 when complex', () => {
    const opened = at('2026-11-23', '10:00');
    const d = caseDeadlines({ kind: 'cannotBeDone', complex: false, openedAt: opened, policy: DEFAULT_CASE_POLICY, rules });
    expect(iso(d.replyDueAt)).toBe('2026-11-23T17:00:00+08:00');
    expect(iso(d.deadlineAt)).toBe('2026-11-30T17:00:00+08:00');
    const complex = caseDeadlines({ kind: 'cannotBeDone', complex: true, openedAt: opened, policy: DEFAULT_CASE_POLICY, rules });
    expect(iso(complex.deadlineAt)).toBe('2026-12-07T17:00:00+08:00');
    const rating = caseDeadlines({ kind: 'badRating', complex: false, openedAt: opened, policy: DEFAULT_CASE_POLICY, rules });
    expect(iso(rating.replyDueAt)).toBe('2026-11-24T17:00:00+08:00');
  });

  it('follows a changed policy', () => {
    const policy = { ...DEFAULT_CASE_POLICY, limits: { ...DEFAULT_CASE_POLICY.limits, complaint: { replyWorkingDays: 2, resolveWorkingDays: 3, complexResolveWorkingDays: 4 } } };
    const d = caseDeadlines({ kind: 'complaint', complex: false, openedAt: at('2026-11-23', '10:00'), policy, rules });
    expect(iso(d.replyDueAt)).toBe('2026-11-25T17:00:00+08:00');
    expect(iso(d.deadlineAt)).toBe('2026-11-26T17:00:00+08:00');
  });

  it('restarts the resolution limit from a rejection', () => {
    expect(iso(resolutionDeadline({ kind: 'cannotBeDone', complex: false, fromMs: at('2026-12-01', '16:30'), policy: DEFAULT_CASE_POLICY, rules }))).toBe('2026-12-09T17:00:00+08:00');
  });
});

describe('timerActions', () => {
  const replyDueAt = at('2026-11-23', '17:00');
  const deadlineAt = at('2026-11-30', '17:00');
  const fresh: CaseTimerState = {
    status: 'open', replyDueAt, deadlineAt, firstRepliedAt: null,
    replyWarnedAt: null, replyEscalatedAt: null, resolveWarnedAt: null, resolveEscalatedAt: null,
  };

  it('stays quiet until the warning horizon, then warns once, then escalates once', () => {
    expect(timerActions(fresh, replyDueAt - 4 * H - 1, 240)).toEqual([]);
    expect(timerActions(fresh, replyDueAt - 4 * H, 240)).toEqual([{ type: 'warn', stage: 'reply', dueAt: replyDueAt }]);
    const warned = { ...fresh, replyWarnedAt: replyDueAt - 4 * H };
    expect(timerActions(warned, replyDueAt - 1, 240)).toEqual([]);
    expect(timerActions(warned, replyDueAt, 240)).toEqual([{ type: 'escalate', stage: 'reply', dueAt: replyDueAt }]);
    expect(timerActions({ ...warned, replyEscalatedAt: replyDueAt, status: 'escalated' }, replyDueAt + H, 240)).toEqual([]);
  });

  it('stops the reply timer once replied, and every timer once resolved', () => {
    const replied = { ...fresh, status: 'replied' as const, firstRepliedAt: replyDueAt - H };
    expect(timerActions(replied, replyDueAt + H, 240)).toEqual([]);
    expect(timerActions(replied, deadlineAt + 1, 240)).toEqual([{ type: 'escalate', stage: 'resolve', dueAt: deadlineAt }]);
    expect(timerActions({ ...fresh, status: 'resolved' }, deadlineAt + H, 240)).toEqual([]);
  });

  it('escalates both stages at once when a node was down past both deadlines', () => {
    expect(timerActions(fresh, deadlineAt + H, 240).map((a) => `${a.type}:${a.stage}`)).toEqual(['escalate:reply', 'escalate:resolve']);
  });

  it('calls a case overdue when resolved late or still open past its deadline', () => {
    expect(overdue({ status: 'resolved', deadlineAt, resolvedAt: deadlineAt + 1 }, deadlineAt + 2)).toBe(true);
    expect(overdue({ status: 'resolved', deadlineAt, resolvedAt: deadlineAt - 1 }, deadlineAt + H)).toBe(false);
    expect(overdue({ status: 'assigned', deadlineAt, resolvedAt: null }, deadlineAt + 1)).toBe(true);
    expect(overdue({ status: 'assigned', deadlineAt, resolvedAt: null }, deadlineAt)).toBe(false);
  });
});
