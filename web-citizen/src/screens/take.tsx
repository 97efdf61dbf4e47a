import { useState } from 'react';
import { ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { ApiError, api, newIdempotencyKey } from '../lib/api.ts';
import type { Ticket } from '../lib/contract-types.ts';
import { findService, findSite } from '../lib/data.ts';
import { holdTicket } from '../lib/held.ts';
import { navigate } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';

const PRIORITIES: Ticket['priority'][] = ['normal', 'elderly', 'disabled', 'pregnant', 'veteran'];

export function TakeScreen({ siteId, serviceId }: { siteId: string; serviceId: string }) {
  const { t, kiosk, elderly } = useSettings();
  const data = useAsync(async () => {
    const [site, service] = await Promise.all([findSite(siteId), findService(siteId, serviceId)]);
    return { site, service };
  }, [siteId, serviceId]);
  // Elderly mode assumes the senior group: one question fewer (the clerk checks eligibility anyway).
  const [priority, setPriority] = useState<Ticket['priority']>(elderly ? 'elderly' : 'normal');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One key per attempt on this screen: a retry after a lost response returns the same ticket.
  const [key] = useState(newIdempotencyKey);

  if (data.loading) return <Screen title={t('take.title')}><Loading /></Screen>;
  if (data.error || !data.data?.service) return <Screen title={t('take.title')}><ErrorBox code={data.error ?? 'NOT_FOUND'} onRetry={data.reload} /></Screen>;
  const { site, service } = data.data;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.takeTicket(siteId, { serviceId, channel: kiosk ? 'kiosk' : 'mobile', priority }, key);
      holdTicket({ id: ticket.id, token: ticket.accessToken ?? '', siteId, number: ticket.number, serviceName: service.name, ...(site ? { siteName: site.name } : {}), issuedAt: ticket.issuedAt });
      navigate(`/ticket/${ticket.id}`, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err.code : 'UNKNOWN');
      setBusy(false);
    }
  };

  return (
    <Screen title={t('take.title')}>
      <div className="card static">
        <span className="card-title">{t('take.for', { s: service.name })}</span>
        {site && <span className="card-sub">{t('take.at', { s: site.name })}</span>}
      </div>
      {!elderly && (
        <fieldset className="choices">
          <legend>{t('take.priority')}</legend>
          <div className="choice-grid">
            {PRIORITIES.map((p) => (
              <label key={p} className={`choice ${priority === p ? 'on' : ''}`}>
                <input type="radio" name="priority" value={p} checked={priority === p} onChange={() => setPriority(p)} />
                <span>{t(`priority.${p}`)}</span>
              </label>
            ))}
          </div>
          <p className="field-hint">{t('take.priorityNote')}</p>
        </fieldset>
      )}
      {error && <ErrorBox code={error} />}
      <div className="actions">
        <button type="button" className="big primary" onClick={submit} disabled={busy} aria-busy={busy}>
          <span className="big-label">{busy ? t('take.submitting') : t('take.submit')}</span>
        </button>
      </div>
    </Screen>
  );
}
