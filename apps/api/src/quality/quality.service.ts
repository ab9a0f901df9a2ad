import { Injectable, NotFoundException } from '@nestjs/common';
import {
  RATING_EDIT_DAYS,
  type PreferredAssistantView,
  type PreferredAssistantsView,
  type RatingBody,
  type RatingView,
  type ScorecardView,
  type ScorecardWindow,
  type TaskRatingView,
} from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict } from '../common/http/errors.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import type { TaskWithNames } from '../tasks/task.entity.js';
import { TaskEventsRepository } from '../tasks/task-events.repository.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { PreferredAssistantsRepository, type CandidateRow } from './preferred-assistants.repository.js';
import { RatingsRepository, toRatingView } from './ratings.repository.js';

const DAY_MS = 86_400_000;
const EDIT_WINDOW_MS = RATING_EDIT_DAYS * DAY_MS;
/** The candidates a client chooses preferred assistants from, at most. */
const CANDIDATES_MAX = 200;

const rate = (n: number, of: number) => (of ? Math.round((n / of) * 10_000) / 10_000 : null);
const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

function candidateView(c: CandidateRow): PreferredAssistantView {
  return { assistantId: c.assistantId, name: c.name, preferred: c.preferred, preferredAt: c.preferredAt ? c.preferredAt.toISOString() : null, tasksReturned: c.tasksReturned };
}

/** Ratings of accepted work, assistants' scorecards, and the assistants an organization prefers. */
@Injectable()
export class QualityService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly taskEvents: TaskEventsRepository,
    private readonly ratings: RatingsRepository,
    private readonly preferred: PreferredAssistantsRepository,
    private readonly uow: UnitOfWork,
  ) {}

  // ── ratings ──

  /** Who may read a task's rating: its organization, the assistant who did it, admins; to anyone else the task does not exist. */
  private async readableTask(user: AuthUser, id: string): Promise<TaskWithNames> {
    const task = await this.tasks.byId(id);
    const ok =
      task &&
      (user.role === 'admin' || (user.role === 'client' && task.organizationId === user.organizationId) || (user.role === 'assistant' && task.assigneeId === user.id));
    if (!ok) throw new NotFoundException('task not found');
    return task;
  }

  /** Until when the task can be rated: a week after the client accepted it; never when the review timer did. */
  private async editableUntil(task: TaskWithNames): Promise<Date | null> {
    if (task.status !== 'accepted' || !task.acceptedAt) return null;
    const acceptance = (await this.taskEvents.forTask(task.id)).filter((e) => e.toStatus === 'accepted').at(-1);
    if (!acceptance || acceptance.action !== 'accept') return null;
    return new Date(task.acceptedAt.getTime() + EDIT_WINDOW_MS);
  }

  async getRating(user: AuthUser, taskId: string): Promise<TaskRatingView> {
    const task = await this.readableTask(user, taskId);
    const [rating, until] = await Promise.all([this.ratings.forTask(taskId), this.editableUntil(task)]);
    return { taskId, rating: rating ? toRatingView(rating) : null, editableUntil: until ? until.toISOString() : null };
  }

  async rate(user: AuthUser, taskId: string, body: RatingBody): Promise<RatingView> {
    const task = await this.tasks.byId(taskId);
    if (!task || task.organizationId !== user.organizationId) throw new NotFoundException('task not found');
    if (task.status !== 'accepted' || !task.assigneeId) throw new StateConflict('only accepted work can be rated', task.status);
    const until = await this.editableUntil(task);
    if (!until) throw new StateConflict('work accepted by the review timer has no rating', task.status, { reason: 'auto_accepted' });
    if (until.getTime() <= Date.now()) {
      throw new StateConflict(`a rating can be given or changed for ${RATING_EDIT_DAYS} days after acceptance, until ${until.toISOString()}`, task.status, { editableUntil: until.toISOString() });
    }
    const comment = body.comment ? body.comment : null;
    const row = await this.uow.transaction((m) =>
      this.ratings.upsert(m, { taskId, organizationId: task.organizationId, assistantId: task.assigneeId!, stars: body.stars, comment, ratedBy: user.id }),
    );
    return toRatingView(row);
  }

  // ── scorecards ──

  /**
   * The assistant themself and admins read it all; a client only the rating and
   * on-time rate, and only of assistants who returned work for its organization
   * or whom it prefers. Anyone else: not found.
   */
  async scorecard(user: AuthUser, assistantId: string, windowDays: ScorecardWindow): Promise<ScorecardView> {
    let full: boolean;
    if (user.role === 'admin' || (user.role === 'assistant' && user.id === assistantId)) full = true;
    else if (user.role === 'client' && user.organizationId) {
      const rel = await this.preferred.relation(user.organizationId, assistantId);
      if (!rel.isAssistant || (!rel.preferred && rel.tasksReturned === 0)) throw new NotFoundException('assistant not found');
      full = false;
    } else throw new NotFoundException('assistant not found');
    const to = new Date();
    const from = new Date(to.getTime() - windowDays * DAY_MS);
    const c = await this.ratings.scorecard(assistantId, from);
    if (!c) throw new NotFoundException('assistant not found');
    const limited: ScorecardView = {
      assistantId,
      windowDays,
      from: from.toISOString(),
      to: to.toISOString(),
      onTimeRate: rate(c.onTime, c.tasksDone),
      averageRating: round2(c.averageRating),
      ratingCount: c.ratingCount,
    };
    if (!full) return limited;
    return {
      ...limited,
      tasksDone: c.tasksDone,
      firstPassRate: rate(c.firstPass, c.tasksDone),
      revisionsPerTask: c.tasksDone ? round2(c.revisions / c.tasksDone) : null,
    };
  }

  // ── preferred assistants ──

  /** Its own organization's clients and admins; anyone else is told it does not exist. */
  private async ownOrganization(user: AuthUser, organizationId: string): Promise<number> {
    const headStart = user.role === 'admin' || user.organizationId === organizationId ? await this.preferred.headStartOf(organizationId) : null;
    if (headStart === null) throw new NotFoundException('organization not found');
    return headStart;
  }

  async listPreferred(user: AuthUser, organizationId: string): Promise<PreferredAssistantsView> {
    const headStartSeconds = await this.ownOrganization(user, organizationId);
    const rows = await this.preferred.candidates(organizationId, CANDIDATES_MAX);
    return { organizationId, headStartSeconds, items: rows.map(candidateView) };
  }

  /**
   * A client marks an assistant who returned work for its organization (anyone
   * else is not found to it, so ids cannot be probed); an admin any assistant.
   */
  async prefer(user: AuthUser, organizationId: string, assistantId: string): Promise<PreferredAssistantView> {
    await this.ownOrganization(user, organizationId);
    const rel = await this.preferred.relation(organizationId, assistantId);
    if (!rel.isAssistant || (user.role !== 'admin' && !rel.preferred && rel.tasksReturned === 0)) throw new NotFoundException('assistant not found');
    await this.preferred.add(organizationId, assistantId, user.id);
    return this.candidate(organizationId, assistantId);
  }

  /** Like marking, idempotent: an assistant not (or no longer) preferred is simply not. */
  async unprefer(user: AuthUser, organizationId: string, assistantId: string): Promise<void> {
    await this.ownOrganization(user, organizationId);
    await this.preferred.remove(organizationId, assistantId);
  }

  private async candidate(organizationId: string, assistantId: string): Promise<PreferredAssistantView> {
    const found = (await this.preferred.candidates(organizationId, CANDIDATES_MAX)).find((c) => c.assistantId === assistantId);
    if (!found) throw new NotFoundException('assistant not found');
    return candidateView(found);
  }
}
