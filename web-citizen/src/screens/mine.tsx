import { lazy, Suspense } from 'react';
import { Empty, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { FINAL_STATUSES } from '../lib/follow.ts';
import { heldTickets } from '../lib/held.ts';
import { navigate } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';

const MyAppointments = lazy(() => import('../booking/my-appointments.tsx'));

export function MineScreen() {
  const { t } = useSettings();
  const tickets = useAsync(async (signal) => {
    const held = heldTickets();
    const live = await Promise.all(held.map((h) => api.ticket(h.id, h.token, signal).then((tk) => ({ h, tk }), () => null)));
    return live.filter((x) => x !== null);
  }, []);
  return (
    <Screen title={t('home.mine')}>
      <h2 className="section-title">{t('ticket.title')}</h2>
      {tickets.loading ? (
        <Loading />
      ) : !tickets.data || tickets.data.length === 0 ? (
        <Empty>{t('ticket.none')}</Empty>
      ) : (
        <ul className="cards">
          {tickets.data.map(({ h, tk }) => (
            <li key={tk.id}>
              <button type="button" className={`card ${FINAL_STATUSES.includes(tk.status) ? 'muted' : ''}`} onClick={() => navigate(`/ticket/${tk.id}`)}>
                <span className="card-title">
                  <span className="mini-number">{tk.number}</span> {h.serviceName ?? ''}
                </span>
                <span className="card-meta">
                  {t(`ticket.status.${tk.status}`)}
                  {tk.status === 'waiting' && tk.position !== null && <> · {tk.position > 1 ? t('ticket.ahead', { n: tk.position - 1 }) : t('ticket.aheadNone')}</>}
                </span>
                {h.siteName && <span className="card-sub">{h.siteName}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      <h2 className="section-title">{t('book.mine')}</h2>
      <Suspense fallback={<Loading />}>
        <MyAppointments />
      </Suspense>
    </Screen>
  );
}
