import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { useState } from 'react';
import type { Static } from 'typebox';
import type { LoginBody } from '@yichuang/server/contracts';
import { api, ApiError } from '../lib/api.ts';
import { errorText } from '../lib/errors.ts';
import { getLang, setLang, useT } from '../lib/i18n.ts';
import type { Session } from '../lib/session.ts';

export function LoginPage({ onLogin }: { onLogin: (s: Session) => void }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: Static<typeof LoginBody>) {
    setBusy(true);
    setError(null);
    try {
      onLogin(await api<Session>('POST', '/auth/login', values));
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'UNAUTHENTICATED' ? t('auth.badCredentials') : errorText(err));
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
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={(v: Static<typeof LoginBody>) => void submit(v)} requiredMark={false}>
          <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, message: t('auth.required') }]}>
            <Input autoFocus autoComplete="username" data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.required') }]}>
            <Input.Password autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('auth.login')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
