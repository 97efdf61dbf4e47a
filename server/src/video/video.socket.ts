/**
 * `/hall` additions of the video module. Every signed-in staff socket joins its own `staff:<id>` room (where
 * `assist.ringing` and `assist.updated` arrive), and an expert's console announces itself available with
 * `expert:presence { online }`. When the last console of an expert that said it was online disconnects, the
 * expert goes offline, so nobody is rung who cannot answer.
 */
import type { FastifyInstance } from 'fastify';
import type { StaffUser } from '../contracts/dto.ts';
import { hallRooms } from '../contracts/events.ts';
import { ExpertPresencePayload, type VideoHallClientToServer } from '../contracts/video.ts';
import { ackError, payloadChecker } from '../lib/socket-ack.ts';
import type { AssistService } from './assist.service.ts';

interface VideoSocketData {
  /** Set by the `/hall` handshake middleware (queue.socket.ts). */
  staff: StaffUser | null;
  /** This connection declared its expert online. */
  presence?: boolean;
}

const checkPresence = payloadChecker(ExpertPresencePayload);

export function attachVideoSocket(app: FastifyInstance, assist: AssistService): void {
  const hall = app.io.of('/hall');

  hall.on('connection', (socket) => {
    const data = socket.data as VideoSocketData;
    const staff = data.staff;
    if (staff) void socket.join(hallRooms.staff(staff.id));

    const on = socket as unknown as { on<E extends keyof VideoHallClientToServer>(event: E, listener: (...args: Parameters<VideoHallClientToServer[E]>) => void): void };
    on.on('expert:presence', async (payload, ack) => {
      const bad = checkPresence(payload);
      if (bad) return ackError(ack, bad);
      if (!staff) return ackError(ack, { code: 'UNAUTHENTICATED' });
      const result = await assist.setPresence(staff, payload.online).catch((err: unknown) => {
        app.log.error({ err }, 'expert presence failed');
        return { ok: false as const, error: { code: 'UNAVAILABLE' as const } };
      });
      if (!result.ok) return ackError(ack, result.error);
      data.presence = payload.online;
      ack?.({ data: result.value });
    });

    socket.on('disconnect', () => {
      if (!staff || !data.presence) return;
      void (async () => {
        // Another console of the same expert (this node or another) still online keeps it available.
        const others = await hall.in(hallRooms.staff(staff.id)).fetchSockets();
        if (others.some((s) => s.id !== socket.id && (s.data as VideoSocketData).presence)) return;
        await assist.setPresence(staff, false);
      })().catch((err: unknown) => app.log.error({ err }, 'expert presence on disconnect failed'));
    });
  });
}
