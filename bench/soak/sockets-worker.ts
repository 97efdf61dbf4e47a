/**
 * The soak's connected sockets, on a thread of their own: receiving every board event for 2,000 sockets
 * keeps an event loop busy, and on the thread that times the HTTP requests that delay was counted as
 * server latency (the first 60-minute soak's client event loop stalled ~1.4 s at p99).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';

const { urls, count, siteId } = workerData as { urls: string[]; count: number; siteId: string };
const sockets: Socket[] = [];
let events = 0;
for (let i = 0; i < count; i++) {
  const s = io(`${urls[i % urls.length]}/hall`, { transports: ['websocket'], forceNew: true });
  sockets.push(s);
  s.on('connect', () => void s.emitWithAck('site:watch', { siteId }));
  s.onAny(() => void events++);
}
parentPort?.on('message', (m: string) => {
  if (m === 'count') {
    parentPort?.postMessage({ connected: sockets.filter((s) => s.connected).length, events });
  } else if (m === 'close') {
    for (const s of sockets) s.disconnect();
    parentPort?.postMessage({ closed: true });
  }
});
