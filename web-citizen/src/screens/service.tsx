import { Icon } from '../components/icon.tsx';
import { ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings, useT } from '../i18n/index.tsx';
import type { Service } from '../lib/contract-types.ts';
import { findService, findSite } from '../lib/data.ts';
import { navigate } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';

/** Targets, general/complex, and (unless `short`) the materials to bring. */
export function ServiceFacts({ service, short }: { service: Service; short?: boolean }) {
  const t = useT();
  return (
    <span className="facts">
      <span className={`tag ${service.complexity}`}>{t(service.complexity === 'general' ? 'service.general' : 'service.complex')}</span>
      <span className="fact">{t('service.targets', { w: service.targetWaitMin, h: service.targetHandleMin })}</span>
      {!short && (
        <span className="fact materials">
          <strong>{t('service.materials')}{t('common.colon')}</strong>
          {service.materialsNote || t('service.noMaterials')}
        </span>
      )}
    </span>
  );
}

export function ServiceScreen({ siteId, serviceId }: { siteId: string; serviceId: string }) {
  const { t, kiosk } = useSettings();
  const data = useAsync(async () => {
    const [site, service] = await Promise.all([findSite(siteId), findService(siteId, serviceId)]);
    return { site, service };
  }, [siteId, serviceId]);
  if (data.loading) return <Screen title={t('common.loading')}><Loading /></Screen>;
  if (data.error || !data.data?.service) return <Screen title={t('site.services')}><ErrorBox code={data.error ?? 'NOT_FOUND'} onRetry={data.reload} /></Screen>;
  const { service, site } = data.data;
  return (
    <Screen title={service.name}>
      {site && <p className="card-sub">{site.name}</p>}
      <div className="card static">
        <ServiceFacts service={service} />
      </div>
      <div className="actions">
        <button type="button" className="big primary" onClick={() => navigate(`/take/${siteId}/${serviceId}`)}>
          <span className="big-label"><Icon name="ticket" /> {t('service.take')}</span>
        </button>
        <button type="button" className="big secondary" onClick={() => navigate(`/book/${siteId}/${serviceId}`)}>
          <span className="big-label"><Icon name="calendar" /> {t('service.book')}</span>
        </button>
        {!kiosk && (
          <button type="button" className="big plain" onClick={() => navigate(`/places/${encodeURIComponent(service.code)}`)}>
            <span className="big-label"><Icon name="pin" /> {t('service.whereFastest')}</span>
          </button>
        )}
      </div>
    </Screen>
  );
}
