/**
 * Two-step sign-in (TOTP) for administrators and supervisors, from the staff app itself: the server's
 * `/auth/totp/setup` key shown as a QR code (and as text to type), proved with a code before it is in force;
 * turned off with a current code. An administrator can also clear it for a lost phone (`DELETE
 * /admin/staff/:id/totp`).
 */
import { Alert, Button, Form, Input, Modal, QRCode, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { Static } from 'typebox';
import type { TotpSetupResponse } from '@yichuang/server/contracts';
import { api, ApiError } from '../lib/api.ts';
import { errorText } from '../lib/errors.ts';
import { useT } from '../lib/i18n.ts';

type Setup = Static<typeof TotpSetupResponse>;
type Step = { kind: 'loading' } | { kind: 'setup'; setup: Setup } | { kind: 'on' } | { kind: 'enabled' } | { kind: 'disabled' };

export function TwoStepButton() {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} data-testid="two-step-open">
        {t('twoStep.open')}
      </Button>
      {open && <TwoStepDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function TwoStepDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const [step, setStep] = useState<Step>({ kind: 'loading' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Asking for a key is also how we learn the state: a second factor already on answers ALREADY_EXISTS.
  useEffect(() => {
    let live = true;
    api<Setup>('POST', '/auth/totp/setup').then(
      (setup) => live && setStep({ kind: 'setup', setup }),
      (err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.code === 'ALREADY_EXISTS') setStep({ kind: 'on' });
        else setError(errorText(err));
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const submit = (path: '/auth/totp/enable' | '/auth/totp/disable', next: Step) => async ({ code }: { code: string }) => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', path, { code });
      setStep(next);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'VALIDATION_FAILED' ? t('twoStep.wrongCode') : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const codeField = (
    <Form.Item name="code" label={t('auth.totp')} rules={[{ required: true, pattern: /^\d{6}$/, message: t('auth.totpFormat') }]}>
      <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} size="large" data-testid="two-step-code" />
    </Form.Item>
  );

  return (
    <Modal open title={t('twoStep.title')} onCancel={onClose} footer={null} destroyOnHidden data-testid="two-step-dialog">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="two-step-error" />}
      {step.kind === 'loading' && !error && <Typography.Paragraph>{t('twoStep.loading')}</Typography.Paragraph>}
      {step.kind === 'setup' && (
        <Form layout="vertical" onFinish={submit('/auth/totp/enable', { kind: 'enabled' })}>
          <Typography.Paragraph>{t('twoStep.scan')}</Typography.Paragraph>
          <Space orientation="vertical" align="center" style={{ width: '100%' }}>
            <QRCode value={step.setup.uri} size={200} />
            <Typography.Text copyable code data-testid="two-step-secret">{step.setup.secret}</Typography.Text>
          </Space>
          <Typography.Paragraph style={{ marginTop: 16 }}>{t('twoStep.confirm')}</Typography.Paragraph>
          {codeField}
          <Button type="primary" htmlType="submit" loading={busy} block size="large" data-testid="two-step-submit">
            {t('twoStep.enable')}
          </Button>
        </Form>
      )}
      {step.kind === 'on' && (
        <Form layout="vertical" onFinish={submit('/auth/totp/disable', { kind: 'disabled' })}>
          <Typography.Paragraph data-testid="two-step-state">{t('twoStep.isOn')}</Typography.Paragraph>
          {codeField}
          <Button danger htmlType="submit" loading={busy} block data-testid="two-step-submit">
            {t('twoStep.disable')}
          </Button>
        </Form>
      )}
      {step.kind === 'enabled' && <Alert type="success" showIcon title={t('twoStep.enabled')} data-testid="two-step-done" />}
      {step.kind === 'disabled' && <Alert type="info" showIcon title={t('twoStep.disabled')} data-testid="two-step-done" />}
    </Modal>
  );
}
