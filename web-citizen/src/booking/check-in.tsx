import { useState } from 'react';
import { ErrorBox, Field, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { ApiError } from '../lib/api.ts';
import { holdTicket } from '../lib/held.ts';
import { checkInByCode, forgetKioskDevice, kioskDevice, parseBookingCode, signInKiosk } from '../lib/kiosk-device.ts';
import { navigate } from '../lib/router.ts';

/**
 * Check-in at the hall by booking code: typed, or scanned from the booking's QR by the kiosk's barcode reader
 * (which types `YC-A:CODE` into the focused field). Phones check in from "my bookings" with their token.
 */
export default function CheckInScreen() {
  const { t, kiosk } = useSettings();
  const [device, setDevice] = useState(kioskDevice);
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!kiosk) {
    return (
      <Screen title={t('book.checkInByCode')}>
        <p className="intro">{t('checkin.phoneHint')}</p>
        <button type="button" className="big primary" onClick={() => navigate('/mine')}>
          <span className="big-label">{t('book.mine')}</span>
        </button>
      </Screen>
    );
  }
  if (!device) return <KioskSetup onDone={() => setDevice(kioskDevice())} />;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const c = parseBookingCode(code);
    if (!c) {
      setFieldError(t('err.field.invalid', { f: t('book.code') }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const ticket = await checkInByCode(c);
      if (ticket.accessToken) holdTicket({ id: ticket.id, token: ticket.accessToken, siteId: ticket.siteId, number: ticket.number, issuedAt: ticket.issuedAt });
      setCode('');
      navigate(`/ticket/${ticket.id}`, { replace: true });
    } catch (err) {
      const codeOf = err instanceof ApiError ? err.code : 'UNKNOWN';
      if (codeOf === 'UNAUTHENTICATED') {
        forgetKioskDevice();
        setDevice(null);
      }
      // The kiosk's own account cannot see other halls' bookings: that reads as "not found" to the citizen.
      setError(codeOf === 'FORBIDDEN' ? 'NOT_FOUND' : codeOf);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen title={t('book.checkInByCode')}>
      <form onSubmit={submit} noValidate>
        <Field id="ci-code" label={t('book.codeInput')} error={fieldError} hint={t('checkin.scanHint')}>
          <input id="ci-code" value={code} autoFocus onChange={(e) => { setCode(e.target.value); setFieldError(undefined); }} autoComplete="off" autoCapitalize="characters" spellCheck={false} maxLength={24} className="code-input" aria-invalid={fieldError ? true : undefined} aria-describedby={fieldError ? 'ci-code-error' : 'ci-code-hint'} />
        </Field>
        {error && <ErrorBox code={error} />}
        <div className="actions">
          <button type="submit" className="big primary" disabled={busy} aria-busy={busy}>
            <span className="big-label">{t('book.checkIn')}</span>
          </button>
        </div>
      </form>
    </Screen>
  );
}

/** Staff sign a kiosk in once, with a clerk account of the hall. */
function KioskSetup({ onDone }: { onDone: () => void }) {
  const { t } = useSettings();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signInKiosk(username.trim(), password);
      setPassword('');
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.code : 'UNKNOWN');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Screen title={t('checkin.setupTitle')}>
      <ErrorBox>{t('checkin.notSetUp')}</ErrorBox>
      <form onSubmit={submit} noValidate className="kiosk-setup">
        <Field id="ks-user" label={t('checkin.staffUser')}>
          <input id="ks-user" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
        </Field>
        <Field id="ks-pass" label={t('checkin.staffPassword')}>
          <input id="ks-pass" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" />
        </Field>
        {error && <ErrorBox code={error} />}
        <div className="actions">
          <button type="submit" className="big secondary" disabled={busy || !username || !password}>
            <span className="big-label">{t('checkin.setup')}</span>
          </button>
        </div>
      </form>
    </Screen>
  );
}
