import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import { rooms, type ClientToServerEvents, type ServerToClientEvents, type SessionEndReason, type SessionRenewAck } from '@handoff/contracts';
import type { Server, Socket } from 'socket.io';
import type { AuthUser } from '../common/auth/auth-user.js';
import { SessionService, type SessionChange, type SessionCheck, type SessionRefusal } from '../common/auth/session.service.js';
import { LiveEvents } from './live-events.js';

interface SocketData {
  user: AuthUser;
  /** The token the socket was opened (or last renewed) with, and what it said. */
  token: string;
  sessionId: string;
  /** Epoch ms: the socket ends here unless it renews. */
  expiresAt: number;
  /** `SessionService.generation` before the handshake's check: a change since may have raced it. */
  checkedAt: number;
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type Checked = Extract<SessionCheck, { ok: true }>;

/** While change notices cannot be trusted (listener down, or cache off), open sockets are checked this often. */
const RECHECK_MS = 1_000;
/** During an outage every check fails; say so this often, not once per socket. */
const WARN_EVERY_MS = 10_000;
/** setTimeout's ceiling; a longer lifetime is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The rooms a user may read; the server alone decides them. */
export function roomsFor(user: AuthUser): string[] {
  const list = [rooms.user(user.id)];
  if (user.role === 'admin') list.push(rooms.admins);
  if (user.role === 'client' && user.organizationId) list.push(rooms.org(user.organizationId));
  if (user.role === 'assistant') list.push(...user.skills.map((s) => rooms.skill(s)));
  return list;
}

function endReason(refusal: SessionRefusal): SessionEndReason {
  switch (refusal) {
    case 'invalid':
      return 'unauthorized';
    case 'revoked':
      return 'revoked';
    case 'signed_out':
      return 'signed_out';
  }
}

/**
 * The Socket.IO gateway. A socket lives as long as the access it was opened with: it is ended
 * (with `session.ended` first, saying why) when its token expires without a `session.renew`, when
 * its session ends, and when its user is suspended, deleted, or given a new role or token version;
 * a change of skills moves it between skill rooms instead. Changes arrive from SessionService:
 * at once for those made by this process, by the database's notices for the rest.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger('realtime');
  private readonly byUser = new Map<string, Set<LiveSocket>>();
  private readonly bySession = new Map<string, Set<LiveSocket>>();
  private readonly timers = new Map<LiveSocket, NodeJS.Timeout>();
  /** Each socket's checks run one after another, so a renewal and a notice cannot overwrite each other. */
  private readonly queues = new Map<LiveSocket, Promise<void>>();
  private readonly retries = new Map<LiveSocket, NodeJS.Timeout>();
  private lastWarning = 0;
  private unsubscribe?: () => void;
  private recheckTimer?: NodeJS.Timeout;
  private rechecking = false;

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
      const checkedAt = this.sessions.generation;
      this.sessions.check(token).then(
        (checked) => {
          if (!checked.ok) return next(new Error('unauthorized: the token is invalid or expired'));
          // Like every HTTP route but enrolment: no live events before a required second factor is set up.
          if (checked.user.mustEnrolTwoFactor) return next(new Error('two_factor_enrollment_required: set up two-factor sign-in first'));
          (socket as LiveSocket).data = { user: checked.user, token, sessionId: checked.sessionId, expiresAt: checked.expiresAt, checkedAt };
          next();
        },
        (e: unknown) => {
          this.logger.warn(`handshake failed: ${e instanceof Error ? e.message : String(e)}`);
          next(new Error('unavailable: retry shortly'));
        },
      );
    });
    this.unsubscribe = this.sessions.onChange((change) => this.changed(change));
    this.recheckTimer = setInterval(() => {
      if (!this.sessions.noticesArrive) void this.recheckEveryone();
    }, RECHECK_MS);
    this.recheckTimer.unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    clearInterval(this.recheckTimer);
    for (const timer of [...this.timers.values(), ...this.retries.values()]) clearTimeout(timer);
    this.timers.clear();
    this.retries.clear();
  }

  async handleConnection(socket: LiveSocket): Promise<void> {
    const data = socket.data as SocketData | undefined;
    if (!data?.user) {
      socket.disconnect(true);
      return;
    }
    this.index(socket);
    socket.on('disconnect', () => this.forget(socket));
    socket.on('session.renew', (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: SessionRenewAck) => void) : () => undefined;
      void this.serially(socket, () => this.renew(socket, payload, reply));
    });
    this.arm(socket);
    await socket.join(roomsFor(data.user));
    // A change committed while the handshake read the user may have found no socket to act on.
    if (this.sessions.generation !== data.checkedAt) await this.recheck(socket);
  }

  /** Sockets on this instance the change is about; each is checked again. */
  private async changed(change: SessionChange): Promise<void> {
    let targets: Iterable<LiveSocket>;
    if ('userId' in change) targets = this.byUser.get(change.userId) ?? [];
    else if ('sessionId' in change) targets = this.bySession.get(change.sessionId) ?? [];
    else targets = [...this.byUser.values()].flatMap((set) => [...set]);
    await Promise.all([...targets].map((s) => this.recheck(s)));
  }

  private async recheckEveryone(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      await this.changed({ everyone: true });
    } finally {
      this.rechecking = false;
    }
  }

  private recheck(socket: LiveSocket): Promise<void> {
    return this.serially(socket, async () => {
      if (!socket.connected) return;
      let checked: SessionCheck;
      try {
        checked = await this.sessions.check(socket.data.token);
      } catch (e) {
        this.couldNotCheck(socket, e);
        return;
      }
      if (!checked.ok) return this.end(socket, Date.now() >= socket.data.expiresAt ? 'expired' : endReason(checked.reason));
      await this.adopt(socket, socket.data.token, checked);
    });
  }

  /** The database did not answer: keep the socket (its expiry still holds) and ask again shortly. */
  private couldNotCheck(socket: LiveSocket, e: unknown): void {
    if (Date.now() - this.lastWarning > WARN_EVERY_MS) {
      this.lastWarning = Date.now();
      this.logger.warn(`could not check a socket's session, trying again: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Without notices every socket is checked each second anyway; one retry per socket otherwise.
    if (!this.sessions.noticesArrive || this.retries.has(socket)) return;
    const timer = setTimeout(() => {
      this.retries.delete(socket);
      void this.recheck(socket);
    }, RECHECK_MS);
    timer.unref();
    this.retries.set(socket, timer);
  }

  private async renew(socket: LiveSocket, payload: unknown, reply: (r: SessionRenewAck) => void): Promise<void> {
    if (!socket.connected) return;
    const token = payload && typeof payload === 'object' ? (payload as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || !token) {
      reply({ ok: false, reason: 'unauthorized' });
      return this.end(socket, 'unauthorized');
    }
    let checked: SessionCheck;
    try {
      checked = await this.sessions.check(token);
    } catch {
      // The current token still holds until its expiry; the client may try again.
      reply({ ok: false, reason: 'unavailable' });
      return;
    }
    // Only the socket's own user may carry it on: another user's token is as bad as a forged one.
    if (!checked.ok || checked.user.id !== socket.data.user.id) {
      const reason = checked.ok ? 'unauthorized' : endReason(checked.reason);
      reply({ ok: false, reason });
      return this.end(socket, reason);
    }
    await this.adopt(socket, token, checked);
    reply({ ok: true, expiresAt: new Date(checked.expiresAt).toISOString() });
  }

  /** Take what a passing check says: the user as it is now (rooms follow), the session, the expiry. */
  private async adopt(socket: LiveSocket, token: string, checked: Checked): Promise<void> {
    if (!socket.connected) return;
    this.unindex(socket);
    socket.data = { ...socket.data, user: checked.user, token, sessionId: checked.sessionId, expiresAt: checked.expiresAt };
    this.index(socket);
    this.arm(socket);
    const want = new Set(roomsFor(checked.user));
    for (const room of [...socket.rooms]) {
      if (room !== socket.id && !want.has(room)) await socket.leave(room);
    }
    const missing = [...want].filter((r) => !socket.rooms.has(r));
    if (missing.length) await socket.join(missing);
  }

  /** Tell the client why, then end the socket; Socket.IO does not reconnect a socket the server ended. */
  private end(socket: LiveSocket, reason: SessionEndReason): void {
    if (!socket.connected) return;
    socket.emit('session.ended', { reason });
    socket.disconnect(true);
  }

  private arm(socket: LiveSocket): void {
    clearTimeout(this.timers.get(socket));
    const left = socket.data.expiresAt - Date.now();
    const timer = setTimeout(() => {
      if (Date.now() >= socket.data.expiresAt) this.end(socket, 'expired');
      else this.arm(socket);
    }, Math.min(Math.max(0, left), MAX_TIMER_MS));
    timer.unref();
    this.timers.set(socket, timer);
  }

  private serially(socket: LiveSocket, fn: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(socket) ?? Promise.resolve()).then(fn);
    const settled: Promise<void> = run
      .catch((e: unknown) => this.logger.warn(`socket check failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        // Only chains in flight are kept.
        if (this.queues.get(socket) === settled) this.queues.delete(socket);
      });
    this.queues.set(socket, settled);
    return settled;
  }

  private index(socket: LiveSocket): void {
    add(this.byUser, socket.data.user.id, socket);
    add(this.bySession, socket.data.sessionId, socket);
  }

  private unindex(socket: LiveSocket): void {
    remove(this.byUser, socket.data.user.id, socket);
    remove(this.bySession, socket.data.sessionId, socket);
  }

  private forget(socket: LiveSocket): void {
    this.unindex(socket);
    clearTimeout(this.timers.get(socket));
    clearTimeout(this.retries.get(socket));
    this.timers.delete(socket);
    this.retries.delete(socket);
    this.queues.delete(socket);
  }
}

function add(map: Map<string, Set<LiveSocket>>, key: string, socket: LiveSocket): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(socket);
}

function remove(map: Map<string, Set<LiveSocket>>, key: string, socket: LiveSocket): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(socket);
  if (!set.size) map.delete(key);
}
