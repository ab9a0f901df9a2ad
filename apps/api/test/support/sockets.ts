import type { ServerEventName, ServerToClientEvents } from '@handoff/contracts';
import { io, type Socket } from 'socket.io-client';

export interface Received {
  event: ServerEventName;
  payload: any;
}

/** A real socket.io-client that records every event it receives, in order. */
export class LiveClient {
  readonly received: Received[] = [];
  /** The reason Socket.IO gave when the connection ended (`io server disconnect` when the server ended it). */
  disconnectReason: string | null = null;
  private constructor(readonly socket: Socket<ServerToClientEvents>) {
    socket.onAny((event: ServerEventName, payload: unknown) => this.received.push({ event, payload }));
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
    });
  }

  static connect(url: string, token: string | undefined, opts: { origin?: string } = {}): Promise<LiveClient> {
    const socket = io(url, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: opts.origin ? { origin: opts.origin } : undefined,
    }) as Socket<ServerToClientEvents>;
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new LiveClient(socket)));
      socket.once('connect_error', (e) => {
        socket.close();
        reject(e);
      });
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** The reasons of the `session.ended` events the server sent before ending the socket. */
  get endedBecause(): string[] {
    return this.received.filter((r) => r.event === 'session.ended').map((r) => r.payload.reason as string);
  }

  /** Re-authenticate the open socket; resolves with the server's answer, or rejects when none comes. */
  renew(token: unknown, timeoutMs = 5_000): Promise<unknown> {
    return (this.socket as unknown as Socket).timeout(timeoutMs).emitWithAck('session.renew', { token });
  }

  of(event: ServerEventName, taskId?: string): Received[] {
    return this.received.filter((r) => r.event === event && (!taskId || (r.payload.task?.id ?? r.payload.taskId ?? r.payload.entry?.taskId) === taskId));
  }

  close(): void {
    this.socket.close();
  }
}
