/**
 * Following one ticket live: HTTP for the truth, `/hall` events for speed. The phone watches its ticket
 * (`ticket.updated`, its own `ticket.called`) and its site (`queue.changed`, other calls: the people ahead
 * change); a skipped `seq`, a reconnect or the page coming back to the foreground triggers a resync by GET.
 * Events may arrive late: one of an earlier step than the screen shows is dropped (`isNotOlder`).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { isNotOlder } from '@yichuang/server/contracts/ticket-progress';
import { ApiError, api } from './api.ts';
import type { QueueChangedEvent, Ticket, TicketCalledEvent, TicketUpdatedEvent } from './contract-types.ts';
import { emitAck, hallSocket } from './hall.ts';
import { SeqTracker } from './seq.ts';

export const FINAL_STATUSES: readonly Ticket['status'][] = ['done', 'noShow', 'cancelled', 'transferred'];

export interface FollowState {
  ticket: Ticket | null;
  error: string | null;
  connected: boolean;
  /** Replace the ticket after an action of ours (cancel). */
  setTicket(t: Ticket): void;
  resync(): void;
}

/** Rationale: a burst of calls at opening time sends several events in a second; one GET covers them. */
const REFRESH_DEBOUNCE_MS = 250;

export function useTicketFollow(ticketId: string, token: string | null): FollowState {
  const [ticket, setTicketState] = useState<Ticket | null>(null);
  const [error, setError] = useState<string | null>(token ? null : 'FORBIDDEN');
  const [connected, setConnected] = useState(false);
  const ticketRef = useRef<Ticket | null>(null);
  const resyncRef = useRef<() => void>(() => undefined);

  const setTicket = useCallback((t: Ticket) => {
    // Keep the join info the call-time event carried if a later plain GET lacks it.
    const prev = ticketRef.current;
    let merged = !t.join && prev?.join && prev.id === t.id && t.status === 'called' ? { ...t, join: prev.join } : t;
    // Where a transferred ticket went never changes: a GET answered late, from before the follow-up
    // existed, must not take it away.
    if (!merged.transferredToId && prev?.transferredToId && prev.id === t.id) merged = { ...merged, transferredToId: prev.transferredToId };
    ticketRef.current = merged;
    setTicketState(merged);
  }, []);

  useEffect(() => {
    if (!token) return;
    let stopped = false;
    const tracker = new SeqTracker();
    let siteId: string | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let inflight: AbortController | null = null;
    const socket = hallSocket();

    async function fetchTicket(): Promise<void> {
      inflight?.abort();
      const ac = new AbortController();
      inflight = ac;
      try {
        const t = await api.ticket(ticketId, token!, ac.signal);
        if (stopped || ac.signal.aborted) return;
        setError(null);
        setTicket(t);
        if (!siteId) {
          siteId = t.siteId;
          if (socket.connected) void watch();
        }
      } catch (err) {
        if (stopped || ac.signal.aborted) return;
        if (err instanceof ApiError) {
          // A network blip keeps the last known state on screen; a refusal replaces it.
          if (err.code !== 'NETWORK' || !ticketRef.current) setError(err.code);
        }
      }
    }

    function scheduleRefresh() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void fetchTicket();
      }, REFRESH_DEBOUNCE_MS);
    }

    async function watch(): Promise<void> {
      if (!siteId) return;
      try {
        const [site] = await Promise.all([
          // A call reloads the ticket anyway, so the counts it carries are enough: no queue.changed behind each call.
          emitAck<{ seq: number }>(socket, 'site:watch', { siteId, countsInCalls: true }),
          emitAck(socket, 'ticket:watch', { ticketId, accessToken: token }),
        ]);
        tracker.reset(site.seq);
      } catch {
        /* the GET below still brings the truth; the next reconnect watches again */
      }
      await fetchTicket();
    }

    async function resync() {
      if (socket.connected) await watch();
      else await fetchTicket();
    }
    resyncRef.current = () => void resync();

    const onConnect = () => {
      setConnected(true);
      void watch();
    };
    const onDisconnect = () => setConnected(false);
    const onCalled = (e: TicketCalledEvent) => {
      // The shared socket may also watch other sites (the place finder): their seq streams are not ours.
      if (e.siteId !== siteId) return;
      const verdict = tracker.site(e.seq);
      const mine = e.ticketId === ticketId;
      // Show the call at once (a recall too: its new call time rings again); the GET that follows fills in
      // the rest. A call arriving after the GET already showed service or an end is old news.
      if (mine && ticketRef.current && isNotOlder({ status: 'called' }, ticketRef.current)) {
        setTicket({ ...ticketRef.current, status: 'called', windowId: e.windowId, windowNumber: e.windowNumber, calledAt: e.calledAt, position: null });
      }
      if (verdict === 'resync') void resync();
      else if (verdict === 'apply') scheduleRefresh();
    };
    const onQueue = (e: QueueChangedEvent) => {
      if (e.siteId !== siteId) return;
      const verdict = tracker.site(e.seq);
      if (verdict === 'resync') void resync();
      else if (verdict === 'apply') scheduleRefresh();
    };
    const onUpdated = (e: TicketUpdatedEvent) => {
      if (e.ticket.id !== ticketId) return;
      const verdict = tracker.ticket(e.seq);
      // A late event of an earlier step (the GET or a later event already showed more) would move the
      // screen backwards until the next GET: drop it. The same step still applies (position, estimate,
      // a recall's call time, resume, where a transfer went).
      const shown = ticketRef.current;
      if (!shown || isNotOlder(e.ticket, shown)) setTicket(e.ticket);
      if (verdict === 'resync') void resync();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void resync();
    };

    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('ticket.called', onCalled);
    socket.on('queue.changed', onQueue);
    socket.on('ticket.updated', onUpdated);
    document.addEventListener('visibilitychange', onVisible);
    setConnected(socket.connected);
    void fetchTicket();
    if (socket.disconnected) socket.connect();

    return () => {
      stopped = true;
      inflight?.abort();
      if (timer) clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('ticket.called', onCalled);
      socket.off('queue.changed', onQueue);
      socket.off('ticket.updated', onUpdated);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ticketId, token, setTicket]);

  const resync = useCallback(() => resyncRef.current(), []);
  return { ticket, error, connected, setTicket, resync };
}
