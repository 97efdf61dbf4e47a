import { LOW_SCORE_REASONS, BAD_RATING_MAX_SCORE } from '@yichuang/server/contracts';
import { useState } from 'react';
import { Face } from '../components/icon.tsx';
import { ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { ApiError, api } from '../lib/api.ts';
import type { Rating } from '../lib/contract-types.ts';
import { checkRating } from '../lib/forms.ts';
import { ticketToken } from '../lib/held.ts';
import { navigate } from '../lib/router.ts';
import { useAsync } from '../lib/use-async.ts';

type Reason = (typeof LOW_SCORE_REASONS)[number];
/** The server's canonical reasons (sent as they are), shown in the citizen's language. */
const REASON_KEYS: Record<Reason, MessageKey> = {
  等候时间长: 'rate.reason.waitLong',
  办理时间长: 'rate.reason.handleLong',
  服务态度不好: 'rate.reason.attitude',
  一次性告知不清: 'rate.reason.notToldOnce',
  材料要求多: 'rate.reason.tooManyMaterials',
  多次跑动: 'rate.reason.repeatTrips',
  系统故障: 'rate.reason.system',
  未能办成: 'rate.reason.notDone',
};
const SCORES = [5, 4, 3, 2, 1] as const;

/** 好差评: five levels; a low score asks why (and opens a follow-up case on the server). */
export default function RateScreen({ ticketId }: { ticketId: string }) {
  const { t } = useSettings();
  const token = ticketToken(ticketId);
  const ticket = useAsync(async (signal) => (token ? api.ticket(ticketId, token, signal) : Promise.reject(new ApiError('FORBIDDEN', 403))), [ticketId]);
  const [score, setScore] = useState<number | null>(null);
  const [reasons, setReasons] = useState<string[]>([]);
  const [comment, setComment] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Rating | null>(null);

  const low = score !== null && score <= BAD_RATING_MAX_SCORE;
  const toggle = (r: string) => setReasons((x) => (x.includes(r) ? x.filter((y) => y !== r) : [...x, r]));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkRating({ score, reasons: low ? reasons : [], comment });
    if (!checked.ok) {
      setFieldError(t('err.field.required', { f: t('rate.question') }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setDone(await api.rate(ticketId, token!, checked.body));
    } catch (err) {
      setError(err instanceof ApiError ? err.code : 'UNKNOWN');
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Screen title={t('rate.title')} back="/">
        <div className="done-card" role="status">
          <p className="done-big">{t('rate.thanks')}</p>
          {done.case && <p>{t('rate.followUp', { n: done.case.number })}</p>}
        </div>
        <div className="actions">
          <button type="button" className="big primary" onClick={() => navigate('/')}>
            <span className="big-label">{t('nav.home')}</span>
          </button>
        </div>
      </Screen>
    );
  }
  if (ticket.loading) return <Screen title={t('rate.title')}><Loading /></Screen>;
  if (ticket.error) return <Screen title={t('rate.title')}><ErrorBox code={ticket.error} onRetry={ticket.reload} /></Screen>;
  if (ticket.data!.status !== 'done') return <Screen title={t('rate.title')}><ErrorBox>{t('rate.notFinished')}</ErrorBox></Screen>;

  return (
    <Screen title={t('rate.title')}>
      <p className="card-sub">{ticket.data!.number}</p>
      <form onSubmit={submit} noValidate>
        <fieldset className="choices" aria-describedby={fieldError ? 'rate-error' : undefined}>
          <legend>{t('rate.question')}</legend>
          <div className="scores">
            {SCORES.map((s) => (
              <label key={s} className={`score s${s} ${score === s ? 'on' : ''}`}>
                <input type="radio" name="score" value={s} checked={score === s} onChange={() => { setScore(s); setFieldError(null); }} />
                <Face score={s} />
                <span>{t(`rate.${s}`)}</span>
              </label>
            ))}
          </div>
          {fieldError && <p className="field-error" id="rate-error" role="alert">{fieldError}</p>}
        </fieldset>
        {low && (
          <fieldset className="choices">
            <legend>{t('rate.reasons')}</legend>
            <div className="choice-grid">
              {LOW_SCORE_REASONS.map((r) => (
                <label key={r} className={`choice ${reasons.includes(r) ? 'on' : ''}`}>
                  <input type="checkbox" checked={reasons.includes(r)} onChange={() => toggle(r)} />
                  <span>{t(REASON_KEYS[r])}</span>
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="rate-comment">{t('rate.comment')}</label>
          <textarea id="rate-comment" rows={3} maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} />
        </div>
        {error && <ErrorBox code={error} />}
        <div className="actions">
          <button type="submit" className="big primary" disabled={busy} aria-busy={busy}>
            <span className="big-label">{t('rate.submit')}</span>
          </button>
        </div>
      </form>
    </Screen>
  );
}
