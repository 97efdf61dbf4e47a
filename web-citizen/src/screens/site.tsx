import { useMemo, useState } from 'react';
import { Empty, ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { findSite, loadServices } from '../lib/data.ts';
import { navigate } from '../lib/router.ts';
import { searchServices } from '../lib/search.ts';
import { useAsync } from '../lib/use-async.ts';
import { ServiceFacts } from './service.tsx';
import { useLiveSites, WaitingBadge } from './places.tsx';

/** One site: its live waiting count and the items it does, searchable by name or pinyin initials. */
export function SiteScreen({ siteId }: { siteId: string }) {
  const { t, elderly } = useSettings();
  const sites = useLiveSites();
  const site = useAsync(() => findSite(siteId), [siteId]);
  const services = useAsync(() => loadServices(siteId), [siteId]);
  const [q, setQ] = useState('');
  const shown = useMemo(() => (services.data ? (q.trim() ? searchServices(services.data, q) : services.data) : []), [services.data, q]);
  const node = sites.all.find((s) => s.id === siteId) ?? site.data;

  return (
    <Screen title={node?.name ?? t('site.services')}>
      {node && (
        <p className="site-info">
          <WaitingBadge n={sites.all.length ? sites.waitingOf(node) : node.waiting} />
          {node.address && <span className="card-sub"> {t('site.address', { a: node.address })}</span>}
        </p>
      )}
      {services.loading ? (
        <Loading />
      ) : services.error ? (
        <ErrorBox code={services.error} onRetry={services.reload} />
      ) : services.data!.length === 0 ? (
        <Empty>{t('site.noServices')}</Empty>
      ) : (
        <>
          {!elderly && services.data!.length > 6 && (
            <div className="search">
              <label htmlFor="site-search" className="search-label">{t('places.search')}</label>
              <input id="site-search" type="search" autoComplete="off" placeholder={t('places.searchPlaceholder')} value={q} onChange={(e) => setQ(e.target.value)} />
            </div>
          )}
          <h2 className="section-title">{t('site.services')}</h2>
          {shown.length === 0 ? (
            <Empty>{t('places.searchEmpty', { q: q.trim() })}</Empty>
          ) : (
            <ul className="cards services">
              {shown.map((s) => (
                <li key={s.id}>
                  <button type="button" className="card" onClick={() => navigate(`/site/${siteId}/service/${s.id}`)}>
                    <span className="card-title">{s.name}</span>
                    {!elderly && <ServiceFacts service={s} short />}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Screen>
  );
}
