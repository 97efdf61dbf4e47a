/**
 * 好差评: once per finished ticket (or ended video assistance session), the five national levels, and for a
 * score ≤ 2 a follow-up case opened in the same transaction, so a bad rating never exists without its case.
 */
import { BAD_RATING_MAX_SCORE, ratingLevel, type Rating, type RatingCreate } from '../contracts/ratings.ts';
import { fail, ok, type Result } from '../contracts/errors.ts';
import type { Db, Tx } from '../db/client.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import type { Clock } from '../lib/clock.ts';
import { hashToken } from '../lib/secrets.ts';
import { isoInZone } from '../lib/time.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { redactPersonalData } from '../cases/core/index.ts';
import type { CaseActor, CasesService } from '../cases/cases.service.ts';
import type { CaseRow } from '../cases/cases.repository.ts';
import * as repo from './ratings.repository.ts';
import type { RatingRow } from './ratings.repository.ts';

export interface RatingsDeps {
  db: Db;
  clock: Clock;
  sites: SiteDirectory;
  cases: Pick<CasesService, 'openInTx'>;
}

/** A video assistance session to rate; the video module checks who may rate and that the session ended. */
export interface AssistSessionRating extends RatingCreate {
  assistSessionId: string;
  siteId: string;
  /** The expert who helped. */
  staffId?: string | null;
  serviceId?: string | null;
  ticketId?: string | null;
  /** Whose token opens the follow-up case if the score is low (the citizen's, or the clerk's session). */
  accessTokenHash: string;
  actor: CaseActor;
}

