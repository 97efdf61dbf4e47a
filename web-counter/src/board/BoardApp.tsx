/**
 * Hall display board (叫号屏) for a TV: the latest calls with their windows, waiting counts per category and
 * the time. Each call is chimed and spoken (announcer.ts). The socket feeds changes; the per-site `seq`
 * tells when something was missed, and then (as after any reconnect) the full state is reloaded over HTTP.
 * No antd or echarts here: the board loads only React, socket.io-client and this file's CSS.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Static } from 'typebox';
import type { BoardView, QueueChangedEvent, Service, TicketCalledEvent } from '@yichuang/server/contracts';
import { api } from '../lib/api.ts';
import { connectHall, request, SeqTracker } from '../lib/hall.ts';
import { getLang, useT } from '../lib/i18n.ts';
import { Announcer, announcementText } from './announcer.ts';
import './board.css';

type Board = Static<typeof BoardView>;
type Call = Board['recentCalls'][number];

/** Rationale: eight rows stay readable from the back of a hall on a 55-inch screen. */
const ROWS = 8;
type Conn = 'connecting' | 'online' | 'offline';
/** Rationale: soon enough that a hall barely notices, slow enough not to hammer a struggling server. */
const RETRY_MS = 5_000;

export default function BoardApp({ siteId }: { siteId: string }) {
  const t = useT();
  const [board, setBoard] = useState<Board | null>(null);
  const [services, setServices] = useState<Service[]>([]);
  const [conn, setConn] = useState<Conn>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => new Date());
  const [speaking, setSpeaking] = useState<string | null>(null);
  const [soundBlocked, setSoundBlocked] = useState(false);
  const [flashId, setFlashId] = useState<string | null>(null);
  const announcer = useRef<Announcer | null>(null);

  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    const a = new Announcer(({ playing }) => {
      setSpeaking(playing?.text ?? null);
      setSoundBlocked(a.soundBlocked);
    });
    announcer.current = a;
    setSoundBlocked(a.probe());
    return () => a.close();
  }, []);

  useEffect(() => {
    let disposed = false;
    const seq = new SeqTracker();
    let loading: Promise<void> | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    /** Events that arrive while the full state is loading: replayed after it, those newer than it only. */
    let buffered: (['called', TicketCalledEvent] | ['queue', QueueChangedEvent])[] | null = null;

    async function load(): Promise<void> {
      if (loading) return loading;
      clearTimeout(retry);
      buffered = [];
      loading = (async () => {
        try {
          const [b, svc] = await Promise.all([
            api<Board>('GET', `/sites/${siteId}/board`),
            api<Service[]>('GET', `/sites/${siteId}/services`).catch(() => null),
          ]);
          if (disposed) return;
          seq.reset(b.seq);
          setBoard(b);
          if (svc) setServices(svc);
          setError(null);
          const pending = buffered ?? [];
          buffered = null;
          for (const item of pending) {
            if (item[0] === 'called') onCalled(item[1]);
            else onQueue(item[1]);
          }
        } catch (err) {
          buffered = null;
          if (disposed) return;
          setError(err instanceof Error ? err.message : String(err));
          // A TV has nobody to press reload: try again shortly.
          retry = setTimeout(() => void load(), RETRY_MS);
        } finally {
          loading = null;
        }
      })();
      return loading;
    }

    function onCalled(e: TicketCalledEvent) {
      if (e.siteId !== siteId) return;
      if (buffered) return void buffered.push(['called', e]);
      const { fresh, gap } = seq.accept(e.seq);
      if (!fresh) return;
      const call: Call = { ticketId: e.ticketId, number: e.number, windowNumber: e.windowNumber, windowName: '', calledAt: e.calledAt, citizenName: null };
      // The call carries the counts after it (`countsInCalls`): no `queue.changed` follows just to repeat them.
      setBoard((b) => (b ? { ...b, waiting: e.waiting ?? b.waiting, recentCalls: [call, ...b.recentCalls.filter((c) => c.ticketId !== e.ticketId)].slice(0, 10) } : b));
      setFlashId(e.ticketId);
      announcer.current?.enqueue(announcementText(e.number, e.windowNumber));
      if (gap) void load();
    }

    function onQueue(e: QueueChangedEvent) {
      if (e.siteId !== siteId) return;
      if (buffered) return void buffered.push(['queue', e]);
      const { fresh, gap } = seq.accept(e.seq);
      if (!fresh) return;
      setBoard((b) => (b ? { ...b, waiting: e.waiting } : b));
      if (gap) void load();
    }

    const socket = connectHall();
    // Watch first, then load: anything after the snapshot arrives on the socket and is kept by seq.
    const watch = () =>
      request<{ siteId: string; seq: number }>((ack) => socket.emit('site:watch', { siteId, countsInCalls: true }, ack))
        .then(() => load())
        .catch((err: unknown) => {
          if (disposed) return;
          setError(err instanceof Error ? err.message : String(err));
          retry = setTimeout(() => socket.connected && void watch(), RETRY_MS);
        });
    socket.on('connect', () => {
      setConn('online');
      void watch();
    });
    socket.on('disconnect', () => setConn('offline'));
    socket.io.on('reconnect_attempt', () => setConn('offline'));
    socket.on('connect_error', () => setConn('offline'));
    socket.on('ticket.called', onCalled);
    socket.on('queue.changed', onQueue);
    return () => {
      disposed = true;
      clearTimeout(retry);
      socket.close();
    };
  }, [siteId]);

  useEffect(() => {
    if (!flashId) return;
    const timer = setTimeout(() => setFlashId(null), 6_000);
    return () => clearTimeout(timer);
  }, [flashId]);

  const categories = useMemo(() => {
    const names = new Map<string, string[]>();
    for (const s of services) names.set(s.category, [...(names.get(s.category) ?? []), s.name]);
    const waiting = board?.waiting ?? {};
    const letters = new Set([...names.keys(), ...Object.keys(waiting)]);
    return [...letters].sort().map((c) => ({ category: c, names: names.get(c) ?? [], waiting: waiting[c] ?? 0 }));
  }, [services, board?.waiting]);

  const calls = board?.recentCalls.slice(0, ROWS) ?? [];
  const latest = calls[0];
  const locale = getLang() === 'en' ? 'en-GB' : 'zh-CN';
  const tz = 'Asia/Shanghai';

  return (
    <div className={`board ${conn === 'offline' ? 'board--offline' : ''}`} data-testid="board" data-conn={conn}>
      <header className="board__header">
        <div className="board__site" data-testid="board-site">{board?.siteName ?? t('board.loading')}</div>
        <div className="board__title">{t('board.title')}</div>
        <div className="board__clock" data-testid="board-clock">
          <div className="board__time">{now.toLocaleTimeString(locale, { timeZone: tz, hour12: false })}</div>
          <div className="board__date">{now.toLocaleDateString(locale, { timeZone: tz, year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' })}</div>
        </div>
      </header>

      {conn === 'offline' && (
        <div className="board__banner" role="alert" data-testid="board-offline">{t('board.offline')}</div>
      )}
      {error && conn !== 'offline' && <div className="board__banner" role="alert">{t('board.loadFailed')}</div>}

      <main className="board__main">
        <section className="board__now" aria-live="polite">
          <div className="board__label">{t('board.nowCalling')}</div>
          {latest ? (
            <div className={`board__latest ${flashId === latest.ticketId ? 'board__glow' : ''}`} data-testid="board-latest">
              <div className="board__latest-number">{latest.number}</div>
              <div className="board__latest-window">{t('board.toWindow', { n: latest.windowNumber })}</div>
            </div>
          ) : (
            <div className="board__empty">{t('board.noCalls')}</div>
          )}
          {speaking && (
            <div className="board__speaking" data-testid="board-speaking">
              <span className="board__speaker" aria-hidden="true" />
              {speaking}
            </div>
          )}
        </section>

        <section className="board__calls">
          <table>
            <thead>
              <tr>
                <th>{t('board.number')}</th>
                <th>{t('board.window')}</th>
                <th>{t('board.time')}</th>
              </tr>
            </thead>
            <tbody data-testid="board-calls">
              {calls.map((c) => (
                <tr key={c.ticketId} className={flashId === c.ticketId ? 'board__flash' : ''} data-number={c.number}>
                  <td className="board__num">{c.number}</td>
                  <td>{t('board.windowN', { n: c.windowNumber })}</td>
                  <td className="board__muted">{new Date(c.calledAt).toLocaleTimeString(locale, { timeZone: tz, hour12: false, hour: '2-digit', minute: '2-digit' })}</td>
                </tr>
              ))}
              {calls.length === 0 && (
                <tr>
                  <td colSpan={3} className="board__muted">{t('board.noCalls')}</td>
                </tr>
              )}
            </tbody>
          </table>
        </section>

        <aside className="board__waiting">
          <div className="board__label">{t('board.waiting')}</div>
          <ul data-testid="board-waiting">
            {categories.map((c) => (
              <li key={c.category} data-category={c.category}>
                <span className="board__cat">{c.category}</span>
                <span className="board__cat-names">{c.names.slice(0, 3).join(' · ')}{c.names.length > 3 ? ' …' : ''}</span>
                <span className="board__count" data-testid={`board-waiting-${c.category}`}>{c.waiting}</span>
              </li>
            ))}
          </ul>
        </aside>
      </main>

      <footer className="board__footer">
        <span>{t('board.footer')}</span>
        {soundBlocked && (
          <button type="button" className="board__sound" onClick={() => void announcer.current?.unlock().then(() => setSoundBlocked(false))}>
            {t('board.enableSound')}
          </button>
        )}
      </footer>
    </div>
  );
}
