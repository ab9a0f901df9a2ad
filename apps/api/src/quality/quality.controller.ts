import { Delete, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  idParams,
  preferredAssistantParams,
  preferredAssistantsView,
  preferredAssistantView,
  ratingBody,
  ratingView,
  scorecardQuery,
  scorecardView,
  taskRatingView,
  type RatingBody,
  type ScorecardQuery,
} from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { QualityService } from './quality.service.js';

const ORG = { 403: 'assistants have no preferred assistants', 404: 'not found or not yours' };

@ApiTags('quality')
@ApiBearerAuth()
@GuardedController()
export class QualityController {
  constructor(private readonly quality: QualityService) {}

  @Get('tasks/:id/rating')
  @Contract({
    summary: 'A task’s rating, and until when its client may give or change it (its organization, its assistant, admins)',
    params: idParams,
    response: taskRatingView,
    errors: { 404: 'not found or not yours' },
  })
  getRating(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.quality.getRating(user, p.id);
  }

  @Put('tasks/:id/rating')
  @Roles('client')
  @Contract({
    summary: 'Rate accepted work 1–5 with an optional comment, or change the rating, for 7 days after acceptance',
    params: idParams,
    body: ratingBody,
    response: ratingView,
    errors: { 404: 'not found or not yours', 409: 'not accepted, accepted by the review timer, or past the 7 days' },
  })
  rate(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: RatingBody) {
    return this.quality.rate(user, p.id, body);
  }

  @Get('assistants/:id/scorecard')
  @Contract({
    summary: 'An assistant’s scorecard over 30 or 90 days (the assistant and admins: all of it; clients: rating and on-time rate of assistants who worked for them or whom they prefer)',
    params: idParams,
    query: scorecardQuery,
    response: scorecardView,
    errors: { 404: 'not found or not yours' },
  })
  scorecard(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('query') q: ScorecardQuery) {
    return this.quality.scorecard(user, p.id, q.window);
  }

  @Get('organizations/:id/preferred-assistants')
  @Roles('client', 'admin')
  @Contract({
    summary: 'The assistants who returned work for the organization and the ones it prefers, with its head start',
    params: idParams,
    response: preferredAssistantsView,
    errors: ORG,
  })
  listPreferred(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.quality.listPreferred(user, p.id);
  }

  @Put('organizations/:id/preferred-assistants/:assistantId')
  @Roles('client', 'admin')
  @Contract({
    summary: 'Prefer an assistant who returned work for the organization: its new tasks reach them first',
    params: preferredAssistantParams,
    response: preferredAssistantView,
    errors: ORG,
  })
  prefer(@CurrentUser() user: AuthUser, @Input('params') p: { id: string; assistantId: string }) {
    return this.quality.prefer(user, p.id, p.assistantId);
  }

  @Delete('organizations/:id/preferred-assistants/:assistantId')
  @Roles('client', 'admin')
  @Contract({ summary: 'No longer prefer the assistant (204 whether or not they were)', params: preferredAssistantParams, status: 204, errors: ORG })
  async unprefer(@CurrentUser() user: AuthUser, @Input('params') p: { id: string; assistantId: string }): Promise<void> {
    await this.quality.unprefer(user, p.id, p.assistantId);
  }
}
