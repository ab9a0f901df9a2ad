import { Delete, Get, Headers, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import {
  createScheduleBody,
  idParams,
  listQuery,
  listSchedulesQuery,
  pauseScheduleBody,
  schedulePage,
  scheduleRunPage,
  scheduleView,
  updateScheduleBody,
  type CreateScheduleBody,
  type ListQuery,
  type ListSchedulesQuery,
  type PauseScheduleBody,
  type UpdateScheduleBody,
} from '@handoff/contracts';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { IdempotencyService, isReplayed } from '../common/http/idempotency.js';
import { SchedulesService } from './schedules.service.js';

const READ = { 403: 'assistants', 404: 'not found or not yours' };
const WRITE = { 403: 'assistants and admins (clients manage their organization’s schedules)', 404: 'not found or not yours' };

@ApiTags('schedules')
@ApiBearerAuth()
@GuardedController('schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: SchedulesService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Get()
  @Roles('client', 'admin')
  @Contract({ summary: 'Your organization’s recurring schedules (client), or every organization’s (admin), with their next runs', query: listSchedulesQuery, response: schedulePage, errors: READ })
  list(@CurrentUser() user: AuthUser, @Input('query') q: ListSchedulesQuery) {
    return this.schedules.list(user, q);
  }

  @Post()
  @Roles('client')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'the same key within 24 h returns the first answer and creates nothing new' })
  @Contract({
    summary: 'Run a template on a calendar rule in your organization’s time zone; each run submits one task as you',
    body: createScheduleBody,
    response: scheduleView,
    status: 201,
    errors: { 403: 'only clients', 404: 'template or version not found', 409: 'the template is archived', 422: 'the Idempotency-Key was used for another request' },
  })
  async create(
    @CurrentUser() user: AuthUser,
    @Input('body') body: CreateScheduleBody,
    @Headers('idempotency-key') rawKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = IdempotencyService.validateKey(rawKey);
    if (!key) return this.schedules.create(user, body);
    const result = await this.idempotency.run(user.id, key, body, 201, (m) => this.schedules.create(user, body, new Date(), m));
    if (!isReplayed(result)) return result;
    void reply.status(result.statusCode).header('idempotent-replayed', 'true');
    return result.body;
  }

  @Get(':id')
  @Roles('client', 'admin')
  @Contract({ summary: 'A schedule with its next five runs', params: idParams, response: scheduleView, errors: READ })
  get(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.schedules.get(user, p.id);
  }

  @Patch(':id')
  @Roles('client')
  @Contract({ summary: 'Change the rule, version, inputs, priority or name; a new rule counts from now', params: idParams, body: updateScheduleBody, response: scheduleView, errors: { ...WRITE, 409: 'the template is archived' } })
  update(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: UpdateScheduleBody) {
    return this.schedules.update(user, p.id, body);
  }

  @Delete(':id')
  @Roles('client')
  @Contract({ summary: 'Delete a schedule and its run history; the tasks it created stay', params: idParams, status: 204, errors: WRITE })
  async remove(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    await this.schedules.remove(user, p.id);
  }

  @Post(':id/pause')
  @Roles('client')
  @Contract({ summary: 'Pause: no run is created until it is resumed', params: idParams, body: pauseScheduleBody, response: scheduleView, errors: { ...WRITE, 409: 'paused already' } })
  pause(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: PauseScheduleBody) {
    return this.schedules.pause(user, p.id, body);
  }

  @Post(':id/resume')
  @Roles('client')
  @Contract({ summary: 'Resume from the next run after now; runs that fell due while paused are not made up', params: idParams, response: scheduleView, errors: { ...WRITE, 409: 'not paused' } })
  resume(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.schedules.resume(user, p.id);
  }

  @Post(':id/skip')
  @Roles('client')
  @Contract({ summary: 'Skip the next run: it is recorded as skipped and creates no task', params: idParams, response: scheduleView, errors: { ...WRITE, 409: 'paused, or no run left' } })
  skip(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.schedules.skip(user, p.id);
  }

  @Get(':id/runs')
  @Roles('client', 'admin')
  @Contract({ summary: 'Past runs, newest first, with the status of the task each created', params: idParams, query: listQuery, response: scheduleRunPage, errors: READ })
  runs(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('query') q: ListQuery) {
    return this.schedules.listRuns(user, p.id, q);
  }
}
