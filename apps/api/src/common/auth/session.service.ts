import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { UsersRepository, type SessionUser } from '../../users/users.repository.js';
import type { AuthUser } from './auth-user.js';
import { TokensService } from './tokens.service.js';

type UserRow = Omit<SessionUser, 'sessionLive'>;

/** Written by the users triggers (migration SessionNotify) at the commit of any change a session depends on. */
export const USER_CHANGED_CHANNEL = 'handoff_user_changed';
/** Written by the refresh_tokens trigger (migration SessionEnded) when a session's family is revoked. */
export const SESSION_ENDED_CHANNEL = 'handoff_session_ended';
const MAX_CACHED = 10_000;
const RELISTEN_MS = 1_000;

/** What a change notice is about: one user, one session, or (after notices may have been missed) everyone. */
export type SessionChange = { userId: string } | { sessionId: string } | { everyone: true };

/** Why a token does not (or no longer) open a session. */
export type SessionRefusal = 'invalid' | 'revoked' | 'signed_out';

export type SessionCheck =
  | { ok: true; user: AuthUser; sessionId: string; tokenVersion: number; /** epoch ms */ expiresAt: number }
  | { ok: false; reason: SessionRefusal };

/**
 * Turns a token into the current user; used by the HTTP guard and the socket gateway alike.
 *
 * A token names its user and its session (the refresh-token family it was issued with). The
 * user's row and the session's state are read from PostgreSQL in one statement and kept for
 * `SESSION_CACHE` (2 s by default), which saves that round trip on nearly every request. Kept
 * answers are only trusted while this process is LISTENing for changes: a suspension, a revoked
 * token version, a deleted account or an ended session is dropped on every instance at commit,
 * whoever made the change, and the instance that made it drops it before answering. Without a
 * live listener (not yet connected, or the connection dropped) every request reads, as with the
 * cache off.
 *
 * Whoever holds something longer than a request (the socket gateway) subscribes with `onChange`
 * and hears each change once it has been dropped here.
 */
