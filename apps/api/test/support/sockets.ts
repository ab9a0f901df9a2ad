import type { ServerEventName, ServerToClientEvents } from '@handoff/contracts';
import { io, type Socket } from 'socket.io-client';

export interface Received {
  event: ServerEventName;
  payload: any;
}

/** A real socket.io-client that records every event it receives, in order. */
export class LiveClient {
  readonly received: Received[] = [];
  private constructor(readonly socket: Socket<ServerToClientEvents>) {
    socket.onAny((event: ServerEventName, payload: unknown) => this.received.push({ event, payload }));
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

  of(event: ServerEventName, taskId?: string): Received[] {
    return this.received.filter((r) => r.event === event && (!taskId || (r.payload.task?.id ?? r.payload.taskId ?? r.payload.entry?.taskId) === taskId));
  }

  close(): void {
    this.socket.close();
  }
}
