import { useEffect, useRef, useState } from 'react';
import { QrCode } from '../components/qr.tsx';
import { Empty, ErrorBox, Field, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { ApiError, api, newIdempotencyKey } from '../lib/api.ts';
import type { Appointment, Slot } from '../lib/contract-types.ts';
import { findService, findSite } from '../lib/data.ts';
import { checkBooking, type FieldErrors, type IdentityInput } from '../lib/forms.ts';
import { heldAppointments, holdAppointment, updateAppointment } from '../lib/held.ts';
import { navigate, queryOf } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';
import { dayLabel, nextDays, wallTime, whenText } from './dates.ts';

type Kind = 'hall' | 'video' | 'homeVisit';
const KINDS: Kind[] = ['hall', 'video', 'homeVisit'];
/** Rationale: two weeks covers every horizon the halls use; days outside the rules simply show no slots. */
const DAYS_SHOWN = 14;

const FIELD_LABEL: Record<keyof IdentityInput, MessageKey> = { name: 'book.name', idNumber: 'book.idNumber', phone: 'book.phone', address: 'book.address' };

export default function BookScreen({ siteId, serviceId, path }: { siteId: string; serviceId: string; path: string }) {
  const { t, lang, elderly } = useSettings();
  const rescheduleId = queryOf(path).get('reschedule');
  const rescheduling = rescheduleId ? heldAppointments().find((a) => a.id === rescheduleId) ?? null : null;
  const info = useAsync(async () => {
    const [site, service] = await Promise.all([findSite(siteId), findService(siteId, serviceId)]);
    return { site, service };
  }, [siteId, serviceId]);
  const tz = info.data?.site?.timeZone ?? 'Asia/Shanghai';
  const [days] = useState(() => nextDays(Date.now(), DAYS_SHOWN, tz));
  const [kind, setKind] = useState<Kind>((rescheduling?.kind as Kind | undefined) ?? 'hall');
  const [day, setDay] = useState<string>(days[0]!);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [form, setForm] = useState<IdentityInput>({ name: '', idNumber: '', phone: '', address: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [apiError, setApiError] = useState<string | null>(null);
  const [done, setDone] = useState<Appointment | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const formRef = useRef<HTMLFormElement>(null);

  const slots = useAsync((signal) => api.slots(siteId, serviceId, day, signal), [siteId, serviceId, day]);
  useEffect(() => setSlot(null), [day]);

  const set = (f: keyof IdentityInput) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setForm((x) => ({ ...x, [f]: e.target.value }));
    if (errors[f]) setErrors(({ [f]: _gone, ...rest }) => rest);
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setApiError(null);
    if (!slot) return;
    if (rescheduling) {
      setBusy(true);
      try {
        const a = await api.reschedule(rescheduling.id, rescheduling.token, slot.start);
        updateAppointment(a.id, { start: a.start, end: a.end, status: a.status });
        navigate(`/appointment/${a.id}`, { replace: true });
      } catch (err) {
        setApiError(err instanceof ApiError ? err.code : 'UNKNOWN');
        setBusy(false);
      }
      return;
    }
    const checked = checkBooking({ siteId, serviceId, start: slot.start, kind }, form);
    if (!checked.ok) {
      setErrors(checked.errors);
      // Take the citizen to the first thing to fix.
      const first = (['name', 'idNumber', 'phone', 'address'] as const).find((f) => checked.errors[f]);
      if (first) formRef.current?.querySelector<HTMLInputElement>(`#bk-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const a = await api.book(checked.body, key);
      holdAppointment({
        id: a.id, token: a.accessToken ?? '', code: a.code, kind: a.kind, start: a.start, end: a.end, siteId, serviceId, status: a.status,
        ...(info.data?.site ? { siteName: info.data.site.name } : {}), ...(info.data?.service ? { serviceName: info.data.service.name } : {}),
      });
      // The identity numbers leave the screen's memory as soon as the booking exists.
      setForm({ name: '', idNumber: '', phone: '', address: '' });
      setDone(a);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'UNKNOWN';
      setApiError(code);
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') {
        const field = String(err.details.field ?? '').replace(/^\/?(body\.)?citizen[./]/, '').replace(/^\/?body[./]/, '');
        if (field in FIELD_LABEL) setErrors({ [field]: 'err.field.invalid' });
      }
      if (code === 'SLOT_FULL') slots.reload();
      // A changed request needs a new key; a plain retry keeps the old one.
      if (code !== 'NETWORK') setKey(newIdempotencyKey());
    } finally {
      setBusy(false);
    }
  };

  if (info.loading) return <Screen title={t('book.title')}><Loading /></Screen>;
  if (info.error || !info.data?.service) return <Screen title={t('book.title')}><ErrorBox code={info.error ?? 'NOT_FOUND'} onRetry={info.reload} /></Screen>;
  const { service, site } = info.data;

  if (done) {
    return (
      <Screen title={t('book.done')} back="/">
        <div className="ticket-card confirm-card" data-appointment-code={done.code}>
          <p className="ticket-label">{t('book.code')}</p>
          <p className="ticket-number">{done.code}</p>
          <p className="ticket-where">{service.name}{site && <> · {site.name}</>}</p>
          <p>{t('book.when', { t: whenText(done.start, done.end, lang) })}</p>
          <p className="tag-line">{t(`book.kind.${done.kind}`)}</p>
        </div>
        <div className="ticket-qr">
          <QrCode text={`YC-A:${done.code}`} label={t('book.codeHint')} size={200} />
          <p>{t('book.codeHint')}</p>
        </div>
        <div className="actions">
          <button type="button" className="big primary" onClick={() => navigate(`/appointment/${done.id}`)}>
            <span className="big-label">{t('book.mine')}</span>
          </button>
        </div>
      </Screen>
    );
  }

  const err = (f: keyof IdentityInput) => (errors[f] ? t(errors[f]!, { f: t(FIELD_LABEL[f]) }) : undefined);
  const input = (f: keyof IdentityInput, props: React.InputHTMLAttributes<HTMLInputElement>) => (
    <input
      id={`bk-${f}`}
      name={f}
      value={form[f]}
      onChange={set(f)}
      aria-invalid={errors[f] ? true : undefined}
      aria-describedby={errors[f] ? `bk-${f}-error` : undefined}
      aria-required={f !== 'address' || kind === 'homeVisit'}
      {...props}
    />
  );

  return (
    <Screen title={rescheduling ? t('book.reschedule') : t('book.title')}>
      <p className="card-sub">{service.name}{site && <> · {site.name}</>}</p>
      <form ref={formRef} onSubmit={submit} noValidate>
        {!rescheduling && (
          <fieldset className="choices">
            <legend>{t('book.kind')}</legend>
            <div className="choice-grid kinds">
              {KINDS.filter((k) => !elderly || k !== 'video').map((k) => (
                <label key={k} className={`choice ${kind === k ? 'on' : ''}`}>
                  <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                  <span>{t(`book.kind.${k}`)}</span>
                  {!elderly && <small>{t(`book.kindHint.${k}`)}</small>}
                </label>
              ))}
            </div>
          </fieldset>
        )}

        <fieldset className="choices">
          <legend>{t('book.day')}</legend>
          <div className="days" role="radiogroup" aria-label={t('book.day')}>
            {days.map((d, i) => {
              const l = dayLabel(d, lang);
              return (
                <button key={d} type="button" role="radio" aria-checked={day === d} className={`day ${day === d ? 'on' : ''}`} onClick={() => setDay(d)}>
                  <span className="day-w">{i === 0 ? t('book.today') : i === 1 ? t('book.tomorrow') : l.weekday}</span>
                  <span className="day-d">{l.day}</span>
                </button>
              );
            })}
          </div>
        </fieldset>

        <fieldset className="choices">
          <legend>{t('book.slot')}</legend>
          {slots.loading ? (
            <Loading />
          ) : slots.error ? (
            <ErrorBox code={slots.error} onRetry={slots.reload} />
          ) : slots.data!.length === 0 ? (
            <Empty>{t('book.noSlots')}</Empty>
          ) : (
            <div className="slots" role="radiogroup" aria-label={t('book.slot')}>
              {slots.data!.map((s) => (
                <button
                  key={s.start}
                  type="button"
                  role="radio"
                  aria-checked={slot?.start === s.start}
                  disabled={s.remaining <= 0}
                  className={`slot ${slot?.start === s.start ? 'on' : ''}`}
                  onClick={() => setSlot(s)}
                >
                  <span className="slot-time">{wallTime(s.start)}</span>
                  <span className="slot-left">{s.remaining > 0 ? t('book.remaining', { n: s.remaining }) : t('book.full')}</span>
                </button>
              ))}
            </div>
          )}
        </fieldset>

        {slot && !rescheduling && (
          <fieldset className="identity">
            <legend>{t('book.identity')}</legend>
            <Field id="bk-name" label={t('book.name')} error={err('name')}>
              {input('name', { autoComplete: 'name', placeholder: t('book.namePh'), maxLength: 40 })}
            </Field>
            <Field id="bk-idNumber" label={t('book.idNumber')} error={err('idNumber')}>
              {input('idNumber', { autoComplete: 'off', inputMode: 'text', placeholder: t('book.idPh'), maxLength: 18, spellCheck: false, autoCapitalize: 'characters' })}
            </Field>
            <Field id="bk-phone" label={t('book.phone')} error={err('phone')}>
              {input('phone', { type: 'tel', autoComplete: 'tel', inputMode: 'tel', placeholder: t('book.phonePh'), maxLength: 20 })}
            </Field>
            {kind === 'homeVisit' && (
              <Field id="bk-address" label={t('book.address')} error={err('address')}>
                {input('address', { autoComplete: 'street-address', placeholder: t('book.addressPh'), maxLength: 200 })}
              </Field>
            )}
          </fieldset>
        )}

        {apiError && <ErrorBox code={apiError} />}
        {slot && (
          <div className="actions">
            <button type="submit" className="big primary" disabled={busy} aria-busy={busy}>
              <span className="big-label">{busy ? t('book.submitting') : rescheduling ? t('book.reschedule') : t('book.submit')}</span>
              <span className="big-hint">{t('book.when', { t: whenText(slot.start, slot.end, lang) })}</span>
            </button>
          </div>
        )}
      </form>
    </Screen>
  );
}
