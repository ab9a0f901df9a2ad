import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CreateUserBody, OrgRole, Page, RegisterBody, Role, UpdateUserBody, UserView } from '@handoff/contracts';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { hashPassword } from '../common/auth/password.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { assertReadable } from '../common/auth/access.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { SessionService } from '../common/auth/session.service.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { OrganizationsRepository } from './organizations.repository.js';
import type { User } from './user.entity.js';
import { UsersRepository } from './users.repository.js';
import { toUserView } from './user.view.js';

type NewUser = Pick<CreateUserBody, 'email' | 'password' | 'name' | 'role' | 'organizationName' | 'organizationId' | 'skills'>;

function isUniqueViolation(e: unknown): boolean {
  return e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505';
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionService,
    private readonly users: UsersRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly audit: AuditRepository,
  ) {}

  async register(body: RegisterBody): Promise<User> {
    return this.createUser(body);
  }

  /** One path for every new account, self-registered or admin-made (`actor`: the admin, recorded in the audit log). */
  async createUser(body: NewUser, actor?: AuthUser): Promise<User> {
    const passwordHash = await hashPassword(body.password);
    try {
      return await this.ds.transaction(async (m: EntityManager) => {
        let organizationId: string | null = null;
        let orgRole: OrgRole | null = null;
        if (body.role === 'client') {
          if (body.organizationId) {
            const org = await this.organizations.byId(body.organizationId, m);
            if (!org) throw new NotFoundException('organization not found');
            organizationId = org.id;
            orgRole = 'member';
          } else {
            // Whoever makes an organization owns it.
            const org = await this.organizations.create(m, body.organizationName!);
            organizationId = org.id;
            orgRole = 'owner';
          }
        }
        const saved = await this.users.create(m, {
          email: body.email,
          passwordHash,
          name: body.name,
          role: body.role,
          organizationId,
          orgRole,
          skills: body.role === 'assistant' ? (body.skills ?? []) : [],
          maxConcurrentTasks: this.config.defaultMaxConcurrentTasks,
        });
        if (actor) {
          await this.audit.record(m, actor, {
            action: 'user.create',
            targetType: 'user',
            targetId: saved.id,
            details: { email: saved.email, role: saved.role, organizationId: saved.organizationId },
          });
        }
        return saved;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictException('email is already registered');
      throw e;
    }
  }

  async findByEmailWithHash(email: string): Promise<User | null> {
    return this.users.byEmailWithHash(email);
  }

  /** A new password hash; the token version moves on, so every session and remembered device of the user ends. */
  async changePassword(id: string, passwordHash: string): Promise<User | null> {
    const changed = await this.users.changePassword(id, passwordHash);
    await this.sessions.forget(id);
    return changed ? this.findById(id) : null;
  }

  async findById(id: string): Promise<User | null> {
    return this.users.byId(id);
  }

  async organizationName(id: string | null): Promise<string | null> {
    if (!id) return null;
    return (await this.organizations.byId(id))?.name ?? null;
  }

  async view(user: User): Promise<UserView> {
    return toUserView(user, await this.organizationName(user.organizationId));
  }

  async getReadable(caller: AuthUser, id: string): Promise<UserView> {
    const user = await this.findById(id);
    assertReadable(caller, user && { organizationId: user.organizationId, userId: user.id }, 'user');
    // A client reads its own organization's members; assistants read only themselves.
    if (caller.role === 'assistant' && user!.id !== caller.id) throw new NotFoundException('user not found');
    return this.view(user!);
  }

  async getOrganization(caller: AuthUser, id: string): Promise<{ id: string; name: string; createdAt: string; members: UserView[] }> {
    const org = await this.organizations.byId(id);
    assertReadable(caller, org && { organizationId: org.id }, 'organization');
    if (caller.role === 'assistant') throw new NotFoundException('organization not found');
    const members = await this.users.inOrganization(org!.id);
    return { id: org!.id, name: org!.name, createdAt: org!.createdAt.toISOString(), members: members.map((m) => toUserView(m, org!.name)) };
  }

  async list(role: Role | undefined, limit: number, cursorRaw: string | undefined): Promise<Page<UserView>> {
    const cursor = decodeCursor(cursorRaw);
    const rows = await this.users.page(role, cursor, limit);
    return toPage(rows, limit, (r) => toUserView(r.user, r.organizationName), (r) => ({ at: r.cursorAt, id: r.user.id }));
  }

  async update(caller: AuthUser, id: string, body: UpdateUserBody): Promise<UserView> {
    await this.ds.transaction(async (m: EntityManager) => {
      // Locked so the audit record's "from" values are the ones this change replaced.
      const user = await this.users.lockById(m, id);
      if (!user) throw new NotFoundException('user not found');
      if (user.id === caller.id && body.suspended) throw new ForbiddenException('admins cannot suspend themselves');
      if ((body.skills || body.maxConcurrentTasks) && user.role !== 'assistant') {
        throw new ConflictException('skills and maxConcurrentTasks apply to assistants only');
      }
      const patch: Partial<User> = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (body.skills) {
        patch.skills = body.skills;
        changes.skills = { from: user.skills, to: body.skills };
      }
      if (body.maxConcurrentTasks) {
        patch.maxConcurrentTasks = body.maxConcurrentTasks;
        changes.maxConcurrentTasks = { from: user.maxConcurrentTasks, to: body.maxConcurrentTasks };
      }
      if (body.suspended !== undefined && body.suspended !== user.suspended) {
        patch.suspended = body.suspended;
        changes.suspended = { from: user.suspended, to: body.suspended };
        // Suspension revokes every token the user holds, right away.
        if (body.suspended) patch.tokenVersion = user.tokenVersion + 1;
        if (body.suspended && user.role === 'assistant') patch.online = false;
      }
      if (!Object.keys(patch).length) return;
      await this.users.update(id, patch, m);
      const action = changes.suspended ? (body.suspended ? 'user.suspend' : 'user.reinstate') : 'user.update';
      await this.audit.record(m, caller, { action, targetType: 'user', targetId: id, details: { email: user.email, changes } });
    });
    // This instance acts on the change (its kept row, its open sockets) before its answer leaves; the others
    // when the trigger's notice arrives.
    await this.sessions.forget(id);
    return this.view((await this.findById(id))!);
  }

  async setAvailability(caller: AuthUser, online: boolean): Promise<UserView> {
    await this.users.update(caller.id, { online, lastSeenAt: new Date() });
    return this.view((await this.findById(caller.id))!);
  }
}
