import { useState } from 'react';
import { QrCode } from '../components/qr.tsx';
import { ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { ApiError, api } from '../lib/api.ts';
import { heldAppointments, holdTicket, updateAppointment } from '../lib/held.ts';
import { navigate } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';
import { whenText } from './dates.ts';

/** One booking: code and QR, check-in on arrival, cancel or change the time. */
export default function AppointmentScreen({ appointmentId }: { appointmentId: string }) {
  const { t, lang } = useSettings();
  const held = heldAppointments().find((a) => a.id === appointmentId);
  const live = useAsync(async (signal) => (held ? api.appointment(held.id, held.token, signal) : null), [appointmentId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [askCancel, setAskCancel] = useState(false);

  if (!held) {
    return (
      <Screen title={t('book.mine')}>
        <ErrorBox code="NOT_FOUND" />
      </Screen>
    );
  }
  const a = live.data ?? null;
  const status = a?.status ?? held.status;
  const start = a?.start ?? held.start;
  const end = a?.end ?? held.end;
  const kind = (a?.kind ?? held.kind) as 'hall' | 'video' | 'homeVisit';

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err.code : 'UNKNOWN');
    } finally {
      setBusy(false);
    }
  };

  const checkIn = () =>
    run(async () => {
      const ticket = await api.checkIn(held.id, held.token);
      updateAppointment(held.id, { status: 'checkedIn' });
      // The check-in ticket is followed like any other; the appointment's token reads it.
      holdTicket({ id: ticket.id, token: ticket.accessToken ?? held.token, siteId: ticket.siteId, number: ticket.number, issuedAt: ticket.issuedAt, ...(held.serviceName ? { serviceName: held.serviceName } : {}), ...(held.siteName ? { siteName: held.siteName } : {}) });
      navigate(`/ticket/${ticket.id}`);
    });
  const cancel = () =>
    run(async () => {
      setAskCancel(false);
      const x = await api.cancelAppointment(held.id, held.token);
      updateAppointment(held.id, { status: x.status });
      live.setData(x);
    });

  return (
    <Screen title={t('book.mine')}>
      {live.loading && <Loading />}
      {live.error && live.error !== 'NOT_FOUND' && <ErrorBox code={live.error} onRetry={live.reload} />}
      <div className={`ticket-card appt-${status}`} data-appointment-status={status}>
        <p className="ticket-label">{t('book.code')}</p>
        <p className="ticket-number">{held.code}</p>
        <p className="ticket-where">{held.serviceName}{held.siteName && <> · {held.siteName}</>}</p>
        <p>{t('book.when', { t: whenText(start, end, lang) })}</p>
        <p className="tag-line">{t(`book.kind.${kind}`)} · {t(`book.status.${status as 'booked'}`) ?? status}</p>
      </div>
      {status === 'booked' && (
        <div className="ticket-qr">
          <QrCode text={`YC-A:${held.code}`} label={t('book.codeHint')} size={180} />
          <p>{t('book.codeHint')}</p>
        </div>
      )}
      {error && <ErrorBox code={error} />}
      <div className="actions">
        {status === 'checkedIn' && kind !== 'homeVisit' && (
          // Checking in again answers with the same ticket and pass (the server replays it).
          <button type="button" className="big primary" disabled={busy} onClick={checkIn}>
            <span className="big-label">{t('ticket.title')}</span>
          </button>
        )}
        {status === 'booked' && kind !== 'homeVisit' && (
          <button type="button" className="big primary" disabled={busy} onClick={checkIn}>
            <span className="big-label">{kind === 'video' ? t('book.checkInVideo') : t('book.checkIn')}</span>
          </button>
        )}
        {status === 'booked' && (
          <button type="button" className="big secondary" disabled={busy} onClick={() => navigate(`/book/${held.siteId}/${held.serviceId}?reschedule=${held.id}`)}>
            <span className="big-label">{t('book.reschedule')}</span>
          </button>
        )}
        {status === 'booked' && !askCancel && (
          <button type="button" className="big plain" disabled={busy} onClick={() => setAskCancel(true)}>
            <span className="big-label">{t('book.cancel')}</span>
          </button>
        )}
        {askCancel && (
          <div className="confirm" role="alertdialog" aria-labelledby="appt-cancel-q">
            <p id="appt-cancel-q">{t('book.cancelConfirm')}</p>
            <button type="button" className="big danger" onClick={cancel}>
              <span className="big-label">{t('common.confirm')}</span>
            </button>
            <button type="button" className="big secondary" autoFocus onClick={() => setAskCancel(false)}>
              <span className="big-label">{t('common.cancel')}</span>
            </button>
          </div>
        )}
      </div>
    </Screen>
  );
}
