import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Category, Role } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { Cursor } from '../common/http/pagination.js';
import { rowMapper } from '../database/rows.js';
import { query, rowsOf, type Queryable } from '../database/sql.js';
import { Organization } from './organization.entity.js';
import { User } from './user.entity.js';

/** The user's row and its session's state, in one round trip (both probes are index lookups: test/query-plans.e2e-spec.ts). */
export const SESSION_SQL = `SELECT u.id, u.email, u.name, u.role, u.organization_id, u.org_role, u.skills::text AS skills, u.max_concurrent_tasks, u.suspended, u.token_version,
        -- A family's rows share one user: the first row found says whose session it is.
        COALESCE((SELECT r.user_id = u.id FROM refresh_tokens r WHERE r.family_id = $2 LIMIT 1), false)
          AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = $2 AND r.revoked_at IS NOT NULL) AS session_live,
        ((u.role = 'admin' OR COALESCE((SELECT o.require_two_factor FROM organizations o WHERE o.id = u.organization_id), false))
          AND NOT EXISTS (SELECT 1 FROM user_two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL)) AS must_enrol_two_factor
   FROM users u WHERE u.id = $1`;

/** What a session check reads of a user, and whether the token's session (its refresh-token family) exists for this user and was never revoked. */
export interface SessionUser extends Pick<User, 'id' | 'email' | 'name' | 'role' | 'organizationId' | 'orgRole' | 'maxConcurrentTasks' | 'suspended' | 'tokenVersion'> {
  /** As PostgreSQL prints the enum array (`{a,b}`). */
  skills: string;
  sessionLive: boolean;
  /** Two-factor sign-in is required of the user (an admin, or its organization asks) and not yet on. */
  mustEnrolTwoFactor: boolean;
}

const toSessionUser = rowMapper<User, Pick<SessionUser, 'sessionLive' | 'mustEnrolTwoFactor'>>(User, { session_live: 'sessionLive', must_enrol_two_factor: 'mustEnrolTwoFactor' });

/** users. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get users() {
    return this.ds.getRepository(User);
  }

  create(m: EntityManager, user: Partial<User>): Promise<User> {
    return m.save(m.create(User, user));
  }

  byId(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** Locked for the caller's transaction. */
  lockById(m: EntityManager, id: string): Promise<User | null> {
    return m.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  byEmailWithHash(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  inOrganization(organizationId: string): Promise<User[]> {
    return this.users.find({ where: { organizationId }, order: { createdAt: 'ASC' } });
  }

  /**
   * Who may read a task's conversation now: the clients of its organization, its
   * current assignee and the admins, none suspended.
   */
  async taskReaders(organizationId: string, assigneeId: string | null, m: Queryable = this.ds): Promise<Pick<User, 'id' | 'name' | 'email' | 'role'>[]> {
    return query<Pick<User, 'id' | 'name' | 'email' | 'role'>>(
      m,
      `SELECT id, name, email, role FROM users
        WHERE NOT suspended AND (role = 'admin' OR (role = 'client' AND organization_id = $1) OR id = $2::uuid)
        ORDER BY created_at, id`,
      [organizationId, assigneeId],
    );
  }

  /** Who answers for an organization's settings: its owners; with no organization, the platform's admins. None suspended. */
  async ownersOf(organizationId: string | null, m: Queryable = this.ds): Promise<Pick<User, 'id'>[]> {
    return query<Pick<User, 'id'>>(
      m,
      `SELECT id FROM users
        WHERE NOT suspended AND CASE WHEN $1::uuid IS NULL THEN role = 'admin' ELSE role = 'client' AND organization_id = $1 AND org_role = 'owner' END
        ORDER BY created_at, id`,
      [organizationId],
    );
  }

  /** Who to tell, and how: names, addresses and roles of these users (suspended ones left out). */
  async contacts(ids: readonly string[], m: Queryable = this.ds): Promise<Pick<User, 'id' | 'name' | 'email' | 'role' | 'emailVerifiedAt'>[]> {
    if (!ids.length) return [];
    // Planned on each call, not prepared: the relay calls it with lists of any length.
    return rowsOf<Pick<User, 'id' | 'name' | 'email' | 'role' | 'emailVerifiedAt'>>(
      await m.query(`SELECT id, name, email, role, email_verified_at AS "emailVerifiedAt" FROM users WHERE id = ANY($1::uuid[]) AND NOT suspended`, [ids]),
    );
  }

  /** Newest first, paged on (created_at, id), each with its organization's name. */
  async page(role: Role | undefined, cursor: Cursor | null, limit: number): Promise<{ user: User; organizationName: string | null; cursorAt: string }[]> {
    const qb = this.users
      .createQueryBuilder('u')
      .leftJoinAndMapOne('u.organization', Organization, 'o', 'o.id = u.organizationId')
      .orderBy('u.createdAt', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .take(limit + 1);
    if (role) qb.andWhere('u.role = :role', { role });
    if (cursor) qb.andWhere('(u.created_at, u.id) < (:at::timestamptz, :id::uuid)', { at: cursor.at, id: cursor.id });
    qb.addSelect('u.created_at::text', 'cursor_at');
    const { entities, raw } = await qb.getRawAndEntities<{ cursor_at: string }>();
    // One row per user (the join is to-one), so raw rows line up with the entities.
    return (entities as (User & { organization?: Organization })[]).map((u, i) => ({ user: u, organizationName: u.organization?.name ?? null, cursorAt: raw[i]!.cursor_at }));
  }

  async update(id: string, patch: Partial<User>, m: EntityManager = this.ds.manager): Promise<void> {
    await m.update(User, { id }, patch);
  }

  /** Adds a skill to an assistant (a passed qualification), once. */
  async addSkill(id: string, category: Category, m: Queryable = this.ds): Promise<void> {
    await query(m, `UPDATE users SET skills = array_append(skills, $2::task_category) WHERE id = $1 AND role = 'assistant' AND NOT (skills @> ARRAY[$2::task_category])`, [id, category]);
  }

  /** Proves the address, if the account still has it; the account as verified, or null. */
  async markEmailVerified(id: string, email: string): Promise<{ email: string; emailVerifiedAt: Date } | null> {
    const [row] = await query<{ email: string; email_verified_at: Date }>(
      this.ds,
      `UPDATE users SET email_verified_at = COALESCE(email_verified_at, now())
        WHERE id = $1 AND lower(email) = lower($2) RETURNING email, email_verified_at`,
      [id, email],
    );
    return row ? { email: row.email, emailVerifiedAt: row.email_verified_at } : null;
  }

  /** A new password hash and the next token version (ending every session); false when the user is gone. */
  async changePassword(id: string, passwordHash: string): Promise<boolean> {
    const changed = await this.users.createQueryBuilder().update(User).set({ passwordHash, tokenVersion: () => 'token_version + 1' }).where('id = :id', { id }).execute();
    return Boolean(changed.affected);
  }

  /** SESSION_SQL: prepared, as it runs on every request the session cache misses. */
  async session(userId: string, sessionId: string, q: Queryable = this.ds): Promise<SessionUser | undefined> {
    const [row] = await query<Record<string, unknown>>(q, SESSION_SQL, [userId, sessionId]);
    return row ? (toSessionUser(row) as unknown as SessionUser) : undefined;
  }
}
