/** Dialogs for the actions that need a word more: finish (outcome), suspend (reason), transfer (target). */
import { Form, Input, InputNumber, Modal, Radio, Select } from 'antd';
import { useEffect, useRef, useState } from 'react';
import type { Static } from 'typebox';
import type { FinishBody, Service, Window } from '@yichuang/server/contracts';
import { useT } from '../../lib/i18n.ts';

type Finish = Static<typeof FinishBody>;
const OUTCOMES = ['completed', 'incomplete', 'rejected', 'referred'] as const;

export function FinishModal({ open, number, onOk, onCancel }: { open: boolean; number: string; onOk: (b: Finish) => Promise<void>; onCancel: () => void }) {
  const t = useT();
  const [form] = Form.useForm<Finish>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) form.setFieldsValue({ outcome: 'completed', note: '' });
  }, [open, form]);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await onOk({ outcome: v.outcome ?? 'completed', ...(v.note ? { note: v.note } : {}) });
    } finally {
      setBusy(false);
    }
  };
  const submitRef = useRef(submit);
  submitRef.current = submit;
  // Keyboard work: F opens this dialog, Enter confirms (the default outcome, or the one picked with the arrows).
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || e.target instanceof HTMLTextAreaElement || e.isComposing) return;
      e.preventDefault();
      void submitRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <Modal open={open} title={t('modal.finish.title', { number })} okText={t('modal.confirm')} cancelText={t('modal.cancel')} onOk={() => void submit()} onCancel={onCancel} confirmLoading={busy} destroyOnHidden data-testid="finish-modal">
      <Form form={form} layout="vertical">
        <Form.Item name="outcome" label={t('modal.finish.outcome')}>
          <Radio.Group optionType="button" buttonStyle="solid" options={OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))} data-testid="finish-outcome" />
        </Form.Item>
        <Form.Item name="note" label={t('modal.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function SuspendModal({ open, number, onOk, onCancel }: { open: boolean; number: string; onOk: (reason: string, minutes: number) => Promise<void>; onCancel: () => void }) {
  const t = useT();
  const [form] = Form.useForm<{ reason: string; minutes: number }>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) form.setFieldsValue({ reason: t('modal.suspend.defaultReason'), minutes: 30 });
  }, [open, form, t]);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await onOk(v.reason, v.minutes);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('modal.suspend.title', { number })} okText={t('modal.confirm')} cancelText={t('modal.cancel')} onOk={() => void submit()} onCancel={onCancel} confirmLoading={busy} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="reason" label={t('modal.suspend.reason')} rules={[{ required: true, message: t('auth.required') }]}>
          <Input maxLength={200} autoFocus />
        </Form.Item>
        <Form.Item name="minutes" label={t('modal.suspend.minutes')}>
          <InputNumber min={1} max={240} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function TransferModal(props: {
  open: boolean;
  number: string;
  services: Service[];
  windows: Window[];
  currentServiceId: string | null;
  onOk: (target: { serviceId?: string; windowId?: string }) => Promise<void>;
  onCancel: () => void;
}) {
  const t = useT();
  const [form] = Form.useForm<{ serviceId?: string; windowId?: string }>();
  const [busy, setBusy] = useState(false);
  const serviceId = Form.useWatch('serviceId', form) ?? props.currentServiceId;
  useEffect(() => {
    if (props.open) form.resetFields();
  }, [props.open, form]);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await props.onOk({ ...(v.serviceId ? { serviceId: v.serviceId } : {}), ...(v.windowId ? { windowId: v.windowId } : {}) });
    } finally {
      setBusy(false);
    }
  };
  // Only windows that serve the item the ticket will have.
  const windows = props.windows.filter((w) => !serviceId || w.serviceIds.includes(serviceId));
  return (
    <Modal open={props.open} title={t('modal.transfer.title', { number: props.number })} okText={t('modal.confirm')} cancelText={t('modal.cancel')} onOk={() => void submit()} onCancel={props.onCancel} confirmLoading={busy} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="serviceId" label={t('modal.transfer.service')} extra={t('modal.transfer.serviceHint')}>
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={props.services.map((s) => ({ value: s.id, label: `${s.category} · ${s.name}` }))} />
        </Form.Item>
        <Form.Item
          name="windowId"
          label={t('modal.transfer.window')}
          dependencies={['serviceId']}
          rules={[
            ({ getFieldValue }) => ({
              validator: async (_r, value) => {
                if (!value && !getFieldValue('serviceId')) throw new Error(t('modal.transfer.needOne'));
              },
            }),
          ]}
        >
          <Select allowClear options={windows.map((w) => ({ value: w.id, label: `${t('clerk.windowN', { n: w.number })} · ${w.name}` }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
