/**
 * Expert console (远程帮办): go online, hear requests ring (site, item, reason), accept within the one-minute
 * answer target (a countdown shows it), help in a document-first call, then see the session's record.
 */
import { App, Badge, Button, Card, Empty, Modal, Progress, Space, Switch, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AssistSession, JoinInfo, Service, SiteTreeNode, Ticket, VideoHallClientToServer } from '@yichuang/server/contracts';
import type { Socket } from 'socket.io-client';
import type { HallClientToServer, HallServerToClient } from '@yichuang/server/contracts';
import { api, isMissingEndpoint } from '../../lib/api.ts';
import { errorText } from '../../lib/errors.ts';
import { clockTime, hallDate } from '../../lib/format.ts';
import { connectHall, request } from '../../lib/hall.ts';
import { useT } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import { CallView, lostNodeQuery } from '../call/CallView.tsx';
import { SessionRecord } from '../call/SessionRecord.tsx';
import { fetchSiteIndex } from '../sites.ts';

type ExpertSocket = Socket<HallServerToClient, HallClientToServer & VideoHallClientToServer>;
/** The answer target: an expert accepts within one minute of the request. */
const ANSWER_TARGET_S = 60;

/** A repeating two-beep ring while requests wait; stops when none do. */
function useRinger(active: boolean, muted: boolean) {
  useEffect(() => {
    if (!active || muted) return;
    const Ctor = window.AudioContext;
    if (!Ctor) return;
    const ctx = new Ctor();
    const ring = () => {
      if (ctx.state !== 'running') return;
      for (const offset of [0, 0.3]) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = 740;
        gain.gain.setValueAtTime(0.2, ctx.currentTime + offset);
        gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + offset + 0.25);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + offset);
        osc.stop(ctx.currentTime + offset + 0.3);
      }
    };
    void ctx.resume().catch(() => undefined);
    ring();
    const timer = setInterval(ring, 2_000);
    return () => {
      clearInterval(timer);
      void ctx.close();
    };
  }, [active, muted]);
}

