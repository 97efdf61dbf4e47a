/**
 * A clerk's shift at one window, worked from the keyboard: call next, recall, start, finish, no-show,
 * suspend/resume, transfer; the current ticket on the left, the waiting queue on the right (live), and
 * the start of a video assistance request.
 */
import { App, Badge, Button, Card, Col, Row, Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Static } from 'typebox';
import type { FinishBody, JoinInfo, QueueView, Service, Ticket, Window } from '@yichuang/server/contracts';
import { isNotOlder } from '@yichuang/server/contracts';
import { api } from '../../lib/api.ts';
import { errorText } from '../../lib/errors.ts';
import { connectHall, request, type HallSocket } from '../../lib/hall.ts';
import { useT, type MessageKey } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import { AssistRequest } from '../call/AssistRequest.tsx';
import { CallView, lostNodeQuery } from '../call/CallView.tsx';
import { FinishModal, SuspendModal, TransferModal } from './ActionModals.tsx';
import { QueueList } from './QueueList.tsx';
import { TicketCard } from './TicketCard.tsx';
import type { OpenedWindow } from './WindowPicker.tsx';

type Queue = Static<typeof QueueView>;
type Modal = 'finish' | 'suspend' | 'transfer' | 'assist' | null;
type Action = 'callNext' | 'recall' | 'start' | 'finish' | 'noShow' | 'suspend' | 'resume' | 'transfer' | 'assist';

/** What each key does; shown on screen as the legend. */
export const SHORTCUTS: { action: Action; keys: string[]; label: MessageKey }[] = [
  { action: 'callNext', keys: ['F1', 'Space'], label: 'action.callNext' },
  { action: 'recall', keys: ['R'], label: 'action.recall' },
  { action: 'start', keys: ['S'], label: 'action.start' },
  { action: 'finish', keys: ['F'], label: 'action.finish' },
  { action: 'noShow', keys: ['N'], label: 'action.noShow' },
  { action: 'suspend', keys: ['P'], label: 'action.suspend' },
  { action: 'resume', keys: ['U'], label: 'action.resume' },
  { action: 'transfer', keys: ['T'], label: 'action.transfer' },
  { action: 'assist', keys: ['V'], label: 'action.assist' },
];

const KEYMAP: Record<string, Action> = {
  F1: 'callNext', ' ': 'callNext', r: 'recall', s: 'start', f: 'finish', n: 'noShow', p: 'suspend', u: 'resume', t: 'transfer', v: 'assist',
};

const ACTIVE = new Set<Ticket['status']>(['called', 'serving']);

function storageKey(windowId: string) {
  return `yc.clerk.tickets.${windowId}`;
}

