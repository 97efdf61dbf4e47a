import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { useState } from 'react';
import type { Static } from 'typebox';
import type { LoginBody } from '@yichuang/server/contracts';
import { api, ApiError } from '../lib/api.ts';
import { errorText } from '../lib/errors.ts';
import { getLang, setLang, useT } from '../lib/i18n.ts';
import type { Session } from '../lib/session.ts';

type LoginValues = Static<typeof LoginBody> & { newPassword?: string; confirm?: string };

/**
 * Password first; the server then asks for what else it needs: an authenticator code (TOTP_REQUIRED) or a new
 * password in place of a published one (PASSWORD_CHANGE_REQUIRED). The form keeps what was typed.
 */
export function LoginPage({ onLogin }: { onLogin: (s: Session) => void }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [needs, setNeeds] = useState<{ totp: boolean; newPassword: boolean }>({ totp: false, newPassword: false });

  async function submit(values: LoginValues) {
    setBusy(true);
    setError(null);
    const base = { username: values.username, password: values.password, ...(needs.totp && values.totp ? { totp: values.totp } : {}) };
    try {
      onLogin(needs.newPassword
        ? await api<Session>('POST', '/auth/password', { ...base, newPassword: values.newPassword })
        : await api<Session>('POST', '/auth/login', base));
    } catch (err) {
      const code = err instanceof ApiError ? err.code : null;
      if (code === 'TOTP_REQUIRED') setNeeds((n) => ({ ...n, totp: true }));
      else if (code === 'PASSWORD_CHANGE_REQUIRED') setNeeds((n) => ({ ...n, newPassword: true }));
      setError(code === 'TOTP_REQUIRED' ? t('auth.totpHint') : code === 'PASSWORD_CHANGE_REQUIRED' ? t('auth.newPasswordHint') : code === 'UNAUTHENTICATED' && !needs.totp ? t('auth.badCredentials') : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <Card className="login__card" data-testid="login">
        <div className="login__head">
          <Typography.Title level={3} style={{ margin: 0 }}>{t('app.title')}</Typography.Title>
          <Segmented
            size="small"
            value={getLang()}
            options={[{ label: '中文', value: 'zh-CN' }, { label: 'EN', value: 'en' }]}
            onChange={(v) => setLang(v as 'zh-CN' | 'en')}
          />
        </div>
        <Typography.Paragraph type="secondary">{t('auth.hint')}</Typography.Paragraph>
        {error && <Alert type={error === t('auth.totpHint') || error === t('auth.newPasswordHint') ? 'info' : 'error'} showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={(v: LoginValues) => void submit(v)} requiredMark={false}>
          <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, message: t('auth.required') }]}>
            <Input autoFocus autoComplete="username" data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.required') }]}>
            <Input.Password autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          {needs.totp && (
            <Form.Item name="totp" label={t('auth.totp')} rules={[{ required: true, pattern: /^\d{6}$/, message: t('auth.totpFormat') }]}>
              <Input autoFocus inputMode="numeric" autoComplete="one-time-code" maxLength={6} data-testid="login-totp" />
            </Form.Item>
          )}
          {needs.newPassword && (
            <>
              <Form.Item name="newPassword" label={t('auth.newPassword')} rules={[{ required: true, min: 12, message: t('auth.newPasswordRule') }]}>
                <Input.Password autoFocus autoComplete="new-password" data-testid="login-new-password" />
              </Form.Item>
              <Form.Item
                name="confirm"
                label={t('auth.confirmPassword')}
                dependencies={['newPassword']}
                rules={[{ required: true, message: t('auth.required') }, ({ getFieldValue }) => ({ validator: async (_r, v) => { if (v !== getFieldValue('newPassword')) throw new Error(t('auth.mismatch')); } })]}
              >
                <Input.Password autoComplete="new-password" data-testid="login-confirm-password" />
              </Form.Item>
            </>
          )}
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('auth.login')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
