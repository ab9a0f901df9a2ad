import { Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  idParams,
  qualificationAttemptBody,
  qualificationAttemptsQuery,
  qualificationAttemptsView,
  qualificationAttemptView,
  qualificationParams,
  qualificationRequirementBody,
  qualificationReviewBody,
  qualificationsView,
  qualificationTaskBody,
  qualificationTasksQuery,
  qualificationTasksView,
  qualificationTaskView,
  qualificationView,
  type Category,
  type QualificationAttemptBody,
  type QualificationAttemptsQuery,
  type QualificationRequirementBody,
  type QualificationReviewBody,
  type QualificationTaskBody,
  type QualificationTasksQuery,
} from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { QualificationsService } from './qualifications.service.js';

@ApiTags('qualifications')
@ApiBearerAuth()
@GuardedController()
export class QualificationsController {
  constructor(private readonly quals: QualificationsService) {}

  @Get('qualifications')
  @Contract({ summary: 'Every category: whether it requires a qualification and how many tasks it has; for an assistant, which they hold', response: qualificationsView })
  list(@CurrentUser() user: AuthUser) {
    return this.quals.list(user);
  }

  @Put('qualifications/:category')
  @Roles('admin')
  @Contract({
    summary: 'Make a category require its qualification to claim or hear of its work, or no longer (admin)',
    params: qualificationParams,
    body: qualificationRequirementBody,
    response: qualificationView,
  })
  setRequirement(@CurrentUser() user: AuthUser, @Input('params') p: { category: Category }, @Input('body') body: QualificationRequirementBody) {
    return this.quals.setRequirement(user, p.category, body.required);
  }

  @Get('qualification-tasks')
  @Roles('assistant', 'admin')
  @Contract({ summary: 'Qualification tasks, of one category or all (reference answers for admins only)', query: qualificationTasksQuery, response: qualificationTasksView })
  listTasks(@CurrentUser() user: AuthUser, @Input('query') q: QualificationTasksQuery) {
    return this.quals.listTasks(user, q.category);
  }

  @Post('qualification-tasks')
  @Roles('admin')
  @Contract({ summary: 'Set a qualification task for a category: instructions, and a reference answer or a rubric (admin)', body: qualificationTaskBody, response: qualificationTaskView, status: 201 })
  createTask(@CurrentUser() user: AuthUser, @Input('body') body: QualificationTaskBody) {
    return this.quals.createTask(user, body);
  }

  @Get('qualification-attempts')
  @Roles('assistant', 'admin')
  @Contract({ summary: 'Qualification attempts, newest first (an assistant’s own; admins every one)', query: qualificationAttemptsQuery, response: qualificationAttemptsView })
  listAttempts(@CurrentUser() user: AuthUser, @Input('query') q: QualificationAttemptsQuery) {
    return this.quals.listAttempts(user, q);
  }

  @Post('qualification-attempts')
  @Roles('assistant')
  @Contract({
    summary: 'Answer a qualification task; one attempt per category waits for review at a time',
    body: qualificationAttemptBody,
    response: qualificationAttemptView,
    status: 201,
    errors: { 404: 'no such qualification task', 409: 'an attempt is waiting for review, or the qualification is held' },
  })
  submitAttempt(@CurrentUser() user: AuthUser, @Input('body') body: QualificationAttemptBody) {
    return this.quals.submitAttempt(user, body);
  }

  @Get('qualification-attempts/:id')
  @Roles('assistant', 'admin')
  @Contract({ summary: 'One qualification attempt (its assistant, admins)', params: idParams, response: qualificationAttemptView, errors: { 404: 'not found or not yours' } })
  getAttempt(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.quals.getAttempt(user, p.id);
  }

  @Post('qualification-attempts/:id/review')
  @Roles('admin')
  @Contract({
    summary: 'Pass or fail an attempt, once (admin); a pass grants the qualification and the skill',
    params: idParams,
    body: qualificationReviewBody,
    response: qualificationAttemptView,
    errors: { 404: 'no such attempt', 409: 'already reviewed' },
  })
  review(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: QualificationReviewBody) {
    return this.quals.review(user, p.id, body);
  }
}
