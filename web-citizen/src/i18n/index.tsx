import { createContext, useContext } from 'react';
import type { ErrorCode } from '@yichuang/server/contracts';
import { en, errorMessages, type MessageKey, zh } from './messages.ts';

export type Lang = 'zh' | 'en';
export type TFunction = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): TFunction {
  const table: Record<MessageKey, string> = lang === 'zh' ? zh : en;
  return (key, params) => {
    const text = table[key] ?? zh[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}

/** The friendly message for an API error code; unknown codes get the general message. */
export function errorText(lang: Lang, code: string | null | undefined): string {
  if (code === 'NETWORK') return translator(lang)('err.network');
  if (code === 'NOT_AVAILABLE') return translator(lang)('err.notAvailable');
  const m = code ? errorMessages[lang][code as ErrorCode] : undefined;
  return m ?? translator(lang)('err.unknown');
}

export interface Settings {
  lang: Lang;
  elderly: boolean;
  kiosk: boolean;
  t: TFunction;
  setLang(lang: Lang): void;
  setElderly(on: boolean): void;
}

export const SettingsContext = createContext<Settings>({
  lang: 'zh',
  elderly: false,
  kiosk: false,
  t: translator('zh'),
  setLang: () => undefined,
  setElderly: () => undefined,
});

export const useSettings = () => useContext(SettingsContext);
export const useT = () => useContext(SettingsContext).t;
