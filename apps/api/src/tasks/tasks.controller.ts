import { Get, Headers, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import {
  checklistStepParams,
  checklistTickBody,
  createTaskBody,
  idParams,
  listQuery,
  listTasksQuery,
  quoteBody,
  quoteResponse,
  returnTaskBody,
  reviseTaskBody,
  taskChecklistView,
  taskView,
  type ChecklistTickBody,
  type CreateTaskBody,
  type ListQuery,
  type ListTasksQuery,
  type QuoteBody,
} from '@handoff/contracts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { IdempotencyService, isReplayed } from '../common/http/idempotency.js';
import { GuardedController } from '../common/http/global-guards.js';
import { byUser, RateLimit } from '../common/rate-limit/rate-limit.js';
import { TasksService } from './tasks.service.js';

const taskPage = z.object({ items: z.array(taskView), nextCursor: z.string().nullable() });
const MOVED = { 404: 'not found or not yours', 409: 'the task is in another state; the body names it' };

@ApiTags('tasks')
@ApiBearerAuth()
@GuardedController('tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post('quote')
  @Roles('client')
  @Contract({ summary: 'The fixed price a task would get now, and what is left of the organization’s monthly budget', body: quoteBody, response: quoteResponse })
  quote(@CurrentUser() user: AuthUser, @Input('body') body: QuoteBody) {
    return this.tasks.quote(user, body.category, body.priority);
  }

  @Post()
  @Roles('client')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'the same key within 24 h returns the first answer and creates nothing new' })
  @Contract({
    summary: 'Submit a task, written out or from a template (its version pinned, its inputs checked); it is priced from the rate card and queued',
    body: createTaskBody,
    response: taskView,
    status: 201,
    errors: {
      403: 'only clients submit tasks; only an owner sends approveOverage',
      404: 'template (or version) not found or not yours',
      409: 'the template is archived',
      422: 'no rate for the category, or `code: budget_exceeded`: committed spend would pass a monthly budget by the amount named',
    },
  })
  async create(
    @CurrentUser() user: AuthUser,
    @Input('body') body: CreateTaskBody,
    @Headers('idempotency-key') rawKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = IdempotencyService.validateKey(rawKey);
    const result = await this.idempotency.run(user.id, key, body, 201, (m) => this.tasks.submit(user, body, m));
    if (isReplayed(result)) {
      void reply.status(result.statusCode).header('idempotent-replayed', 'true');
      return result.body;
    }
    return result;
  }

  @Get()
  @Contract({ summary: 'Tasks you may see: your organization’s (client), yours (assistant), all (admin)', query: listTasksQuery, response: taskPage })
  list(@CurrentUser() user: AuthUser, @Input('query') q: ListTasksQuery) {
    return this.tasks.list(user, q);
  }

  @Get('available')
  @Roles('assistant')
  @Contract({ summary: 'Queued tasks in your skills, by priority, then deadline, then age', query: listQuery, response: taskPage })
  available(@CurrentUser() user: AuthUser, @Input('query') q: ListQuery) {
    return this.tasks.available(user, q.limit);
  }

  @Post('claim-next')
  @Roles('assistant')
  @RateLimit({ name: 'claim', limit: (c) => c.rateLimits.claim, tracker: byUser })
  @Contract({ summary: 'Claim the best queued task for you; 204 when there is none', response: taskView, errors: { 204: 'nothing to claim', 422: 'over capacity' } })
  async claimNext(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) reply: FastifyReply) {
    const task = await this.tasks.claimNext(user);
    if (!task) {
      void reply.status(204);
      return undefined;
    }
    return task;
  }

  @Get(':id')
  @Contract({ summary: 'A task with its history', params: idParams, response: taskView, errors: { 404: 'not found or not yours' } })
  get(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.tasks.get(user, p.id);
  }

  @Post(':id/claim')
  @Roles('assistant')
  @RateLimit({ name: 'claim', limit: (c) => c.rateLimits.claim, tracker: byUser })
  @Contract({ summary: 'Claim a queued task; exactly one assistant wins', params: idParams, response: taskView, errors: { ...MOVED, 422: 'outside your skills or over capacity' } })
  claim(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.tasks.claim(user, p.id);
  }

  @Post(':id/start')
  @Roles('assistant')
  @Contract({ summary: 'Start work on a task you claimed', params: idParams, response: taskView, errors: MOVED })
  start(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.tasks.act(user, p.id, 'start');
  }

  @Post(':id/release')
  @Roles('assistant')
  @Contract({ summary: 'Give a claimed task back to the queue', params: idParams, response: taskView, errors: MOVED })
  release(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.tasks.act(user, p.id, 'release');
  }

  @Post(':id/return')
  @Roles('assistant')
  @Contract({
    summary: 'Return the work; on time is fixed at the first return; every required checklist step must be ticked',
    params: idParams,
    body: returnTaskBody,
    response: taskView,
    errors: { ...MOVED, 422: 'required checklist steps not ticked; `missing` lists them' },
  })
  return(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: { result: string }) {
    return this.tasks.act(user, p.id, 'return', body);
  }

  @Put(':id/checklist/:stepId')
  @Contract({
    summary: 'Tick (done: true) or untick a step of the checklist, with an optional note: the assignee, while the task is in progress',
    params: checklistStepParams,
    body: checklistTickBody,
    response: taskChecklistView,
    errors: { 403: 'not the assignee', 404: 'task or step not found, or not yours', 409: 'the task is not in progress' },
  })
  tick(@CurrentUser() user: AuthUser, @Input('params') p: { id: string; stepId: string }, @Input('body') body: ChecklistTickBody) {
    return this.tasks.tick(user, p.id, p.stepId, body);
  }

  @Post(':id/accept')
  @Roles('client')
  @Contract({ summary: 'Accept returned work', params: idParams, response: taskView, errors: MOVED })
  accept(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.tasks.act(user, p.id, 'accept');
  }

  @Post(':id/revise')
  @Roles('client')
  @Contract({ summary: 'Send returned work back to the same assistant with feedback', params: idParams, body: reviseTaskBody, response: taskView, errors: MOVED })
  revise(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: { feedback: string }) {
    return this.tasks.act(user, p.id, 'revise', body);
  }

  @Post(':id/cancel')
  @Roles('client', 'admin')
  @Contract({ summary: 'Cancel a task before work starts', params: idParams, response: taskView, errors: MOVED })
  cancel(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.tasks.act(user, p.id, 'cancel');
  }
}
