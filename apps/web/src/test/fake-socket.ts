import type { SessionRenewAck } from '@handoff/contracts';
import type { LiveSocket } from '../live/socket';

type Listener = (...args: never[]) => void;

/** A stand-in for the Socket.IO client whose connection the test drives by hand. */
export class FakeSocket implements LiveSocket {
  connected = false;
  active = true;
  disconnectCalls = 0;
  connectCalls = 0;
  /** What the client sent the server, in order. */
  readonly sent: { event: string; payload: unknown }[] = [];
  /** How the pretend server answers `session.renew`. */
  renewAnswer: (token: string) => SessionRenewAck = () => ({ ok: true, expiresAt: new Date(Date.now() + 900_000).toISOString() });
  private readonly listeners = new Map<string, Set<Listener>>();

  on(event: string, listener: Listener): this {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }

  off(event: string, listener?: Listener): this {
    if (listener) this.listeners.get(event)?.delete(listener);
    else this.listeners.delete(event);
    return this;
  }

  connect(): this {
    this.connectCalls += 1;
    return this;
  }

  disconnect(): this {
    this.disconnectCalls += 1;
    this.connected = false;
    return this;
  }

  /** The client sending to the server. */
  emit(event: 'session.renew', payload: { token: string }, ack: (result: SessionRenewAck) => void): this {
    this.sent.push({ event, payload });
    ack(this.renewAnswer(payload.token));
    return this;
  }

  /** Play an event as if the server (or the transport) had sent it. */
  serverSends(event: string, ...args: unknown[]): void {
    if (event === 'connect') this.connected = true;
    if (event === 'disconnect') this.connected = false;
    for (const l of [...(this.listeners.get(event) ?? [])]) (l as (...a: unknown[]) => void)(...args);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
