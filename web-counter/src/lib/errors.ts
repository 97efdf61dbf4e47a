/** An error as the user reads it: the contract's bilingual message, in the current language. */
import { ERRORS } from '@yichuang/server/contracts';
import { ApiError } from './api.ts';
import { getLang, t } from './i18n.ts';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'NETWORK') return t('error.network');
    const known = (ERRORS as Record<string, { message: string }>)[err.code];
    const message = known?.message ?? err.message;
    // Contract messages read "中文 / English": show the half for the current language.
    const [zh, en] = message.split(' / ');
    return (getLang() === 'en' ? en : zh) ?? message;
  }
  return err instanceof Error ? err.message : String(err);
}
