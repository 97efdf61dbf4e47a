import { type ButtonHTMLAttributes, type ReactNode, useEffect, useRef } from 'react';
import { errorText } from '../i18n/index.tsx';
import { useSettings, useT } from '../i18n/index.tsx';
import { navigate } from '../lib/router.ts';

export function Screen({ title, back, children }: { title: string; back?: string | false; children: ReactNode }) {
  const t = useT();
  const h = useRef<HTMLHeadingElement>(null);
  // Moving focus to the new screen's heading tells screen-reader users the screen changed.
  useEffect(() => {
    h.current?.focus();
  }, [title]);
  return (
    <section className="screen" aria-labelledby="screen-title">
      <div className="screen-head">
        {back !== false && (
          <button type="button" className="back" onClick={() => (back ? navigate(back) : history.length > 1 ? history.back() : navigate('/'))} aria-label={t('nav.back')}>
            <span aria-hidden="true">‹</span> {t('nav.back')}
          </button>
        )}
        <h1 id="screen-title" tabIndex={-1} ref={h}>
          {title}
        </h1>
      </div>
      {children}
    </section>
  );
}

export function BigButton({ children, hint, variant = 'primary', ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { hint?: string; variant?: 'primary' | 'secondary' | 'danger' | 'plain' }) {
  return (
    <button type="button" {...rest} className={`big ${variant} ${rest.className ?? ''}`}>
      <span className="big-label">{children}</span>
      {hint && <span className="big-hint">{hint}</span>}
    </button>
  );
}

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </div>
  );
}

export function ErrorBox({ code, onRetry, children }: { code?: string | null; onRetry?: () => void; children?: ReactNode }) {
  const { lang, t } = useSettings();
  return (
    <div className="error-box" role="alert">
      <p>{children ?? errorText(lang, code)}</p>
      {onRetry && (
        <button type="button" className="big secondary" onClick={onRetry}>
          <span className="big-label">{t('common.retry')}</span>
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="empty" role="status">
      {children}
    </div>
  );
}

export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | undefined; hint?: string; children: ReactNode }) {
  return (
    <div className={`field ${error ? 'has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
