import { Get, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  availabilityBody,
  createUserBody,
  idParams,
  listQuery,
  listUsersQuery,
  userView,
  type CreateUserBody,
  type ListQuery,
  type Role,
  type UpdateUserBody,
  updateUserBody,
} from '@handoff/contracts';
import { z } from 'zod';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { UsersService } from './users.service.js';

const userPage = z.object({ items: z.array(userView), nextCursor: z.string().nullable() });
const usersQuery = listQuery.extend(listUsersQuery.shape);

@ApiTags('users')
@ApiBearerAuth()
@GuardedController()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('users')
  @Roles('admin')
  @Contract({ summary: 'List users (admin)', query: usersQuery, response: userPage })
  list(@Input('query') q: ListQuery & { role?: Role }) {
    return this.users.list(q.role, q.limit, q.cursor);
  }

  @Post('users')
  @Roles('admin')
  @Contract({ summary: 'Create a user of any role (admin)', body: createUserBody, response: userView, status: 201, errors: { 409: 'e-mail already registered' } })
  async create(@CurrentUser() caller: AuthUser, @Input('body') body: CreateUserBody) {
    return this.users.view(await this.users.createUser(body, caller));
  }

  @Get('users/:id')
  @Contract({ summary: 'A user you may see: yourself, your organization, or anyone for admins', params: idParams, response: userView, errors: { 404: 'not found or not yours' } })
  get(@CurrentUser() caller: AuthUser, @Input('params') p: { id: string }) {
    return this.users.getReadable(caller, p.id);
  }

  @Patch('users/:id')
  @Roles('admin')
  @Contract({ summary: 'Suspend or reinstate a user, change an assistant’s skills or capacity (admin)', params: idParams, body: updateUserBody, response: userView })
  update(@CurrentUser() caller: AuthUser, @Input('params') p: { id: string }, @Input('body') body: UpdateUserBody) {
    return this.users.update(caller, p.id, body);
  }

  @Get('organizations/:id')
  @Contract({ summary: 'An organization and its members (its own members and admins)', params: idParams, errors: { 404: 'not found or not yours' } })
  organization(@CurrentUser() caller: AuthUser, @Input('params') p: { id: string }) {
    return this.users.getOrganization(caller, p.id);
  }

  @Put('assistants/me/availability')
  @Roles('assistant')
  @Contract({ summary: 'Go online or offline (assistant)', body: availabilityBody, response: userView })
  availability(@CurrentUser() caller: AuthUser, @Input('body') body: { online: boolean }) {
    return this.users.setAvailability(caller, body.online);
  }
}