export function createRatingsService(deps: RatingsDeps) {
  const { db, clock } = deps;

  async function present(row: RatingRow, caseRow: CaseRow | null): Promise<Rating> {
    const tz = (await deps.sites.get(row.siteId))?.timeZone ?? 'Asia/Shanghai';
    const level = ratingLevel(row.score);
    return {
      id: row.id, siteId: row.siteId, ticketId: row.ticketId, assistSessionId: row.assistSessionId,
      score: row.score, level: level.level, levelName: level.name, reasons: row.reasons, comment: row.comment,
      createdAt: isoInZone(row.createdAt.getTime(), tz),
      case: caseRow ? { id: caseRow.id, number: caseRow.number, status: caseRow.status, deadlineAt: isoInZone(caseRow.deadlineAt.getTime(), tz) } : null,
    };
  }

  function caseDescription(body: RatingCreate): string {
    const level = ratingLevel(body.score);
    const parts = [`差评：${level.name}（${body.score}分）`];
    if (body.reasons?.length) parts.push(`原因：${body.reasons.join('、')}`);
    if (body.comment) parts.push(`留言：${body.comment}`);
    return parts.join('；');
  }

  /** Inserts the rating and, for a low score, its case; the unique constraints decide a race. */
  async function record(tx: Tx, values: repo.RatingInsert, body: RatingCreate, open: { complex: boolean; accessTokenHash: string; actor: CaseActor; contact?: { nameMasked: string | null; phoneMasked: string | null } }) {
    let row = await repo.insertRating(tx, values);
    let caseRow: CaseRow | null = null;
    if (body.score <= BAD_RATING_MAX_SCORE) {
      caseRow = await deps.cases.openInTx(tx, {
        siteId: row.siteId, kind: 'badRating', source: 'rating', description: caseDescription(body),
        serviceId: row.serviceId, ticketId: row.ticketId, ratingId: row.id, complex: open.complex,
        contact: { nameMasked: open.contact?.nameMasked ?? null, phoneMasked: open.contact?.phoneMasked ?? null, phoneSealed: null },
        accessTokenHash: open.accessTokenHash,
      }, open.actor);
      row = await repo.setCase(tx, row.id, caseRow.id);
    }
    return { row, caseRow };
  }

  const clean = (body: RatingCreate) => ({
    score: body.score,
    reasons: (body.reasons ?? []).map((r) => redactPersonalData(r.trim())).filter(Boolean),
    comment: body.comment?.trim() ? redactPersonalData(body.comment.trim()) : null,
  });

  /** POST /tickets/:id/rating with the citizen's access token. */
  async function rateTicket(ticketId: string, token: string | null, body: RatingCreate): Promise<Result<Rating>> {
    if (!token) return fail('UNAUTHENTICATED', { reason: 'access token required' });
    try {
      const out = await db.transaction(async (tx): Promise<Result<{ row: RatingRow; caseRow: CaseRow | null }>> => {
        // The lock serialises two ratings of one ticket; the unique constraint backs it up.
        const t = await repo.lockTicket(tx, ticketId);
        if (!t) return fail('NOT_FOUND', { resource: 'ticket' });
        if (hashToken(token) !== t.accessTokenHash) return fail('FORBIDDEN', { reason: 'not your ticket' });
        if (await repo.findByTicket(tx, ticketId)) return fail('ALREADY_RATED');
        if (t.status !== 'done') return fail('NOT_FINISHED', { status: t.status });
        const c = clean(body);
        return ok(await record(tx, {
          siteId: t.siteId, ticketId: t.id, serviceId: t.serviceId, windowId: t.windowId, staffId: await repo.servedBy(tx, t.id),
          ...c, createdAt: new Date(clock.now()),
        }, { ...body, ...c, comment: c.comment ?? undefined }, {
          complex: (await repo.serviceComplexity(tx, t.serviceId)) === 'complex',
          accessTokenHash: t.accessTokenHash,
          actor: { kind: 'citizen' },
          contact: { nameMasked: t.citizenNameMasked, phoneMasked: t.citizenPhoneMasked },
        }));
      });
      return out.ok ? ok(await present(out.value.row, out.value.caseRow)) : out;
    } catch (err) {
      if (isUniqueViolation(err)) return fail('ALREADY_RATED');
      throw err;
    }
  }

  /**
   * For the video module: rate an ended assistance session (视频帮办). Once per session (409 ALREADY_RATED);
   * a score ≤ 2 opens a bad-rating case as for tickets.
   */
  async function rateAssistSession(input: AssistSessionRating): Promise<Result<Rating>> {
    try {
      const out = await db.transaction(async (tx) => {
        if (await repo.findBySession(tx, input.assistSessionId)) return fail('ALREADY_RATED');
        const c = clean(input);
        return ok(await record(tx, {
          siteId: input.siteId, assistSessionId: input.assistSessionId, ticketId: null, serviceId: input.serviceId ?? null,
          staffId: input.staffId ?? null, ...c, createdAt: new Date(clock.now()),
        }, { ...input, ...c, comment: c.comment ?? undefined }, {
          complex: input.serviceId ? (await repo.serviceComplexity(tx, input.serviceId)) === 'complex' : false,
          accessTokenHash: input.accessTokenHash,
          actor: input.actor,
        }));
      });
      return out.ok ? ok(await present(out.value.row, out.value.caseRow)) : out;
    } catch (err) {
      if (isUniqueViolation(err)) return fail('ALREADY_RATED');
      throw err;
    }
  }

  /** The rating of a ticket, for the citizen's page ("you rated this 满意"). */
  async function ofTicket(ticketId: string, token: string | null): Promise<Result<Rating | null>> {
    if (!token) return fail('UNAUTHENTICATED', { reason: 'access token required' });
    const t = await repo.findTicket(db, ticketId);
    if (!t) return fail('NOT_FOUND', { resource: 'ticket' });
    if (hashToken(token) !== t.accessTokenHash) return fail('FORBIDDEN', { reason: 'not your ticket' });
    const row = await repo.findByTicket(db, ticketId);
    return ok(row ? await present(row, null) : null);
  }

  return { rateTicket, rateAssistSession, ofTicket };
}

export type RatingsService = ReturnType<typeof createRatingsService>;
