import { useEffect, useState } from 'react';
import { Icon } from '../components/icon.tsx';
import { BigButton } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import type { Ticket } from '../lib/contract-types.ts';
import { findSite } from '../lib/data.ts';
import { FINAL_STATUSES } from '../lib/follow.ts';
import { heldTickets } from '../lib/held.ts';
import { navigate } from '../lib/router.ts';

/** The start: a few big choices. Elderly mode shows fewer, a kiosk shows what makes sense in the hall. */
export function HomeScreen({ kioskSite }: { kioskSite: string | null }) {
  const { t, elderly, kiosk } = useSettings();
  const [active, setActive] = useState<Ticket | null>(null);
  const [site, setSite] = useState<{ id: string; name: string } | null>(null);
  const siteId = site?.id ?? null;

  useEffect(() => {
    if (kiosk) return;
    const held = heldTickets()[0];
    if (!held) return;
    const ac = new AbortController();
    api.ticket(held.id, held.token, ac.signal).then((tk) => !FINAL_STATUSES.includes(tk.status) && setActive(tk), () => undefined);
    return () => ac.abort();
  }, [kiosk]);

  useEffect(() => {
    if (!kioskSite) return;
    findSite(kioskSite).then((s) => setSite(s ? { id: s.id, name: s.name } : null), () => undefined);
  }, [kioskSite]);

  const take = () => navigate(siteId ? `/site/${siteId}` : '/places');

  return (
    <section className="screen home" aria-labelledby="home-title">
      {site && <p className="kiosk-site">{site.name}</p>}
      <h1 id="home-title" className="greeting">{t('home.greeting')}</h1>
      {active && (
        <button type="button" className="active-ticket" onClick={() => navigate(`/ticket/${active.id}`)}>
          <span className="at-number">{t('home.activeTicket', { number: active.number })}</span>
          <span className="at-state">
            {active.status === 'waiting'
              ? active.position !== null && active.position > 1
                ? t('ticket.ahead', { n: active.position - 1 })
                : t('ticket.aheadNone')
              : t(`ticket.status.${active.status}`)}
          </span>
        </button>
      )}
      <div className="home-grid">
        <BigButton onClick={take} hint={elderly ? undefined : t('home.takeHint')} className="home-take">
          <Icon name="ticket" /> {t('home.take')}
        </BigButton>
        {!kiosk && (
          <BigButton variant="secondary" onClick={() => navigate('/mine')} hint={elderly ? undefined : t('home.mineHint')}>
            <Icon name="list" /> {t('home.mine')}
          </BigButton>
        )}
        {kiosk && (
          <BigButton variant="secondary" onClick={() => navigate('/checkin')}>
            <Icon name="check" /> {t('home.checkin')}
          </BigButton>
        )}
        <BigButton variant="secondary" onClick={() => navigate('/book')} hint={elderly ? undefined : t('home.bookHint')}>
          <Icon name="calendar" /> {t('home.book')}
        </BigButton>
        {!elderly && !kiosk && (
          <BigButton variant="secondary" onClick={() => navigate('/places')} hint={t('home.findHint')}>
            <Icon name="pin" /> {t('home.find')}
          </BigButton>
        )}
        <BigButton variant="plain" onClick={() => navigate('/report')} hint={elderly ? undefined : t('home.reportHint')}>
          <Icon name="note" /> {t('home.report')}
        </BigButton>
      </div>
    </section>
  );
}
