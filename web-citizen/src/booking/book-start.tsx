import { useState } from 'react';
import { Empty, ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import type { SiteTreeNode } from '../lib/contract-types.ts';
import { loadServices, loadSites } from '../lib/data.ts';
import { flattenSites } from '../lib/geo.ts';
import { navigate } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';

/** Booking from the home screen: pick the place, then the item. */
export default function BookStart() {
  const { t } = useSettings();
  const sites = useAsync(async () => flattenSites(await loadSites()), []);
  const [site, setSite] = useState<SiteTreeNode | null>(null);
  const services = useAsync(async () => (site ? loadServices(site.id) : []), [site]);

  return (
    <Screen title={t('book.title')}>
      {!site ? (
        <>
          <h2 className="section-title">{t('report.site')}</h2>
          {sites.loading ? <Loading /> : sites.error ? <ErrorBox code={sites.error} onRetry={sites.reload} /> : sites.data!.length === 0 ? <Empty>{t('places.empty')}</Empty> : (
            <ul className="cards">
              {sites.data!.map((s) => (
                <li key={s.id}>
                  <button type="button" className="card" onClick={() => setSite(s)}>
                    <span className="card-title">{s.name}</span>
                    <span className="card-sub">{t(`places.level.${s.level}`)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <>
          <p className="card-sub">
            {site.name}{' '}
            <button type="button" className="link" onClick={() => setSite(null)}>{t('nav.back')}</button>
          </p>
          <h2 className="section-title">{t('book.pickService')}</h2>
          {services.loading ? <Loading /> : services.error ? <ErrorBox code={services.error} onRetry={services.reload} /> : services.data!.length === 0 ? <Empty>{t('site.noServices')}</Empty> : (
            <ul className="cards">
              {services.data!.map((s) => (
                <li key={s.id}>
                  <button type="button" className="card" onClick={() => navigate(`/book/${site.id}/${s.id}`)}>
                    <span className="card-title">{s.name}</span>
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
