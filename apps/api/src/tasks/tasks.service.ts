import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CATEGORY_LABELS, planTransition, type CreateTaskBody, type ListTasksQuery, type Page, type TaskView } from '@handoff/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict, UnprocessableRule } from '../common/http/errors.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { GroupCommit } from '../database/group-commit.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { claimInput, systemMove, userMove, type SystemAction, type UserAction } from './moves.js';
import type { TaskWithNames } from './task.entity.js';
import { RatingsRepository, toRatingView } from '../quality/ratings.repository.js';
import { TaskEventsRepository } from './task-events.repository.js';
import { toTaskView } from './task.view.js';
import { submission, TasksRepository, type ClaimOutcome, type Submission, type TransitionInput } from './tasks.repository.js';

export type { UserAction } from './moves.js';

@Injectable()
export class TasksService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly events: TaskEventsRepository,
    private readonly ratings: RatingsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
  ) {}

  /**
   * Insert the task at the price the rate card gives now, with its trail and
   * its `task.submitted`. On its own, with the submissions around it in one
   * statement; inside a caller's unit of work (an idempotent submit), alone in it.
   */
  async submit(user: AuthUser, body: CreateTaskBody, m?: EntityManager): Promise<TaskView> {
    const sub = submission(user, body);
    const row = m ? (await this.tasks.submit([sub], m))[0] : await this.submissions.add(sub);
    if (!row) throw new UnprocessableRule(`there is no rate for ${body.category}; ask an admin to set one`);
    return toTaskView(row);
  }

  /** Submissions commit together; a task whose category has no rate gets no row, and its caller undefined. */
  private readonly submissions = new GroupCommit<Submission, TaskWithNames | undefined>(async (subs) => {
    const rows = await this.uow.commit(() => this.tasks.submit(subs));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return subs.map((s) => byId.get(s.id));
  });

  /** Submissions and claim-next calls handed in and not answered yet (a test waits for all it sent to be gathered). */
  pending(): { submissions: number; claims: number } {
    return { submissions: this.submissions.size, claims: this.claims.size };
  }

  async list(user: AuthUser, q: ListTasksQuery): Promise<Page<TaskView>> {
    const rows = await this.tasks.list({
      organizationId: user.role === 'client' ? user.organizationId : undefined,
      assigneeId: user.role === 'assistant' ? user.id : undefined,
      status: q.status,
      category: q.category,
      cursor: decodeCursor(q.cursor),
      limit: q.limit,
    });
    return toPage(rows, q.limit, (r) => toTaskView(r), (r) => ({ at: r.cursorAt, id: r.id }));
  }

  /** Queued work in the assistant's skills, best first. */
  async available(user: AuthUser, limit: number): Promise<Page<TaskView>> {
    const rows = await this.tasks.queued(user.skills, limit);
    return { items: rows.map((r) => toTaskView(r)), nextCursor: null };
  }

  /** Who may see a task: its organization, its assignee, assistants while it is queued in their skills, admins. */
  private readable(user: AuthUser, task: TaskWithNames | null): task is TaskWithNames {
    if (!task) return false;
    switch (user.role) {
      case 'admin':
        return true;
      case 'client':
        return task.organizationId === user.organizationId;
      case 'assistant':
        return task.assigneeId === user.id || (task.status === 'queued' && user.skills.includes(task.category));
    }
  }

  private async loadReadable(user: AuthUser, id: string): Promise<TaskWithNames> {
    const task = await this.tasks.byId(id);
    if (!this.readable(user, task)) throw new NotFoundException('task not found');
    return task;
  }

  async get(user: AuthUser, id: string): Promise<TaskView> {
    const task = await this.loadReadable(user, id);
    const [events, rating] = await Promise.all([this.events.forTask(id), task.status === 'accepted' ? this.ratings.forTask(id) : null]);
    return { ...toTaskView(task, events), rating: rating ? toRatingView(rating) : null };
  }

  private conflict(task: TaskWithNames, message: string): never {
    throw new StateConflict(message, task.status, { version: task.version });
  }

  async claim(user: AuthUser, id: string): Promise<TaskView> {
    const task = await this.tasks.byId(id);
    if (!task) throw new NotFoundException('task not found');
    const hasSkill = user.skills.includes(task.category);
    if (task.status !== 'queued' && task.assigneeId !== user.id) {
      // Only an assistant who could have seen it queued learns that it was taken; to anyone else it does not exist.
      if (hasSkill) this.conflict(task, `the task is already ${task.status.replace('_', ' ')}`);
      throw new NotFoundException('task not found');
    }
    if (!hasSkill) throw new UnprocessableRule(`${CATEGORY_LABELS[task.category]} is not one of your skills`);
    if (task.status !== 'queued') this.conflict(task, `you already hold this task; it is ${task.status.replace('_', ' ')}`);
    // The claim itself, with the capacity check in the same statement.
    const claimed = this.checkClaim(await this.uow.commit(() => this.tasks.claim(claimInput(user.id, id), user.id), (o) => !!o?.row));
    if (!claimed) {
      const now = await this.tasks.byId(id);
      this.conflict(now ?? task, 'another assistant claimed it first');
    }
    return toTaskView(claimed);
  }

  /** The best queued task for this assistant, claimed; null when there is none. */
  async claimNext(user: AuthUser): Promise<TaskView | null> {
    if (!user.skills.length) throw new UnprocessableRule('you have no skills yet; ask an admin to add some');
    const claimed = this.checkClaim(await this.claims.add({ assistantId: user.id, skills: user.skills }));
    return claimed ? toTaskView(claimed) : null;
  }

  /** claim-next calls commit together: one call of the claiming function for all the assistants waiting. */
  private readonly claims = new GroupCommit<{ assistantId: string; skills: readonly string[] }, ClaimOutcome | null>(async (reqs) => {
    return this.uow.commit(
      () => this.tasks.claimNext(reqs),
      (outcomes) => outcomes.some((o) => o?.row),
    );
  });

  /** A claim's outcome as the caller hears it: the task, or why there is none (null alone: nothing to take). */
  private checkClaim(result: ClaimOutcome | null): TaskWithNames | null {
    if (!result || result.capacity.suspended) throw new ForbiddenException('the account is suspended');
    const { row, capacity } = result;
    if (!row && capacity.active >= capacity.max) {
      throw new UnprocessableRule(`you already hold ${capacity.active} active task(s), your capacity is ${capacity.max}`);
    }
    return row;
  }

  /** start, release, return, accept, revise, cancel (claims have their own path): checked against the state machine, then one conditional update. */
  async act(user: AuthUser, id: string, action: UserAction, input: { result?: string; feedback?: string } = {}): Promise<TaskView> {
    const task = await this.loadReadable(user, id);
    const plan = planTransition(action, { role: user.role, userId: user.id, organizationId: user.organizationId }, {
      status: task.status,
      organizationId: task.organizationId,
      assigneeId: task.assigneeId,
    });
    if (!plan.ok) {
      if (plan.reason === 'forbidden') throw new ForbiddenException(plan.message);
      this.conflict(task, plan.message);
    }
    const spec: TransitionInput = {
      taskId: id,
      move: userMove(action, input, this.config.platformFeeBps),
      from: plan.from,
      to: plan.to,
      actor: { id: user.id, role: user.role },
      note: action === 'revise' ? input.feedback : null,
      previousAssigneeId: task.assigneeId,
    };
    if (action === 'start' || action === 'release' || action === 'return') spec.assigneeId = user.id;
    const next = await this.uow.commit(() => this.tasks.transition(spec), (moved) => moved !== null);
    if (!next) {
      const now = await this.tasks.byId(id);
      this.conflict(now ?? task, `the task changed to ${(now ?? task).status.replace('_', ' ')} before this could happen`);
    }
    return toTaskView(next);
  }

  /** Timer-driven moves; a stale version or state makes them a no-op. */
  async systemTransition(taskId: string, action: 'expire' | 'auto_accept', version: number): Promise<TaskWithNames | null> {
    const current = await this.tasks.byId(taskId);
    const from = action === 'expire' ? 'claimed' : 'returned';
    if (!current || current.status !== from || current.version !== version) return null;
    return this.timerMove(action, current);
  }

  /** Deadline passed and not yet returned: flag it (a version bump, so screens update). */
  async markOverdue(taskId: string): Promise<TaskWithNames | null> {
    const current = await this.tasks.byId(taskId);
    if (!current || !['queued', 'claimed', 'in_progress'].includes(current.status) || current.overdue) return null;
    return this.timerMove('overdue', current);
  }

  /** Queued and unclaimed past half its time: raise the priority one step and tell admins. */
  async escalate(taskId: string): Promise<TaskWithNames | null> {
    const current = await this.tasks.byId(taskId);
    if (!current || current.status !== 'queued' || current.escalated) return null;
    return this.timerMove('escalate', current);
  }

  private async timerMove(action: SystemAction, current: TaskWithNames): Promise<TaskWithNames | null> {
    const { move, from, to, note } = systemMove(action, current);
    const input: TransitionInput = {
      taskId: current.id,
      move,
      from,
      to,
      actor: { id: null, role: 'system' },
      note,
      // Escalation never had an assignee to tell.
      previousAssigneeId: action === 'escalate' ? null : current.assigneeId,
    };
    return this.uow.commit(() => this.tasks.transition(input), (moved) => moved !== null);
  }
}