@Injectable()
export class SessionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('sessions');
  private readonly kept = new Map<string, { row: UserRow; until: number }>();
  /** session id → whether it is live, and for which user. */
  private readonly sessions = new Map<string, { userId: string; live: boolean; until: number }>();
  private readonly subscribers = new Set<(change: SessionChange) => unknown>();
  /** Bumped by every invalidation, so a read that raced one is used once but not kept. */
  private generationCount = 0;
  private listener: pg.Client | null = null;
  private listening = false;
  private outage = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly tokens: TokensService,
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Serving starts with the listener up (or known down), so the first requests already use the cache. */
  async onApplicationBootstrap(): Promise<void> {
    // Workers authenticate nobody and hold no sockets: no listener. The others listen even with the
    // cache off, since open sockets are ended by the notices.
    if (this.config.role !== 'worker') await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.dropAll();
    await this.listener?.end().catch(() => undefined);
  }

  /** Changes every kept answer has seen so far; a holder compares it to learn whether one raced its check. */
  get generation(): number {
    return this.generationCount;
  }

  /**
   * True while a change reaches this process as a notice: the listener is up and the cache is on
   * (`SESSION_CACHE=0` is the setting for a pooler that loses notices). Otherwise a holder must recheck.
   */
  get noticesArrive(): boolean {
    return this.listening && this.config.sessionCacheMs > 0;
  }

  async authenticate(token: string): Promise<AuthUser | null> {
    const checked = await this.check(token);
    return checked.ok ? checked.user : null;
  }

  async check(token: string): Promise<SessionCheck> {
    const claims = await this.tokens.verify(token);
    if (!claims) return { ok: false, reason: 'invalid' };
    let row: UserRow | undefined = this.keptUser(claims.sub);
    let live = this.keptSession(claims.sid, claims.sub);
    if (!row || live === undefined) {
      const read = await this.read(claims.sub, claims.sid);
      row = read;
      live = read?.sessionLive ?? false;
    }
    if (!row || row.suspended || row.tokenVersion !== claims.tv || row.role !== claims.role) return { ok: false, reason: 'revoked' };
    if (!live) return { ok: false, reason: 'signed_out' };
    return {
      ok: true,
      sessionId: claims.sid,
      tokenVersion: claims.tv,
      expiresAt: claims.exp * 1000,
      user: {
        id: row.id,
        email: row.email,
        name: row.name,
        role: row.role,
        organizationId: row.organizationId,
        orgRole: row.orgRole ?? null,
        skills: parsePgArray(row.skills) as AuthUser['skills'],
        maxConcurrentTasks: row.maxConcurrentTasks,
        ...(row.mustEnrolTwoFactor ? { mustEnrolTwoFactor: true } : {}),
      },
    };
  }

  /** Hear every change after it was dropped here; answers the unsubscribe. */
  onChange(fn: (change: SessionChange) => unknown): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /**
   * Drop one user's row here at once, and wait until this process's holders (open sockets) have
   * acted on it; other instances hear of it from the trigger.
   */
  forget(userId: string): Promise<void> {
    this.generationCount++;
    this.kept.delete(userId);
    return this.tell({ userId });
  }

  /** A session ended (signed out, or its refresh token reused): like `forget`, for the session. */
  ended(sessionId: string): Promise<void> {
    this.generationCount++;
    this.sessions.delete(sessionId);
    return this.tell({ sessionId });
  }

  private async tell(change: SessionChange): Promise<void> {
    await Promise.all(
      [...this.subscribers].map(async (fn) => {
        try {
          await fn(change);
        } catch (e) {
          this.logger.warn(`acting on a session change failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
  }

  private keptUser(id: string): UserRow | undefined {
    if (!this.listening) return undefined;
    const hit = this.kept.get(id);
    if (hit && hit.until > Date.now()) return hit.row;
    if (hit) this.kept.delete(id);
    return undefined;
  }

  private keptSession(sid: string, userId: string): boolean | undefined {
    if (!this.listening) return undefined;
    const hit = this.sessions.get(sid);
    if (hit && hit.until > Date.now() && hit.userId === userId) return hit.live;
    if (hit && hit.until <= Date.now()) this.sessions.delete(sid);
    return undefined;
  }

  private async read(userId: string, sid: string): Promise<SessionUser | undefined> {
    const generation = this.generationCount;
    const row = await this.users.session(userId, sid);
    if (row && this.listening && this.config.sessionCacheMs > 0 && generation === this.generationCount) {
      const until = Date.now() + this.config.sessionCacheMs;
      const { sessionLive, ...user } = row;
      keep(this.kept, userId, { row: user, until });
      keep(this.sessions, sid, { userId, live: sessionLive, until });
    }
    return row;
  }

  private dropAll(): void {
    this.listening = false;
    this.generationCount++;
    this.kept.clear();
    this.sessions.clear();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'handoff-sessions' });
    this.listener = client;
    const lost = (why: string) => {
      if (this.listener !== client) return;
      const wasListening = this.listening;
      this.listener = null;
      this.dropAll();
      if (this.stopped) return;
      // Once per outage, not once per retry.
      if (wasListening) {
        this.outage = true;
        this.logger.warn(`session change listener lost (${why}); reading every session until it is back`);
      }
      void client.end().catch(() => undefined);
      this.retry = setTimeout(() => void this.listen(), RELISTEN_MS);
      this.retry.unref();
    };
    client.on('error', (e) => lost(e.message));
    client.on('end', () => lost('connection closed'));
    client.on('notification', (n) => {
      if (!n.payload) return;
      if (n.channel === USER_CHANGED_CHANNEL) void this.forget(n.payload);
      else if (n.channel === SESSION_ENDED_CHANNEL) void this.ended(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${USER_CHANGED_CHANNEL}; LISTEN ${SESSION_ENDED_CHANNEL}`);
      if (this.listener === client && !this.stopped) {
        if (this.outage) this.logger.log('session change listener back; sessions are kept again');
        this.outage = false;
        this.listening = true;
        // Whatever changed while nobody listened was not announced here: holders check everything once.
        void this.tell({ everyone: true });
      }
    } catch (e) {
      lost(e instanceof Error ? e.message : String(e));
    }
  }
}

function keep<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_CACHED && !map.has(key)) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** `{a,b}` → ['a','b'] for enum arrays, which node-postgres returns as text. */
export function parsePgArray(raw: string | string[] | null): string[] {
  if (Array.isArray(raw)) return raw;
  if (!raw || raw === '{}') return [];
  return raw.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
}
