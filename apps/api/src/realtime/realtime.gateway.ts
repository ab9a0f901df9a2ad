import { Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import { rooms, type ClientToServerEvents, type ServerToClientEvents } from '@handoff/contracts';
import type { Server, Socket } from 'socket.io';
import type { AuthUser } from '../common/auth/auth-user.js';
import { SessionService } from '../common/auth/session.service.js';
import { LiveEvents } from './live-events.js';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { user: AuthUser }>;

/** The rooms a user may read; the server alone decides them. */
export function roomsFor(user: AuthUser): string[] {
  const list = [rooms.user(user.id)];
  if (user.role === 'admin') list.push(rooms.admins);
  if (user.role === 'client' && user.organizationId) list.push(rooms.org(user.organizationId));
  if (user.role === 'assistant') list.push(...user.skills.map((s) => rooms.skill(s)));
  return list;
}

@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger('realtime');

  constructor(
    private readonly sessions: SessionService,
    private readonly live: LiveEvents,
  ) {}

  afterInit(server: Server): void {
    this.live.attach(server);
    // Authenticate in the handshake: a socket without a valid token never connects.
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || !token) return next(new Error('unauthorized: a token is required'));
      this.sessions.authenticate(token).then(
        (user) => {
          if (!user) return next(new Error('unauthorized: the token is invalid or expired'));
          (socket as LiveSocket).data.user = user;
          next();
        },
        (e: unknown) => {
          this.logger.warn(`handshake failed: ${e instanceof Error ? e.message : String(e)}`);
          next(new Error('unavailable: retry shortly'));
        },
      );
    });
  }

  async handleConnection(socket: LiveSocket): Promise<void> {
    const user = socket.data.user;
    if (!user) {
      socket.disconnect(true);
      return;
    }
    await socket.join(roomsFor(user));
  }
}
