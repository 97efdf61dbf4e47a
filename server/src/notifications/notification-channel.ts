/**
 * Where a message leaves the system. One small interface: an SMS gateway adapter when configured, and a
 * log channel otherwise, so tests and the demo see exactly what would have been sent (masked phone only).
 */
export interface OutboundMessage {
  /** The outbox row id: the gateway's idempotency key, so a retried send is not delivered twice. */
  id: number;
  to: string;
  toMasked: string;
  text: string;
}

export interface NotificationChannel {
  readonly name: 'sms' | 'log';
  send(message: OutboundMessage): Promise<{ providerMessageId: string | null }>;
}

export class ChannelError extends Error {}

/** Rationale: a gateway slower than this is down for our purposes; the outbox retries later. */
const GATEWAY_TIMEOUT_MS = 5_000;

/**
 * A generic HTTP SMS gateway: `POST <url>` `{ id, to, text }` with `Idempotency-Key: <id>`; any 2xx is
 * accepted, and a JSON body's `messageId` is kept.
 */
export function createSmsGatewayChannel(url: string, fetchImpl: typeof fetch = fetch): NotificationChannel {
  return {
    name: 'sms',
    async send(message) {
      let res: Response;
      try {
        res = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `yc-${message.id}` },
          body: JSON.stringify({ id: String(message.id), to: message.to, text: message.text }),
          signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
        });
      } catch (err) {
        throw new ChannelError(`gateway unreachable: ${(err as Error).name}`);
      }
      if (!res.ok) throw new ChannelError(`gateway answered ${res.status}`);
      const body = (await res.json().catch(() => null)) as { messageId?: unknown } | null;
      return { providerMessageId: typeof body?.messageId === 'string' ? body.messageId : null };
    },
  };
}

export interface LogSink {
  info(obj: Record<string, unknown>, msg: string): void;
}

/** No gateway configured: the message is logged with the masked number and counts as sent. */
export function createLogChannel(log: LogSink): NotificationChannel {
  return {
    name: 'log',
    async send(message) {
      log.info({ outboxId: message.id, to: message.toMasked, text: message.text }, 'notification (no SMS gateway configured: logged, not sent)');
      return { providerMessageId: null };
    },
  };
}
