/**
 * The soak's connected sockets, in a process of their own (forked by run.ts): receiving every board event for 2,000 sockets
 * keeps an event loop busy, and on the thread that times the HTTP requests that delay was counted as
 * server latency (the first 60-minute soak's client event loop stalled ~1.4 s at p99).
 */
import { io, type Socket } from 'socket.io-client';

const { urls, count, siteId } = JSON.parse(process.argv[2] ?? '{}') as { urls: string[]; count: number; siteId: string };
const sockets: Socket[] = [];
let events = 0;
const byName: Record<string, number> = {};
for (let i = 0; i < count; i++) {
  const s = io(`${urls[i % urls.length]}/hall`, { transports: ['websocket'], forceNew: true });
  sockets.push(s);
  s.on('connect', () => void s.emitWithAck('site:watch', { siteId }));
  s.onAny((name: string) => {
    events++;
    byName[name] = (byName[name] ?? 0) + 1;
  });
}
process.on('message', (m: string) => {
  if (m === 'count') {
    process.send?.({ connected: sockets.filter((s) => s.connected).length, events, byName });
  } else if (m === 'close') {
    for (const s of sockets) s.disconnect();
    process.send?.({ closed: true }, () => process.exit(0));
  }
});
