/**
 * An SMS gateway on a local port: the one outbound side effect with no local counterpart. It records what
 * it was asked to send and can be told to fail.
 */
import { createServer } from 'node:http';

export interface GatewayRequest { id: string; to: string; text: string; idempotencyKey: string; accepted: boolean }

export interface FakeGateway {
  url: string;
  /** Every request, accepted or not. */
  requests: GatewayRequest[];
  /** Messages accepted (what a phone would have received). */
  delivered(to?: string): GatewayRequest[];
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startFakeGateway(): Promise<FakeGateway> {
  const requests: GatewayRequest[] = [];
  let failures = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { id: string; to: string; text: string };
      const accepted = failures === 0;
      if (!accepted) failures--;
      requests.push({ ...body, idempotencyKey: String(req.headers['idempotency-key']), accepted });
      res.statusCode = accepted ? 200 : 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(accepted ? { messageId: `gw-${requests.length}` } : { error: 'down' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    requests,
    delivered: (to) => requests.filter((r) => r.accepted && (to === undefined || r.to === to)),
    failNext(n) {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until `check` holds (or throws after `timeoutMs`): for work done by background jobs. */
/** Rationale: a bound on waiting, not a speed assertion; a server boot on a loaded 2-core host can take 20 s. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A clock that runs in real time from a chosen moment: for one-off timers that fire by real delay. */
export function runningClock(start: number) {
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    set(ms: number) {
      offset = ms - Date.now();
    },
  };
}
