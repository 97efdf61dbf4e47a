import { useEffect, useRef, useState } from 'react';
import { useSettings } from '../i18n/index.tsx';

/**
 * A kiosk goes back to its start screen, forgetting everything, after a while untouched: the next person
 * must never see the last one's number or details. `?idle=SECONDS` overrides the delay (tests, demos).
 * Rationale: 90 s is enough to read a ticket and walk away; the last 15 s show a countdown to stay.
 */
const DEFAULT_IDLE_S = 90;
const WARN_S = 15;

export function KioskIdle({ onReset, path }: { onReset: () => void; path: string }) {
  const { t, lang, elderly } = useSettings();
  const idleS = Number(new URLSearchParams(window.location.search).get('idle')) || DEFAULT_IDLE_S;
  const warnS = Math.min(WARN_S, Math.max(1, Math.floor(idleS / 3)));
  const [left, setLeft] = useState<number | null>(null);
  const last = useRef(Date.now());
  const atStart = path === '/' && lang === 'zh' && !elderly;

  useEffect(() => {
    const touch = () => {
      last.current = Date.now();
      setLeft(null);
    };
    const events = ['pointerdown', 'keydown', 'input', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, touch, { passive: true });
    const timer = window.setInterval(() => {
      if (atStart) return;
      const idle = (Date.now() - last.current) / 1000;
      if (idle >= idleS) {
        last.current = Date.now();
        setLeft(null);
        onReset();
      } else if (idle >= idleS - warnS) {
        setLeft(Math.ceil(idleS - idle));
      }
    }, 250);
    return () => {
      for (const e of events) window.removeEventListener(e, touch);
      window.clearInterval(timer);
    };
  }, [idleS, warnS, onReset, atStart]);

  useEffect(() => {
    last.current = Date.now();
    setLeft(null);
  }, [path]);

  if (left === null) return null;
  return (
    <div className="overlay idle" role="alertdialog" aria-modal="true" aria-labelledby="idle-text">
      <div className="overlay-card">
        <p id="idle-text" className="idle-text">{t('kiosk.idle', { s: left })}</p>
        <button type="button" className="big primary" autoFocus onClick={() => setLeft(null)}>
          <span className="big-label">{t('kiosk.stay')}</span>
        </button>
      </div>
    </div>
  );
}
