/**
 * The soak's connected sockets, in a process of their own (forked by run.ts): receiving events for 2,000
 * sockets keeps an event loop busy, and on the thread that times the HTTP requests that delay was counted as
 * server latency (the first 60-minute soak's client event loop stalled ~1.4 s at p99).
 *
 * As in a hall: `boards` sockets watch the whole site (display boards, counter screens), the rest are phones
 * that each watch one citizen's ticket. A phone is handed a new ticket when the parent issues one (message
 * `{ watch: { ticketId, accessToken } }`), as the next citizen opens the page.
 */
import { io, type Socket } from 'socket.io-client';

const { urls, count, boards, siteId } = JSON.parse(process.argv[2] ?? '{}') as { urls: string[]; count: number; boards: number; siteId: string };
const sockets: Socket[] = [];
const phones: Socket[] = [];
let nextPhone = 0;
let events = 0;
const byName: Record<string, number> = {};
for (let i = 0; i < count; i++) {
  const s = io(`${urls[i % urls.length]}/hall`, { transports: ['websocket'], forceNew: true });
  sockets.push(s);
  if (i < boards) s.on('connect', () => void s.emitWithAck('site:watch', { siteId }));
  else phones.push(s);
  s.onAny((name: string) => {
    events++;
    byName[name] = (byName[name] ?? 0) + 1;
  });
}
process.on('message', (m: 'count' | 'close' | { watch: { ticketId: string; accessToken: string } }) => {
  if (m === 'count') {
    process.send?.({ connected: sockets.filter((s) => s.connected).length, events, byName });
  } else if (m === 'close') {
    for (const s of sockets) s.disconnect();
    process.send?.({ closed: true }, () => process.exit(0));
  } else if (phones.length > 0) {
    const phone = phones[nextPhone++ % phones.length] as Socket;
    if (phone.connected) void phone.emitWithAck('ticket:watch', m.watch);
  }
});
