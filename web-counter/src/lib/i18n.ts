/**
 * Tiny i18n: zh-CN first, English available. Every string on screen goes through a key of `zh`; `en` must
 * have the same keys (the compiler checks). No dependency, so the hall board stays light.
 */
import { useSyncExternalStore } from 'react';
import { en, zh, type MessageKey } from './messages.ts';

export type Lang = 'zh-CN' | 'en';
export type { MessageKey };

const STORAGE_KEY = 'yc.lang';
const listeners = new Set<() => void>();

function initialLang(): Lang {
  const fromQuery = new URLSearchParams(location.search).get('lang');
  if (fromQuery === 'en' || fromQuery === 'zh-CN') return fromQuery;
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'zh-CN') return stored;
  } catch {
    // Storage may be unavailable (kiosk profiles): fall back to Chinese.
  }
  return 'zh-CN';
}

let current: Lang = initialLang();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // ignore: the choice then lasts for this page only
  }
  document.documentElement.lang = lang;
  for (const l of listeners) l();
}

/** Translates a key, replacing `{name}` placeholders. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const table = current === 'en' ? en : zh;
  let s: string = table[key];
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** Re-renders the component when the language changes; returns `t`. */
export function useT(): typeof t {
  useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => current,
  );
  return t;
}