export function WindowConsole({ session, opened, onClosed }: { session: Session; opened: OpenedWindow; onClosed: () => void }) {
  const t = useT();
  const { message, notification } = App.useApp();
  const [current, setCurrent] = useState<Ticket | null>(null);
  const [suspended, setSuspended] = useState<Ticket[]>([]);
  const [queue, setQueue] = useState<Queue | null>(null);
  const [services, setServices] = useState<Map<string, Service>>(new Map());
  const [windows, setWindows] = useState<Window[]>([]);
  const [modal, setModal] = useState<Modal>(null);
  const [busy, setBusy] = useState<Action | null>(null);
  const [online, setOnline] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [lastOutcome, setLastOutcome] = useState<string | null>(null);
  /** A virtual window's call: the room with the remote citizen, opened by call-next. */
  const [remoteCall, setRemoteCall] = useState<{ ticketId: string; join: JoinInfo } | null>(null);
  const socketRef = useRef<HallSocket | null>(null);

  const myWindow = windows.find((w) => w.id === opened.windowId);
  const myServiceIds = useMemo(() => new Set(myWindow?.serviceIds ?? []), [myWindow]);

  // ---- load and persist ----
  const loadQueue = useCallback(async () => {
    try {
      setQueue(await api<Queue>('GET', `/sites/${opened.siteId}/queue`));
    } catch (err) {
      message.error(errorText(err));
    }
  }, [opened.siteId, message]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    void Promise.all([
      api<Service[]>('GET', `/sites/${opened.siteId}/services`).then((list) => setServices(new Map(list.map((s) => [s.id, s])))),
      api<Window[]>('GET', `/sites/${opened.siteId}/windows`).then(setWindows),
      loadQueue(),
    ]).catch((err: unknown) => message.error(errorText(err)));
    // The tickets this console held before a reload.
    try {
      const saved = JSON.parse(sessionStorage.getItem(storageKey(opened.windowId)) ?? 'null') as { current: string | null; suspended: string[] } | null;
      if (saved) {
        const fetchTicket = (id: string) => api<Ticket>('GET', `/tickets/${id}`).catch(() => null);
        void Promise.all([saved.current ? fetchTicket(saved.current) : null, ...saved.suspended.map(fetchTicket)]).then(([c, ...s]) => {
          if (c && (ACTIVE.has(c.status) || c.status === 'suspended')) setCurrent(c.status === 'suspended' ? null : c);
          setSuspended(s.filter((x): x is Ticket => !!x && x.status === 'suspended'));
        });
      }
    } catch {
      // nothing to restore
    }
  }, [opened.siteId, opened.windowId, loadQueue, message]);

  useEffect(() => {
    try {
      sessionStorage.setItem(storageKey(opened.windowId), JSON.stringify({ current: current?.id ?? null, suspended: suspended.map((s) => s.id) }));
    } catch {
      // ignore
    }
  }, [current, suspended, opened.windowId]);

  // The remote citizen's room closes with the ticket (finished, no-show, transferred…).
  useEffect(() => {
    if (remoteCall && (!current || current.id !== remoteCall.ticketId || !['called', 'serving', 'suspended'].includes(current.status))) setRemoteCall(null);
  }, [current, remoteCall]);

  // ---- live ----
  useEffect(() => {
    const socket = connectHall(session.token);
    socketRef.current = socket;
    let refresh: ReturnType<typeof setTimeout> | null = null;
    socket.on('connect', () => {
      setOnline(true);
      void Promise.all([
        request((ack) => socket.emit('window:attach', { windowId: opened.windowId }, ack)),
        request((ack) => socket.emit('site:watch', { siteId: opened.siteId }, ack)),
      ]).then(() => loadQueue(), (err: unknown) => message.error(errorText(err)));
    });
    socket.on('disconnect', () => setOnline(false));
    socket.on('queue.changed', (e) => {
      if (e.siteId !== opened.siteId) return;
      // Rationale: a burst of kiosk tickets becomes one reload.
      if (refresh) clearTimeout(refresh);
      refresh = setTimeout(() => void loadQueue(), 250);
    });
    socket.on('ticket.updated', ({ ticket }) => {
      // Our own request's answer may come first: a late event of an earlier step must not undo it.
      setCurrent((c) => (c && c.id === ticket.id && isNotOlder(ticket, c) ? ticket : c));
      setSuspended((list) => list.map((s) => (s.id === ticket.id ? ticket : s)).filter((s) => s.status === 'suspended'));
    });
    socket.on('sla.atRisk', (e) => {
      if (e.siteId !== opened.siteId) return;
      notification.warning({ key: `sla-${e.ticketId}`, title: t('clerk.slaRisk', { number: e.number }), description: t('clerk.slaRiskDetail', { time: new Date(e.dueAt).toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' }) }) });
    });
    return () => {
      if (refresh) clearTimeout(refresh);
      socket.close();
      socketRef.current = null;
    };
  }, [session.token, opened.siteId, opened.windowId, loadQueue, message, notification, t]);

  // ---- actions ----
  const canDo = useMemo((): Record<Action, boolean> => {
    const status = current?.status;
    const idle = !current || !ACTIVE.has(current.status);
    return {
      callNext: idle,
      recall: status === 'called',
      start: status === 'called',
      finish: status === 'serving',
      noShow: status === 'called',
      suspend: status === 'serving',
      resume: idle && suspended.length > 0,
      transfer: status === 'called' || status === 'serving',
      assist: true,
    };
  }, [current, suspended]);

  const run = useCallback(
    async (action: Action, fn: () => Promise<void>) => {
      if (busy) return;
      setBusy(action);
      try {
        await fn();
      } catch (err) {
        message.error(errorText(err));
        // Our picture may be stale (another device acted): refresh the ticket.
        if (current) void api<Ticket>('GET', `/tickets/${current.id}`).then(setCurrent, () => undefined);
      } finally {
        setBusy(null);
      }
    },
    [busy, current, message],
  );

  // A key pressed while the previous action is still finishing runs once it has: the screen can already
  // show the outcome (a pushed update arrives before the answer), and a clerk pressing F1 then must not
  // have the key dropped. One slot: the latest key wins.
  const queuedAction = useRef<Action | null>(null);
  const act = useCallback(
    (action: Action) => {
      if (busy) {
        // The same key again is a double press, not a next step (a second R would announce twice).
        if (busy !== action) queuedAction.current = action;
        return;
      }
      if (!canDo[action] || modal) return;
      const id = current?.id;
      switch (action) {
        case 'callNext':
          return void run(action, async () => {
            const ticket = await api<Ticket | null>('POST', `/windows/${opened.windowId}/call-next`);
            if (!ticket) {
              // Said twice: a toast for the moment, and on the card until the next action.
              message.info(t('clerk.nobodyWaiting'));
              setLastOutcome(t('clerk.nobodyWaiting'));
              return;
            }
            setLastOutcome(null);
            setCurrent(ticket);
            if (ticket.join) setRemoteCall({ ticketId: ticket.id, join: ticket.join });
          });
        case 'recall':
          return void run(action, async () => {
            setCurrent(await api<Ticket>('POST', `/tickets/${id}/recall`));
            message.success(t('clerk.recalled'));
          });
        case 'start':
          return void run(action, async () => setCurrent(await api<Ticket>('POST', `/tickets/${id}/start`)));
        case 'noShow':
          return void run(action, async () => {
            const ticket = await api<Ticket>('POST', `/tickets/${id}/no-show`);
            setCurrent(ticket);
            setLastOutcome(t('clerk.outcome.noShow', { number: ticket.number }));
          });
        case 'resume':
          return void run(action, async () => {
            const target = suspended[suspended.length - 1];
            if (!target) return;
            const ticket = await api<Ticket>('POST', `/tickets/${target.id}/resume`);
            setSuspended((list) => list.filter((s) => s.id !== target.id));
            setCurrent(ticket);
          });
        case 'finish':
        case 'suspend':
        case 'transfer':
        case 'assist':
          return setModal(action);
      }
    },
    [busy, canDo, modal, current, run, opened.windowId, message, t, suspended],
  );
  useEffect(() => {
    const queued = queuedAction.current;
    if (busy || !queued) return;
    queuedAction.current = null;
    act(queued);
  }, [busy, act]);

  // The key handler acts on what is on screen: the ref is updated in the same commit that paints it. (A
  // listener re-registered by useEffect runs a moment after the paint, and Chromium may deliver a key press
  // in between: a clerk pressing N just after the call showed had the key dropped by the previous handler.)
  const keyState = useRef({ act, modal });
  useLayoutEffect(() => {
    keyState.current = { act, modal };
  }, [act, modal]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || keyState.current.modal) return;
      const el = e.target as HTMLElement | null;
      if (el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))) return;
      const action = KEYMAP[e.key.length === 1 ? e.key.toLowerCase() : e.key];
      if (!action) return;
      e.preventDefault();
      // Space on a focused button would click it as well: keep keyboard work to one action per key.
      (document.activeElement as HTMLElement | null)?.blur?.();
      keyState.current.act(action);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  async function finish(body: Static<typeof FinishBody>) {
    await run('finish', async () => {
      const ticket = await api<Ticket>('POST', `/tickets/${current?.id}/finish`, body);
      setCurrent(ticket);
      setLastOutcome(t('clerk.outcome.finished', { number: ticket.number }));
      setModal(null);
    });
  }

  async function suspend(reason: string, resumeWithinMin: number) {
    await run('suspend', async () => {
      const ticket = await api<Ticket>('POST', `/tickets/${current?.id}/suspend`, { reason, resumeWithinMin });
      setSuspended((list) => [...list.filter((s) => s.id !== ticket.id), ticket]);
      setCurrent(null);
      setLastOutcome(t('clerk.outcome.suspended', { number: ticket.number }));
      setModal(null);
    });
  }

  async function transfer(target: { serviceId?: string; windowId?: string }) {
    await run('transfer', async () => {
      const number = current?.number ?? '';
      const follow = await api<Ticket>('POST', `/tickets/${current?.id}/transfer`, target);
      setCurrent(null);
      setLastOutcome(t('clerk.outcome.transferred', { number, follow: follow.number }));
      setModal(null);
    });
  }

  async function closeWindow() {
    try {
      await api('POST', `/windows/${opened.windowId}/close`);
    } catch (err) {
      message.error(errorText(err));
    }
    onClosed();
  }

  const buttons: { action: Action; type?: 'primary'; danger?: boolean }[] = [
    { action: 'callNext', type: 'primary' },
    { action: 'recall' },
    { action: 'start', type: 'primary' },
    { action: 'finish', type: 'primary' },
    { action: 'noShow', danger: true },
    { action: 'suspend' },
    { action: 'resume' },
    { action: 'transfer' },
    { action: 'assist' },
  ];

  return (
    <div className="console" data-testid="clerk-console" data-window={opened.windowNumber}>
      <div className="console__bar">
        <Space size="middle" wrap>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="console-window">
            {t('clerk.windowN', { n: opened.windowNumber })} · {opened.windowName}
          </Typography.Title>
          <Tag color="geekblue">{opened.siteName}</Tag>
          {opened.kind === 'virtual' && <Tag color="purple">{t('window.kind.virtual')}</Tag>}
          <Badge status={online ? 'success' : 'error'} text={online ? t('status.online') : t('status.offline')} data-testid="console-conn" data-online={online ? 'yes' : 'no'} />
        </Space>
        <Button onClick={() => void closeWindow()} data-testid="close-window">{t('clerk.closeWindow')}</Button>
      </div>

      <Row gutter={16}>
        <Col xs={24} lg={15}>
          <TicketCard ticket={current} service={current ? services.get(current.serviceId) : undefined} now={now} lastOutcome={lastOutcome} />

          {remoteCall && (
            <Card size="small" className="console__remote" data-testid="remote-call">
              <CallView compact join={remoteCall.join} renew={(lostNode) => api<JoinInfo>('GET', `/tickets/${remoteCall.ticketId}/join${lostNodeQuery(lostNode)}`)} title={t('clerk.remoteCall', { number: current?.number ?? '' })} onLeave={() => setRemoteCall(null)} />
            </Card>
          )}

          <Card size="small" className="console__actions">
            <div className="console__buttons">
              {buttons.map((b) => {
                const sc = SHORTCUTS.find((s) => s.action === b.action);
                return (
                  <Button
                    key={b.action}
                    type={b.type ?? 'default'}
                    danger={b.danger ?? false}
                    size="large"
                    disabled={!canDo[b.action]}
                    loading={busy === b.action}
                    onClick={() => act(b.action)}
                    data-testid={`action-${b.action}`}
                  >
                    {t(sc?.label ?? 'action.callNext')}
                    <span className="kbd-hint">{sc?.keys.join(' / ')}</span>
                  </Button>
                );
              })}
            </div>
            {suspended.length > 0 && (
              <div className="console__suspended" data-testid="suspended-list">
                <Typography.Text type="secondary">{t('clerk.suspendedList')}</Typography.Text>
                {suspended.map((s) => (
                  <Tooltip key={s.id} title={t('clerk.resumeHint')}>
                    <Tag color="orange">{s.number}</Tag>
                  </Tooltip>
                ))}
              </div>
            )}
          </Card>

          <Card size="small" title={t('clerk.shortcuts')} className="console__legend" data-testid="shortcut-legend">
            <div className="legend">
              {SHORTCUTS.map((s) => (
                <span key={s.action} className="legend__item">
                  {s.keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                  <span>{t(s.label)}</span>
                </span>
              ))}
            </div>
          </Card>

          <AssistRequest
            open={modal === 'assist'}
            onClose={() => setModal(null)}
            session={session}
            siteId={opened.siteId}
            ticket={current && ACTIVE.has(current.status) ? current : null}
            socket={socketRef}
          />
        </Col>
        <Col xs={24} lg={9}>
          <QueueList queue={queue} services={services} myServiceIds={myServiceIds} now={now} />
        </Col>
      </Row>

      <FinishModal open={modal === 'finish'} onCancel={() => setModal(null)} onOk={finish} number={current?.number ?? ''} />
      <SuspendModal open={modal === 'suspend'} onCancel={() => setModal(null)} onOk={suspend} number={current?.number ?? ''} />
      <TransferModal
        open={modal === 'transfer'}
        onCancel={() => setModal(null)}
        onOk={transfer}
        number={current?.number ?? ''}
        services={[...services.values()]}
        windows={windows.filter((w) => w.id !== opened.windowId)}
        currentServiceId={current?.serviceId ?? null}
      />
    </div>
  );
}
