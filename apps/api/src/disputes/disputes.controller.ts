import { Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  answerDisputeBody,
  disputePage,
  disputeParams,
  disputeView,
  idParams,
  listDisputesQuery,
  openDisputeBody,
  resolveDisputeBody,
  type AnswerDisputeBody,
  type ListDisputesQuery,
  type OpenDisputeBody,
  type ResolveDisputeBody,
} from '@handoff/contracts';
import { z } from 'zod';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { DisputesService } from './disputes.service.js';

@ApiTags('disputes')
@ApiBearerAuth()
@GuardedController()
export class DisputesController {
  constructor(private readonly disputes: DisputesService) {}

  @Post('tasks/:id/dispute')
  @Roles('client')
  @Contract({
    summary: 'Dispute returned work with a reason, instead of accepting or revising it: the review timer stops until an admin resolves it',
    params: idParams,
    body: openDisputeBody,
    response: disputeView,
    status: 201,
    errors: { 404: 'not found or not yours', 409: 'the task is not returned (outside the review window) or already disputed' },
  })
  open(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: OpenDisputeBody) {
    return this.disputes.open(user, p.id, body);
  }

  @Get('tasks/:id/disputes')
  @Contract({
    summary: 'A task’s disputes, newest first (its organization, the assistant disputed, admins)',
    params: idParams,
    response: z.array(disputeView),
    errors: { 404: 'not found or not yours' },
  })
  forTask(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.disputes.forTask(user, p.id);
  }

  @Get('disputes')
  @Roles('admin')
  @Contract({ summary: 'Disputes by status: open ones oldest first (default), resolved ones newest first', query: listDisputesQuery, response: disputePage })
  list(@Input('query') q: ListDisputesQuery) {
    return this.disputes.list(q);
  }

  @Get('disputes/:id')
  @Contract({ summary: 'A dispute (its organization, the assistant disputed, admins)', params: disputeParams, response: disputeView, errors: { 404: 'not found or not yours' } })
  get(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.disputes.get(user, p.id);
  }

  @Post('disputes/:id/answer')
  @Roles('assistant')
  @Contract({
    summary: 'The disputed assistant’s answer, once, while the dispute is open',
    params: disputeParams,
    body: answerDisputeBody,
    response: disputeView,
    errors: { 404: 'not found or not yours', 409: 'resolved or already answered' },
  })
  answer(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: AnswerDisputeBody) {
    return this.disputes.answer(user, p.id, body);
  }

  @Post('disputes/:id/resolve')
  @Roles('admin')
  @Contract({
    summary: 'Resolve a dispute: rework (back to the assignee), refund (amountCents, partial or full; the task is closed as accepted) or reassign (back to the queue)',
    params: disputeParams,
    body: resolveDisputeBody,
    response: disputeView,
    errors: { 404: 'not found', 409: 'already resolved', 422: 'the refund exceeds what is left of the bill, or the task was never charged' },
  })
  resolve(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: ResolveDisputeBody) {
    return this.disputes.resolve(user, p.id, body);
  }
}
