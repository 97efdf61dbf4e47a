import { useEffect, useRef, useState } from 'react';
import { Icon } from '../components/icon.tsx';
import { QrCode } from '../components/qr.tsx';
import { ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { announceCall, audioReady, unlockAudio } from '../lib/alert.ts';
import { ApiError, api } from '../lib/api.ts';
import type { Ticket } from '../lib/contract-types.ts';
import { FINAL_STATUSES, useTicketFollow } from '../lib/follow.ts';
import { heldTickets, holdTicket, ticketToken } from '../lib/held.ts';
import { navigate } from '../lib/router.ts';

/** `/#/t/:id/:token` (the kiosk's "follow on your phone" QR): keep the token, then show the ticket. */
export function AdoptTicket({ ticketId, token }: { ticketId: string; token: string }) {
  const { t } = useSettings();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.ticket(ticketId, token).then(
      (tk) => {
        holdTicket({ id: tk.id, token, siteId: tk.siteId, number: tk.number, issuedAt: tk.issuedAt });
        navigate(`/ticket/${tk.id}`, { replace: true });
      },
      (err: unknown) => setError(err instanceof ApiError ? err.code : 'UNKNOWN'),
    );
  }, [ticketId, token]);
  return <Screen title={t('ticket.title')}>{error ? <ErrorBox code={error} /> : <Loading />}</Screen>;
}

/**
 * The wait as the citizen reads it: "soon", a range ("8–14 min", with "usually about 8 in 10 are called
 * within this time"), or one figure. The server's accounting judges exactly the ranges shown here (ops/core
 * `showsRange`: high ≥ 2 min, above low) and the range is fitted so that about 8 in 10 of them hold
 * (bench/RESULTS.md "Wait estimate (simulated)": 83 / 82 / 78 % at a hall 75 / 85 / 95 % busy).
 */
function waitRange(t: ReturnType<typeof useSettings>['t'], tk: Ticket): { text: string; soon: boolean; isRange: boolean } | null {
  if (tk.etaMinutes === null) return null;
  const lo = tk.etaMinutesLow ?? tk.etaMinutes;
  const hi = tk.etaMinutesHigh ?? tk.etaMinutes;
  if (hi <= 1) return { text: t('ticket.etaSoon'), soon: true, isRange: false };
  if (hi > lo) return { text: t('common.minutesRange', { a: lo, b: hi }), soon: false, isRange: true };
  return { text: t('common.minutes', { n: tk.etaMinutes }), soon: false, isRange: false };
}

/** Rationale: the follow-up of a transfer commits a moment after the original; a second is plenty. */
const TRANSFER_RECHECK_MS = 1_000;