export default function ExpertConsole({ session }: { session: Session }) {
  const t = useT();
  const { message } = App.useApp();
  const [online, setOnline] = useState(false);
  const [connected, setConnected] = useState(false);
  const [ringing, setRinging] = useState<AssistSession[]>([]);
  const [history, setHistory] = useState<AssistSession[]>([]);
  const [call, setCall] = useState<AssistSession | null>(null);
  const [record, setRecord] = useState<AssistSession | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [muted, setMuted] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [sites, setSites] = useState<Map<string, SiteTreeNode>>(new Map());
  const [serviceNames, setServiceNames] = useState<Map<string, string>>(new Map());
  const [ticketInfo, setTicketInfo] = useState<Map<string, { number: string; serviceId: string }>>(new Map());
  const socketRef = useRef<ExpertSocket | null>(null);
  const onlineRef = useRef(online);
  onlineRef.current = online;

  const upsert = useCallback((s: AssistSession) => {
    setRinging((list) => (s.status === 'ringing' && s.ringing.includes(session.user.id) ? [...list.filter((x) => x.id !== s.id), s] : list.filter((x) => x.id !== s.id)));
    setCall((c) => (c && c.id === s.id ? { ...s, join: s.join ?? c.join } : c));
    if (s.status === 'ended' && s.acceptedBy === session.user.id) setHistory((h) => [s, ...h.filter((x) => x.id !== s.id)]);
  }, [session.user.id]);

  const loadLists = useCallback(async () => {
    try {
      const [waiting, done] = await Promise.all([
        api<AssistSession[]>('GET', '/assist-sessions?status=ringing'),
        api<AssistSession[]>('GET', '/assist-sessions?status=ended'),
      ]);
      setRinging(waiting.filter((s) => s.ringing.includes(session.user.id)));
      const today = hallDate();
      setHistory(done.filter((s) => s.acceptedBy === session.user.id && hallDate(Date.parse(s.requestedAt)) === today));
    } catch (err) {
      if (isMissingEndpoint(err)) setUnavailable(true);
      else message.error(errorText(err));
    }
  }, [session.user.id, message]);

  useEffect(() => {
    fetchSiteIndex().then((i) => setSites(i.byId), () => undefined);
    void loadLists();
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(tick);
  }, [loadLists]);

  useEffect(() => {
    const socket = connectHall(session.token) as unknown as ExpertSocket;
    socketRef.current = socket;
    socket.on('connect', () => {
      setConnected(true);
      // Presence is per connection: say it again after every reconnect.
      if (onlineRef.current) void request((ack) => socket.emit('expert:presence', { online: true }, ack)).catch(() => undefined);
      void loadLists();
    });
    socket.on('disconnect', () => setConnected(false));
    socket.on('assist.ringing', (e) => upsert(e.session as AssistSession));
    socket.on('assist.updated', (e) => upsert(e.session as AssistSession));
    return () => {
      socket.close();
      socketRef.current = null;
    };
  }, [session.token, upsert, loadLists]);

  // Site, item and ticket number of each ringing request, for the expert to know what is coming.
  useEffect(() => {
    for (const s of ringing) {
      if (!s.ticketId || ticketInfo.has(s.ticketId)) continue;
      const ticketId = s.ticketId;
      api<Ticket>('GET', `/tickets/${ticketId}`).then((tk) => {
        setTicketInfo((m) => new Map(m).set(ticketId, { number: tk.number, serviceId: tk.serviceId }));
        if (!serviceNames.has(tk.serviceId)) {
          api<Service[]>('GET', `/sites/${tk.siteId}/services`).then((list) => setServiceNames((m) => { const n = new Map(m); for (const sv of list) n.set(sv.id, sv.name); return n; }), () => undefined);
        }
      }, () => undefined);
    }
  }, [ringing, ticketInfo, serviceNames]);

  async function setPresence(value: boolean) {
    const socket = socketRef.current;
    if (!socket) return;
    try {
      await request((ack) => socket.emit('expert:presence', { online: value }, ack));
      setOnline(value);
    } catch (err) {
      message.error(errorText(err));
    }
  }

  async function accept(s: AssistSession) {
    try {
      const accepted = await api<AssistSession>('POST', `/assist-sessions/${s.id}/accept`);
      setRinging((list) => list.filter((x) => x.id !== s.id));
      setCall(accepted);
    } catch (err) {
      message.error(errorText(err));
      void loadLists();
    }
  }

  async function hangUp() {
    if (!call) return;
    const id = call.id;
    setCall(null);
    try {
      const endedSession = await api<AssistSession>('POST', `/assist-sessions/${id}/end`).catch(() => api<AssistSession>('GET', `/assist-sessions/${id}`));
      setRecord(endedSession);
      setHistory((h) => [endedSession, ...h.filter((x) => x.id !== id)]);
    } catch (err) {
      message.error(errorText(err));
    }
  }

  useRinger(online && ringing.length > 0 && !call, muted);

  const columns = useMemo(() => [
    { title: t('record.requestedAt'), dataIndex: 'requestedAt', render: (v: string) => clockTime(v) },
    { title: t('record.site'), dataIndex: 'siteId', render: (v: string) => sites.get(v)?.name ?? '—' },
    { title: t('record.reason'), dataIndex: 'reason' },
    { title: t('record.answerSeconds'), dataIndex: 'answerSeconds', render: (v: number | null) => (v === null ? '—' : t('record.seconds', { n: Math.round(v) })) },
    { title: t('record.outcome'), dataIndex: 'endReason', render: (v: AssistSession['endReason']) => (v ? t(`record.end.${v}`) : '—') },
  ], [t, sites]);

  if (unavailable) {
    return <Card><Empty description={t('assist.unavailable')} data-testid="expert-unavailable" /></Card>;
  }

  return (
    <div className="expert" data-testid="expert-console">
      <Card size="small" className="expert__bar">
        <Space size="large" wrap>
          <Space>
            <Switch checked={online} onChange={(v) => void setPresence(v)} disabled={!connected} data-testid="presence" />
            <Badge status={online ? 'success' : 'default'} text={online ? t('expert.online') : t('expert.offline')} />
          </Space>
          <Badge status={connected ? 'success' : 'error'} text={connected ? t('status.connected') : t('status.offline')} />
          <Button size="small" onClick={() => setMuted(!muted)}>{muted ? t('expert.unmute') : t('expert.mute')}</Button>
          {session.user.skills.length > 0 && (
            <span>{t('expert.skills')}: {session.user.skills.map((s) => <Tag key={s}>{s}</Tag>)}</span>
          )}
        </Space>
      </Card>

      <Typography.Title level={5}>{t('expert.incoming')}</Typography.Title>
      {ringing.length === 0 ? (
        <Card size="small"><Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={online ? t('expert.noRequests') : t('expert.goOnline')} /></Card>
      ) : (
        <div className="expert__ringing" data-testid="ringing-list">
          {ringing.map((s) => {
            const waited = Math.max(0, (now - Date.parse(s.requestedAt)) / 1000);
            const left = Math.round(ANSWER_TARGET_S - waited);
            const info = s.ticketId ? ticketInfo.get(s.ticketId) : undefined;
            return (
              <Card key={s.id} size="small" className="expert__request ringing" data-testid="ringing-request">
                <div className="expert__request-head">
                  <span className="pulse" />
                  <strong>{sites.get(s.siteId)?.name ?? '—'}</strong>
                  {info && <Tag>{info.number}</Tag>}
                  {info && <Tag color="blue">{serviceNames.get(info.serviceId) ?? '…'}</Tag>}
                  {s.target.skill && <Tag color="purple">{s.target.skill}</Tag>}
                </div>
                <Typography.Paragraph style={{ margin: '8px 0' }}>{s.reason}</Typography.Paragraph>
                <Typography.Text type="secondary">
                  {t('record.requester')}: {s.participants.find((p) => p.kind === 'requester')?.displayName ?? '—'} · {clockTime(s.requestedAt, true)}
                </Typography.Text>
                <Progress percent={Math.min(100, Math.round((waited / ANSWER_TARGET_S) * 100))} status={left < 0 ? 'exception' : 'active'} showInfo={false} size="small" />
                <Space style={{ justifyContent: 'space-between', width: '100%' }}>
                  <span data-testid="countdown" className={left < 0 ? 'late' : ''}>{left >= 0 ? t('expert.answerWithin', { s: left }) : t('expert.overdue', { s: -left })}</span>
                  <Button type="primary" onClick={() => void accept(s)} data-testid="accept">{t('expert.accept')}</Button>
                </Space>
              </Card>
            );
          })}
        </div>
      )}

      {record && <SessionRecord session={record} siteName={sites.get(record.siteId)?.name ?? ''} onClose={() => setRecord(null)} />}

      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('expert.history')}</Typography.Title>
      <Table size="small" rowKey="id" dataSource={history} columns={columns} pagination={{ pageSize: 8 }} />

      <Modal open={!!call?.join} footer={null} closable={false} width="92vw" style={{ top: 16 }} destroyOnHidden>
        {call?.join && <CallView join={call.join} renew={(lostNode) => api<JoinInfo>('POST', `/assist-sessions/${call.id}/token${lostNodeQuery(lostNode)}`)} title={`${sites.get(call.siteId)?.name ?? ''} · ${call.reason}`} onLeave={() => void hangUp()} />}
      </Modal>
    </div>
  );
}
