import { useState } from 'react';
import { ErrorBox, Field, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { ApiError, api } from '../lib/api.ts';
import type { Case } from '../lib/contract-types.ts';
import { loadSites } from '../lib/data.ts';
import { checkCase, type FieldErrors } from '../lib/forms.ts';
import { flattenSites } from '../lib/geo.ts';
import { heldTickets } from '../lib/held.ts';
import { navigate, queryOf } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';

const LABELS: Record<string, MessageKey> = { siteId: 'report.site', description: 'report.description', name: 'report.name', phone: 'report.phone' };

/** 办不成事: what could not be done, where, and a phone to call back; answered with a case number. */
export default function ReportScreen({ path }: { path: string }) {
  const { t, lang } = useSettings();
  const q = queryOf(path);
  const ticketId = q.get('ticket') ?? undefined;
  const sites = useAsync(async () => flattenSites(await loadSites()), []);
  const [siteId, setSiteId] = useState(q.get('site') ?? heldTickets()[0]?.siteId ?? '');
  const [description, setDescription] = useState('');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Case | null>(null);

  const err = (f: string) => (errors[f] ? t(errors[f]!, { f: t(LABELS[f] ?? 'report.description') }) : undefined);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkCase({ siteId, description, name, phone, ...(ticketId ? { ticketId } : {}) });
    if (!checked.ok) {
      setErrors(checked.errors);
      const first = ['siteId', 'description', 'name', 'phone'].find((f) => checked.errors[f]);
      if (first) document.getElementById(`rp-${first}`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const c = await api.report(checked.body);
      setPhone('');
      setName('');
      setDone(c);
    } catch (ex) {
      setError(ex instanceof ApiError ? ex.code : 'UNKNOWN');
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    const deadline = new Date(done.replyDueAt ?? done.deadlineAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Shanghai' });
    return (
      <Screen title={t('report.done')} back="/">
        <div className="ticket-card" role="status">
          <p className="ticket-label">{t('report.caseNo')}</p>
          <p className="ticket-number case-number" data-case-number={done.number}>{done.number}</p>
          <p>{t('report.deadline', { t: deadline })}</p>
          <p className="field-hint">{t('report.keep')}</p>
        </div>
        <div className="actions">
          <button type="button" className="big primary" onClick={() => navigate('/')}>
            <span className="big-label">{t('nav.home')}</span>
          </button>
        </div>
      </Screen>
    );
  }

  return (
    <Screen title={t('report.title')}>
      <p className="intro">{t('report.intro')}</p>
      <form onSubmit={submit} noValidate>
        <Field id="rp-siteId" label={t('report.site')} error={err('siteId')}>
          {sites.loading ? <Loading /> : sites.error ? <ErrorBox code={sites.error} onRetry={sites.reload} /> : (
            <select id="rp-siteId" value={siteId} onChange={(e) => { setSiteId(e.target.value); setErrors(({ siteId: _x, ...r }) => r); }} aria-invalid={errors.siteId ? true : undefined} aria-describedby={errors.siteId ? 'rp-siteId-error' : undefined}>
              <option value="">—</option>
              {sites.data!.map((s) => (
                <option key={s.id} value={s.id}>{s.name}</option>
              ))}
            </select>
          )}
        </Field>
        <Field id="rp-description" label={t('report.description')} error={err('description')}>
          <textarea id="rp-description" rows={4} maxLength={2000} placeholder={t('report.descriptionPh')} value={description} onChange={(e) => { setDescription(e.target.value); setErrors(({ description: _x, ...r }) => r); }} aria-invalid={errors.description ? true : undefined} aria-describedby={errors.description ? 'rp-description-error' : undefined} />
        </Field>
        <Field id="rp-name" label={t('report.name')} error={err('name')}>
          <input id="rp-name" value={name} maxLength={40} autoComplete="name" onChange={(e) => { setName(e.target.value); setErrors(({ name: _x, ...r }) => r); }} aria-invalid={errors.name ? true : undefined} aria-describedby={errors.name ? 'rp-name-error' : undefined} />
        </Field>
        <Field id="rp-phone" label={t('report.phone')} error={err('phone')}>
          <input id="rp-phone" type="tel" inputMode="tel" autoComplete="tel" maxLength={20} value={phone} onChange={(e) => { setPhone(e.target.value); setErrors(({ phone: _x, ...r }) => r); }} aria-invalid={errors.phone ? true : undefined} aria-describedby={errors.phone ? 'rp-phone-error' : undefined} />
        </Field>
        {error && <ErrorBox code={error} />}
        <div className="actions">
          <button type="submit" className="big primary" disabled={busy} aria-busy={busy}>
            <span className="big-label">{t('report.submit')}</span>
          </button>
        </div>
      </form>
    </Screen>
  );
}