export function TicketScreen({ ticketId }: { ticketId: string }) {
  const { t, lang, kiosk } = useSettings();
  const [token] = useState(() => ticketToken(ticketId));
  const held = heldTickets().find((h) => h.id === ticketId);
  const { ticket, error, connected, setTicket, resync } = useTicketFollow(ticketId, token);
  const [dismissedCall, setDismissedCall] = useState<string | null>(null);
  const [cancelAsk, setCancelAsk] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [sound, setSound] = useState(audioReady());
  const seenCall = useRef<string | null | undefined>(undefined);

  // Alert on a call we watch happen (not on opening a page that was already called).
  useEffect(() => {
    if (!ticket) return;
    const callKey = ticket.status === 'called' ? ticket.calledAt ?? 'called' : null;
    if (seenCall.current === undefined) {
      seenCall.current = callKey;
      return;
    }
    if (callKey && callKey !== seenCall.current) {
      setDismissedCall(null);
      announceCall(ticket.join ? t('ticket.calledVirtual') : `${ticket.number}，${t('ticket.calledTo', { n: ticket.windowNumber ?? '' })}`, lang);
    }
    seenCall.current = callKey;
  }, [ticket, t, lang]);

  // A transferred ticket continues as its follow-up, which the same access token opens: go there.
  const followUp = ticket?.status === 'transferred' ? ticket.transferredToId : undefined;
  // The follow-up is issued just after the original is marked transferred: if we saw the moment between,
  // ask again shortly.
  const followUpPending = ticket?.status === 'transferred' && !ticket.transferredToId;
  useEffect(() => {
    if (!followUpPending) return;
    const timer = setInterval(resync, TRANSFER_RECHECK_MS);
    return () => clearInterval(timer);
  }, [followUpPending, resync]);
  useEffect(() => {
    if (!followUp || !token) return;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () =>
      api.ticket(followUp, token).then(
        (next) => {
          if (stopped) return;
          const siteName = heldTickets().find((h) => h.id === ticketId)?.siteName;
          holdTicket({ id: next.id, token, siteId: next.siteId, number: next.number, issuedAt: next.issuedAt, ...(siteName ? { siteName } : {}) });
          navigate(`/ticket/${next.id}`, { replace: true });
        },
        // A network blip: stay on the transferred ticket (its status says what happened) and try again.
        () => {
          if (!stopped) retry = setTimeout(open, TRANSFER_RECHECK_MS);
        },
      );
    void open();
    return () => {
      stopped = true;
      clearTimeout(retry);
    };
  }, [followUp, token, ticketId]);

  if (!token) {
    return (
      <Screen title={t('ticket.title')}>
        <ErrorBox>{t('ticket.notFound')}</ErrorBox>
        <button type="button" className="big primary" onClick={() => navigate('/')}>
          <span className="big-label">{t('nav.home')}</span>
        </button>
      </Screen>
    );
  }
  if (!ticket) {
    return <Screen title={t('ticket.title')}>{error ? <ErrorBox code={error} onRetry={() => location.reload()} /> : <Loading />}</Screen>;
  }

  const final = FINAL_STATUSES.includes(ticket.status);
  const range = waitRange(t, ticket);
  const ahead = ticket.position !== null ? Math.max(0, ticket.position - 1) : null;
  const callKey = ticket.calledAt ?? 'called';
  const showCall = ticket.status === 'called' && dismissedCall !== callKey;

  const cancel = async () => {
    setCancelAsk(false);
    setActionError(null);
    try {
      setTicket(await api.cancelTicket(ticket.id, token));
    } catch (err) {
      setActionError(err instanceof ApiError ? err.code : 'UNKNOWN');
    }
  };

  return (
    <Screen title={t('ticket.title')} back="/">
      <div className={`ticket-card status-${ticket.status}`} data-ticket-status={ticket.status}>
        <p className="ticket-label">{t('ticket.number')}</p>
        <p className="ticket-number" aria-label={`${t('ticket.number')} ${ticket.number}`}>{ticket.number}</p>
        {ticket.transferredFromId && ticket.status === 'waiting' && <p className="ticket-where" data-testid="transferred-in">{t('ticket.transferredIn')}</p>}
        {(held?.serviceName || held?.siteName) && (
          <p className="ticket-where">
            {held.serviceName}
            {held.siteName && <> · {held.siteName}</>}
          </p>
        )}
        <p className={`ticket-status s-${ticket.status}`}>{t(`ticket.status.${ticket.status}`)}</p>
        <div className="ticket-live" aria-live="polite" aria-atomic="true">
          {ticket.status === 'waiting' && (
            <>
              <p className="ahead" data-ahead={ahead ?? ''}>{ahead === null ? '' : ahead === 0 ? t('ticket.aheadNone') : t('ticket.ahead', { n: ahead })}</p>
              <p className="eta">{range === null ? t('ticket.etaUnknown') : range.soon ? range.text : t('ticket.eta', { range: range.text })}</p>
              {range?.isRange && <p className="eta-how">{t('ticket.etaHow')}</p>}
            </>
          )}
          {(ticket.status === 'called' || ticket.status === 'serving') && ticket.windowNumber !== null && (
            <p className="ahead">{t('ticket.calledTo', { n: ticket.windowNumber })}</p>
          )}
        </div>
        {!final && (
          <p className={`conn ${connected ? 'ok' : 'off'}`} role="status">
            <span className="dot" aria-hidden="true" /> {connected ? t('common.online') : t('common.offline')}
          </p>
        )}
      </div>

      {!final && (
        <div className="ticket-qr">
          {kiosk ? (
            <>
              <QrCode text={`${location.origin}/#/t/${ticket.id}/${token}`} label={t('kiosk.followOnPhone')} size={340} />
              <p>{t('kiosk.followOnPhone')}</p>
              <p className="field-hint">{t('kiosk.takeAway')}</p>
            </>
          ) : (
            <>
              <QrCode text={`YC-T:${ticket.id}`} label={t('ticket.showQr')} size={180} />
              <p>{t('ticket.showQr')}</p>
              <p className="field-hint">{t('ticket.keepOpen')}</p>
              {!sound && (
                <button type="button" className="big plain small" onClick={() => { unlockAudio(); setSound(true); }}>
                  <span className="big-label"><Icon name="bell" /> {t('ticket.soundOn')}</span>
                </button>
              )}
            </>
          )}
        </div>
      )}

      {actionError && <ErrorBox code={actionError} />}
      <div className="actions">
        {ticket.status === 'called' && ticket.join && (
          <button type="button" className="big primary" onClick={() => navigate(`/video/${ticket.id}`)}>
            <span className="big-label"><Icon name="video" /> {t('ticket.joinVideo')}</span>
          </button>
        )}
        {ticket.status === 'done' && (
          <button type="button" className="big primary" onClick={() => navigate(`/rate/${ticket.id}`)}>
            <span className="big-label"><Icon name="star" /> {t('ticket.rate')}</span>
          </button>
        )}
        {final && (
          <button type="button" className="big secondary" onClick={() => navigate(kiosk ? '/' : `/site/${ticket.siteId}`)}>
            <span className="big-label">{t('ticket.newTicket')}</span>
          </button>
        )}
        {(ticket.status === 'waiting' || ticket.status === 'called') && !cancelAsk && (
          <button type="button" className="big plain" onClick={() => setCancelAsk(true)}>
            <span className="big-label">{t('ticket.cancel')}</span>
          </button>
        )}
        {cancelAsk && (
          <div className="confirm" role="alertdialog" aria-labelledby="cancel-q">
            <p id="cancel-q">{t('ticket.cancelConfirm')}</p>
            <button type="button" className="big danger" onClick={cancel}>
              <span className="big-label">{t('common.confirm')}</span>
            </button>
            <button type="button" className="big secondary" onClick={() => setCancelAsk(false)} autoFocus>
              <span className="big-label">{t('common.cancel')}</span>
            </button>
          </div>
        )}
      </div>

      {showCall && (
        <div className="overlay called" role="alertdialog" aria-modal="true" aria-labelledby="called-title" aria-describedby="called-window">
          <div className="called-inner">
            <p id="called-title" className="called-title">{t('ticket.calledTitle')}</p>
            <p className="called-number">{ticket.number}</p>
            <p id="called-window" className="called-window" data-window={ticket.windowNumber ?? ''}>
              {ticket.join ? t('ticket.calledVirtual') : t('ticket.calledTo', { n: ticket.windowNumber ?? '' })}
            </p>
            {ticket.join ? (
              <button type="button" className="big primary" autoFocus onClick={() => navigate(`/video/${ticket.id}`)}>
                <span className="big-label"><Icon name="video" /> {t('ticket.joinVideo')}</span>
              </button>
            ) : (
              <button type="button" className="big primary" autoFocus onClick={() => setDismissedCall(callKey)}>
                <span className="big-label">{t('ticket.gotIt')}</span>
              </button>
            )}
          </div>
        </div>
      )}
    </Screen>
  );
}
