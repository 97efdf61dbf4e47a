/**
 * A clerk asks for video assistance: whom to ring (the nearest experts, a sub-centre, the district centre,
 * a cross-province desk, or anyone with a skill) and why. While it rings the clerk sees for how long; when an
 * expert accepts, the call view opens.
 */
import { Alert, App, Button, Card, Form, Input, Modal, Radio, Select, Space, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { AssistSession, AssistTarget, JoinInfo, SiteTreeNode, Ticket } from '@yichuang/server/contracts';
import { api, ApiError, isMissingEndpoint } from '../../lib/api.ts';
import { errorText } from '../../lib/errors.ts';
import type { HallSocket } from '../../lib/hall.ts';
import { useT } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import { fetchSiteIndex, flatten } from '../sites.ts';
import { CallView, lostNodeQuery } from './CallView.tsx';
import { SessionRecord } from './SessionRecord.tsx';

type TargetKind = 'nearest' | 'subcentre' | 'district' | 'crossProvince' | 'skill';
/** Skills the demo experts declare; free text is allowed too. */
const SKILL_SUGGESTIONS = ['社保', '医保', '户籍', '不动产', '市场准入', '跨省通办'];

interface FormValues {
  kind: TargetKind;
  siteId?: string;
  region?: string;
  skill?: string;
  reason: string;
}

export function AssistRequest(props: {
  open: boolean;
  onClose: () => void;
  session: Session;
  siteId: string;
  ticket: Ticket | null;
  socket: RefObject<HallSocket | null>;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const kind = Form.useWatch('kind', form) ?? 'nearest';
  const [sites, setSites] = useState<SiteTreeNode[]>([]);
  const [active, setActive] = useState<AssistSession | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [inCall, setInCall] = useState(false);
  const [ended, setEnded] = useState<AssistSession | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const joinRef = useRef<AssistSession['join']>(undefined);

  useEffect(() => {
    if (props.open && sites.length === 0) fetchSiteIndex().then((i) => setSites(flatten(i.roots)), () => undefined);
    if (props.open) form.setFieldsValue({ kind: 'nearest', reason: '' });
  }, [props.open, sites.length, form]);

  const subcentres = useMemo(() => sites.filter((s) => s.level === 'subcentre'), [sites]);
  const regions = useMemo(() => sites.filter((s) => s.level === 'crossProvince'), [sites]);

  // Follow the request: socket events to the clerk's staff room, and a slow poll in case one is missed.
  useEffect(() => {
    if (!active || active.status === 'ended') return;
    const socket = props.socket.current;
    const onUpdate = (e: { session: unknown }) => {
      const s = e.session as AssistSession;
      if (s && s.id === active.id) setActive((prev) => ({ ...s, join: s.join ?? prev?.join }));
    };
    socket?.on('assist.updated', onUpdate);
    const poll = setInterval(() => {
      api<AssistSession>('GET', `/assist-sessions/${active.id}`).then((s) => setActive((prev) => ({ ...s, join: s.join ?? prev?.join })), () => undefined);
    }, 5_000);
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => {
      socket?.off('assist.updated', onUpdate);
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [active, props.socket]);

  useEffect(() => {
    if (!active) return;
    if (active.status === 'active' && !inCall && joinRef.current) setInCall(true);
    if (active.status === 'ended') {
      setInCall(false);
      setEnded(active);
      setActive(null);
    }
  }, [active, inCall]);

  async function submit() {
    const v = await form.validateFields();
    const target: AssistTarget = {};
    if (v.kind === 'subcentre' && v.siteId) target.siteId = v.siteId;
    if (v.kind === 'district') target.level = 'district';
    if (v.kind === 'crossProvince') {
      target.level = 'crossProvince';
      if (v.region) target.region = v.region;
    }
    if (v.skill) target.skill = v.skill;
    setBusy(true);
    try {
      const created = await api<AssistSession>('POST', '/assist-sessions', {
        siteId: props.siteId,
        ...(props.ticket ? { ticketId: props.ticket.id } : {}),
        reason: v.reason,
        target,
      });
      joinRef.current = created.join;
      setEnded(null);
      setActive(created);
      props.onClose();
    } catch (err) {
      if (isMissingEndpoint(err)) setUnavailable(true);
      else message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function end() {
    if (!active) return;
    const id = active.id;
    try {
      setActive(await api<AssistSession>('POST', `/assist-sessions/${id}/end`));
    } catch (err) {
      // The other side hung up first: nothing to end, just show how it went.
      if (err instanceof ApiError && err.code === 'SESSION_ENDED') setActive(await api<AssistSession>('GET', `/assist-sessions/${id}`).catch(() => null));
      else message.error(errorText(err));
    }
  }

  return (
    <>
      <Modal open={props.open} title={t('assist.title')} okText={t('assist.send')} cancelText={t('modal.cancel')} onOk={() => void submit()} onCancel={props.onClose} confirmLoading={busy} destroyOnHidden data-testid="assist-modal">
        {unavailable && <Alert type="warning" showIcon title={t('assist.unavailable')} style={{ marginBottom: 12 }} data-testid="assist-unavailable" />}
        <Form form={form} layout="vertical" initialValues={{ kind: 'nearest' }}>
          <Form.Item name="kind" label={t('assist.target')}>
            <Radio.Group
              options={(['nearest', 'subcentre', 'district', 'crossProvince', 'skill'] as const).map((k) => ({ value: k, label: t(`assist.target.${k}`) }))}
            />
          </Form.Item>
          {kind === 'subcentre' && (
            <Form.Item name="siteId" label={t('assist.site')} rules={[{ required: true, message: t('auth.required') }]}>
              <Select options={subcentres.map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
          )}
          {kind === 'crossProvince' && (
            <Form.Item name="region" label={t('assist.region')} rules={[{ required: true, message: t('auth.required') }]}>
              <Select options={regions.map((s) => ({ value: s.region, label: s.name }))} />
            </Form.Item>
          )}
          <Form.Item name="skill" label={t('assist.skill')} rules={kind === 'skill' ? [{ required: true, message: t('auth.required') }] : []}>
            <Select allowClear showSearch mode={undefined} options={SKILL_SUGGESTIONS.map((s) => ({ value: s, label: s }))} />
          </Form.Item>
          <Form.Item name="reason" label={t('assist.reason')} rules={[{ required: true, message: t('auth.required') }]}>
            <Input.TextArea rows={2} maxLength={500} placeholder={t('assist.reasonPlaceholder')} />
          </Form.Item>
          {props.ticket && <Typography.Text type="secondary">{t('assist.forTicket', { number: props.ticket.number })}</Typography.Text>}
        </Form>
      </Modal>

      {active && active.status === 'ringing' && (
        <Card size="small" className="assist-ringing" data-testid="assist-ringing">
          <Space>
            <span className="pulse" />
            <span>{t('assist.ringing', { s: Math.max(0, Math.round((now - Date.parse(active.requestedAt)) / 1000)) })}</span>
            <Button size="small" onClick={() => void end()} data-testid="assist-cancel">{t('assist.cancel')}</Button>
          </Space>
        </Card>
      )}

      <Modal open={inCall && !!joinRef.current} footer={null} closable={false} width="92vw" style={{ top: 16 }} destroyOnHidden>
        {joinRef.current && active && (
          <CallView
            join={joinRef.current}
            renew={(lostNode) => api<JoinInfo>('POST', `/assist-sessions/${active.id}/token${lostNodeQuery(lostNode)}`)}
            title={t('assist.callTitle')}
            onLeave={() => {
              setInCall(false);
              void end();
            }}
          />
        )}
      </Modal>

      {ended && <SessionRecord session={ended} onClose={() => setEnded(null)} />}
    </>
  );
}
