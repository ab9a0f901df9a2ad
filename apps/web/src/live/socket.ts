import type { ClientToServerEvents, ServerToClientEvents, SessionRenewAck } from '@handoff/contracts';
import { io, type Socket } from 'socket.io-client';
import { getAccessToken } from '../api/token-store';

export type HandoffSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * What the live layer needs from a socket. The real Socket.IO client satisfies
 * it; tests pass a small fake that emits connect / disconnect by hand.
 */
export interface LiveSocket {
  readonly connected: boolean;
  /** False after the server refused the handshake: Socket.IO will not retry on its own. */
  readonly active: boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener?: (...args: never[]) => void): unknown;
  connect(): unknown;
  disconnect(): unknown;
  /** Re-authenticate the open socket with a fresh access token, so the server keeps it past the old one's expiry. */
  emit(event: 'session.renew', payload: { token: string }, ack: (result: SessionRenewAck) => void): unknown;
}

export type SocketFactory = () => LiveSocket;

export const createLiveSocket: SocketFactory = () => {
  const socket: HandoffSocket = io(window.location.origin, {
    path: '/socket.io',
    // A function, so every reconnect presents the current token rather than the one from sign-in.
    auth: (cb) => cb({ token: getAccessToken() }),
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
  });
  return socket as unknown as LiveSocket;
};
