/**
 * Case deadlines and their timers, pure. The sweep job reads cases from the database, asks `timerActions`
 * what is due, and records each action with a flag so that a second run (or a restarted node) does nothing
 * twice.
 */
import { isActive } from './state-machine.ts';
import type { CaseKind, CasePolicy, CaseStatus } from './types.ts';
import { workingDeadline, type WorkingDayRules } from './working-days.ts';

export interface CaseDeadlines {
  /** First reply to the citizen. */
  replyDueAt: number;
  /** Resolution: the `deadlineAt` of the API. */
  deadlineAt: number;
}

export function caseDeadlines(input: { kind: CaseKind; complex: boolean; openedAt: number; policy: CasePolicy; rules: WorkingDayRules }): CaseDeadlines {
  const limits = input.policy.limits[input.kind];
  return {
    replyDueAt: workingDeadline(input.openedAt, limits.replyWorkingDays, input.rules),
    deadlineAt: workingDeadline(input.openedAt, input.complex ? limits.complexResolveWorkingDays : limits.resolveWorkingDays, input.rules),
  };
}

/** A rejected result (or a case newly flagged complex) gets a fresh resolution limit counted from `fromMs`. */
export function resolutionDeadline(input: { kind: CaseKind; complex: boolean; fromMs: number; policy: CasePolicy; rules: WorkingDayRules }): number {
  const limits = input.policy.limits[input.kind];
  return workingDeadline(input.fromMs, input.complex ? limits.complexResolveWorkingDays : limits.resolveWorkingDays, input.rules);
}

export interface CaseTimerState {
  status: CaseStatus;
  replyDueAt: number;
  deadlineAt: number;
  firstRepliedAt: number | null;
  replyWarnedAt: number | null;
  replyEscalatedAt: number | null;
  resolveWarnedAt: number | null;
  resolveEscalatedAt: number | null;
}

export type TimerStage = 'reply' | 'resolve';
export type TimerAction = { type: 'warn'; stage: TimerStage; dueAt: number } | { type: 'escalate'; stage: TimerStage; dueAt: number };

/**
 * What is due for one case at `now`: for each stage still running (reply until the first reply, resolution
 * until resolved), an escalation once its deadline has passed, else a warning once it is within
 * `warnBeforeMin`. Each fires once (the flags); an escalation makes its warning moot.
 */
export function timerActions(c: CaseTimerState, now: number, warnBeforeMin: number): TimerAction[] {
  if (!isActive(c.status)) return [];
  const warnMs = warnBeforeMin * 60_000;
  const out: TimerAction[] = [];
  const stage = (name: TimerStage, dueAt: number, warnedAt: number | null, escalatedAt: number | null) => {
    if (escalatedAt !== null) return;
    if (now >= dueAt) out.push({ type: 'escalate', stage: name, dueAt });
    else if (warnedAt === null && now >= dueAt - warnMs) out.push({ type: 'warn', stage: name, dueAt });
  };
  if (c.firstRepliedAt === null) stage('reply', c.replyDueAt, c.replyWarnedAt, c.replyEscalatedAt);
  stage('resolve', c.deadlineAt, c.resolveWarnedAt, c.resolveEscalatedAt);
  return out;
}

/** The resolution deadline was missed: resolved after it, or still unresolved past it. */
export function overdue(c: Pick<CaseTimerState, 'status' | 'deadlineAt'> & { resolvedAt: number | null }, now: number): boolean {
  return c.resolvedAt !== null ? c.resolvedAt > c.deadlineAt : now > c.deadlineAt;
}
