/**
 * Light board sockets for fan-out benches, in a process of their own (forked by the bench): raw WebSocket
 * clients speaking socket.io's wire protocol (engine.io v4) just far enough to watch a site and note when
 * each `ticket.called` frame arrives. Rationale: a full socket.io client decodes every frame (~20 µs each);
 * 10,000 of them on the 2 cores the server also uses would measure the client, not the server.
 *
 * They watch as the web board does (`countsInCalls`: the counts come with each call, not in a second frame).
 *
 * Protocol used: open packet `0{…}` → send `40/hall,` → `40/hall,{sid}` → `42/hall,<id>["site:watch",{…}]`
 * → ack `43/hall,<id>[…]`; ping `2` answered `3`; events arrive as `42/hall,["ticket.called",{…}]`.
 *
 * Messages from the parent: { connect: { url, count, siteId } } → { connected }; { lastFrame: true } →
 * { lastFrameAt }; { reset: true } → { reset } (forgets the frames so far); { report: true } →
 * { times: number[][] } (per socket, the wall-clock ms of each ticket.called, in order); { close: true }.
 * It also sends { call, done } when every one of its sockets has received call number `call` (0-based).
 */
import WebSocket from 'ws';

/** Rationale: connects in waves, as a hall's boards and phones do after a restart, not 10,000 at once. */
const WAVE = 200;

const sockets: WebSocket[] = [];
let times: number[][] = [];
/** Per call, how many sockets have its frame. */
let received: number[] = [];
let lastFrameAt = 0;

/** Wall-clock ms with sub-ms precision: comparable with the parent's, which stamps the call it sends. */
const wallNow = () => performance.timeOrigin + performance.now();

/** A socket's k-th frame is call k's (calls are sequential): count per call, and say when all have it. */
function frameArrived(socket: number): void {
  const k = (times[socket]?.length ?? 0) - 1;
  received[k] = (received[k] ?? 0) + 1;
  if (received[k] === times.length) process.send?.({ call: k, done: true });
}

function openOne(url: string, siteId: string, index: number): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('board socket did not watch within 30 s')), 30_000);
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text === '2') return ws.send('3');
      if (text.startsWith('0')) return ws.send('40/hall,');
      if (text.startsWith('40/hall,')) return ws.send(`42/hall,1["site:watch",${JSON.stringify({ siteId, countsInCalls: true })}]`);
      if (text.startsWith('43/hall,1')) {
        clearTimeout(timer);
        return resolve(ws);
      }
      if (text.startsWith('44/hall,')) return reject(new Error(`refused: ${text}`));
      if (text.startsWith('42/hall,["ticket.called"')) {
        lastFrameAt = wallNow();
        times[index]?.push(lastFrameAt);
        frameArrived(index);
      }
    });
  });
}

process.on('message', async (m: { connect?: { url: string; count: number; siteId: string }; report?: true; close?: true; lastFrame?: true; reset?: true }) => {
  if (m.connect) {
    const { url, count, siteId } = m.connect;
    times = Array.from({ length: count }, () => []);
    for (let start = 0; start < count; start += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, count - start) }, (_, i) => openOne(url, siteId, start + i));
      sockets.push(...(await Promise.all(wave)));
    }
    process.send?.({ connected: sockets.length });
  } else if (m.lastFrame) {
    process.send?.({ lastFrameAt });
  } else if (m.reset) {
    times = times.map(() => []);
    received = [];
    process.send?.({ reset: true });
  } else if (m.report) {
    process.send?.({ times });
  } else if (m.close) {
    for (const s of sockets) s.terminate();
    process.exit(0);
  }
});
