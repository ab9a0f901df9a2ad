import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { query } from '../../database/sql.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { AuthUser } from './auth-user.js';
import { TokensService } from './tokens.service.js';

interface Row {
  id: string;
  email: string;
  name: string;
  role: AuthUser['role'];
  organization_id: string | null;
  skills: string;
  max_concurrent_tasks: number;
  suspended: boolean;
  token_version: number;
}

/** Written by the users triggers (migration SessionNotify) at the commit of any change a session depends on. */
export const USER_CHANGED_CHANNEL = 'handoff_user_changed';
const MAX_CACHED = 10_000;
const RELISTEN_MS = 1_000;

/**
 * Turns a token into the current user; used by the HTTP guard and the socket handshake alike.
 *
 * The user row is read from PostgreSQL and kept for `SESSION_CACHE` (2 s by default), which saves
 * one round trip on nearly every request. Kept rows are only trusted while this process is
 * LISTENing for user changes: a suspension, a revoked token version or a deleted account drops
 * the row on every instance at commit, whoever made the change. Without a live listener (not yet
 * connected, or the connection dropped) every request reads the row, as with the cache off.
 */
@Injectable()
export class SessionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('sessions');
  private readonly cache = new Map<string, { row: Row; until: number }>();
  /** Bumped by every invalidation, so a read that raced one is used once but not kept. */
  private generation = 0;
  private listener: pg.Client | null = null;
  private listening = false;
  private outage = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly tokens: TokensService,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Serving starts with the listener up (or known down), so the first requests already use the cache. */
  async onApplicationBootstrap(): Promise<void> {
    // Workers authenticate nobody: no listener, no cache.
    if (this.config.sessionCacheMs > 0 && this.config.role !== 'worker') await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.dropAll();
    await this.listener?.end().catch(() => undefined);
  }

  async authenticate(token: string): Promise<AuthUser | null> {
    const claims = await this.tokens.verify(token);
    if (!claims) return null;
    const row = this.kept(claims.sub) ?? (await this.read(claims.sub));
    if (!row || row.suspended || row.token_version !== claims.tv || row.role !== claims.role) return null;
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      organizationId: row.organization_id,
      skills: parsePgArray(row.skills) as AuthUser['skills'],
      maxConcurrentTasks: row.max_concurrent_tasks,
    };
  }

  /** Drop one user's row here at once; other instances hear of it from the trigger. */
  forget(userId: string): void {
    this.generation++;
    this.cache.delete(userId);
  }

  private kept(id: string): Row | undefined {
    if (!this.listening) return undefined;
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.row;
    if (hit) this.cache.delete(id);
    return undefined;
  }

  private async read(id: string): Promise<Row | undefined> {
    const generation = this.generation;
    const rows = await query<Row>(
      this.ds,
      `SELECT id, email, name, role, organization_id, skills::text AS skills, max_concurrent_tasks, suspended, token_version
         FROM users WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (row && this.listening && generation === this.generation) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, { row, until: Date.now() + this.config.sessionCacheMs });
    }
    return row;
  }

  private dropAll(): void {
    this.listening = false;
    this.generation++;
    this.cache.clear();
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
        this.logger.warn(`user change listener lost (${why}); reading every session until it is back`);
      }
      void client.end().catch(() => undefined);
      this.retry = setTimeout(() => void this.listen(), RELISTEN_MS);
      this.retry.unref();
    };
    client.on('error', (e) => lost(e.message));
    client.on('end', () => lost('connection closed'));
    client.on('notification', (n) => {
      if (n.channel === USER_CHANGED_CHANNEL && n.payload) this.forget(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${USER_CHANGED_CHANNEL}`);
      if (this.listener === client && !this.stopped) {
        if (this.outage) this.logger.log('user change listener back; sessions are kept again');
        this.outage = false;
        this.listening = true;
      }
    } catch (e) {
      lost(e instanceof Error ? e.message : String(e));
    }
  }
}

/** `{a,b}` → ['a','b'] for enum arrays, which node-postgres returns as text. */
export function parsePgArray(raw: string | string[] | null): string[] {
  if (Array.isArray(raw)) return raw;
  if (!raw || raw === '{}') return [];
  return raw.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
}
