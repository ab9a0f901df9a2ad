import { ForbiddenException, HttpException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CATEGORY_LABELS, QUALIFICATION_REQUIRED_CODE, isAwaitingReturn, planTransition, type ChecklistTickBody, type CreateTaskBody, type ListTasksQuery, type QuoteResponse, type Page, type TaskChecklistView, type TaskView } from '@handoff/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict, UnprocessableRule } from '../common/http/errors.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { assertMayManageBudget, BudgetExceeded, BudgetsService, type Admission } from '../budgets/budgets.service.js';
import { GroupCommit } from '../database/group-commit.js';
import { RateCardService } from '../rate-card/rate-card.service.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { claimInput, systemMove, userMove, type SystemAction, type UserAction } from './moves.js';
import type { TaskWithNames } from './task.entity.js';
import { OrganizationSettingsService } from '../organizations/organization-settings.service.js';
import { AssistantQualificationsRepository } from '../qualifications/assistant-qualifications.repository.js';
import { RatingsRepository, toRatingView } from '../quality/ratings.repository.js';
import { TaskEventsRepository } from './task-events.repository.js';
import { TemplatesService } from '../templates/templates.service.js';
import { TaskChecklistStepsRepository } from './task-checklist-steps.repository.js';
import { toChecklistView, toTaskView } from './task.view.js';
import { submission, TasksRepository, type ClaimOutcome, type Submission, type TaskContent, type TransitionInput } from './tasks.repository.js';

export type { UserAction } from './moves.js';

interface BudgetedSubmission {
  sub: Submission;
  approved: boolean;
}

type BudgetedOutcome = TaskWithNames | Exclude<Admission, { ok: true }>;

function refusedBy(content: TaskContent, outcome: Exclude<Admission, { ok: true }>): HttpException {
  if ('refusal' in outcome) return new BudgetExceeded(outcome.refusal);
  return new UnprocessableRule(`there is no rate for ${content.category}; ask an admin to set one`);
}

@Injectable()
export class TasksService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly events: TaskEventsRepository,
    private readonly ratings: RatingsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly steps: TaskChecklistStepsRepository,
    private readonly templates: TemplatesService,
    private readonly budgets: BudgetsService,
    private readonly rates: RateCardService,
    private readonly organizations: OrganizationSettingsService,
    private readonly qualifications: AssistantQualificationsRepository,
  ) {}

  /**
   * Insert the task at the price the rate card gives now, with its trail and
   * its `task.submitted`. On its own, with the submissions around it in one
   * statement; inside a caller's unit of work (an idempotent submit), alone in it.
   * The statement leaves out a task with a budget to check (SUBMIT_SQL): that one
   * goes again through the budget's check, and an overage an owner approved goes
   * there at once.
   */
  async submit(user: AuthUser, body: CreateTaskBody, m?: EntityManager): Promise<TaskView> {
    const approved = body.approveOverage === true;
    if (approved) assertMayManageBudget(user, 'approve an overage');
    const content = await this.contentOf(user, body);
    const sub = submission(user, content);
    let row: TaskWithNames | undefined;
    if (m) {
      if (!approved) row = (await this.tasks.submit([sub], m))[0];
      row ??= this.admitted(content, (await this.submitBudgeted([{ sub, approved }], m))[0]!);
    } else {
      if (!approved) row = await this.submissions.add(sub);
      row ??= this.admitted(content, await this.budgeted.add({ sub, approved }));
    }
    return toTaskView(row);
  }

  private admitted(content: TaskContent, outcome: BudgetedOutcome): TaskWithNames {
    if ('id' in outcome) return outcome;
    throw refusedBy(content, outcome);
  }

  /**
   * Tasks filled in already (a schedule pass's runs), in the caller's
   * transaction: all in one statement, and the ones with a budget to check
   * through the check together. Each answers its row, or the 422 its own
   * request would have met (over budget, no rate), in order.
   */
  async submitMany(subs: readonly Submission[], m: EntityManager): Promise<(TaskWithNames | HttpException)[]> {
    const rows = new Map((subs.length ? await this.tasks.submit(subs, m) : []).map((r) => [r.id, r]));
    const rest = subs.filter((s) => !rows.has(s.id));
    const outcomes = rest.length ? await this.submitBudgeted(rest.map((sub) => ({ sub, approved: false })), m) : [];
    const checked = new Map(rest.map((s, i) => [s.id, outcomes[i]!]));
    return subs.map((s) => {
      const row = rows.get(s.id);
      if (row) return row;
      const outcome = checked.get(s.id)!;
      return 'id' in outcome ? outcome : refusedBy(s.body, outcome);
    });
  }

  /**
   * Submissions checked against their budgets, in the caller's transaction: the
   * organizations locked, each counted with the ones before it (several of one
   * organization in one batch too), the ones that fit inserted in one statement.
   */
  private async submitBudgeted(items: readonly BudgetedSubmission[], m: EntityManager): Promise<BudgetedOutcome[]> {
    const admissions = await this.budgets.admit(
      m,
      items.map(({ sub, approved }) => ({
        organizationId: sub.organizationId,
        templateId: sub.body.template?.templateId ?? null,
        category: sub.body.category,
        priority: sub.body.priority,
        approved,
      })),
    );
    const admitted = items.filter((_, i) => admissions[i]!.ok).map(({ sub }) => ({ ...sub, budgetChecked: true }));
    const byId = new Map((admitted.length ? await this.tasks.submit(admitted, m) : []).map((r) => [r.id, r]));
    return items.map(({ sub }, i) => {
      const a = admissions[i]!;
      if (!a.ok) return a;
      return byId.get(sub.id) ?? { ok: false, noRate: true };
    });
  }

  /** Budgeted submissions commit together too, in one transaction under their organizations' locks. */
  private readonly budgeted = new GroupCommit<BudgetedSubmission, BudgetedOutcome>((items) => this.uow.transaction((m) => this.submitBudgeted(items, m)));

  /**
   * The task as it is submitted: written out, or filled from the template's
   * version (its name unless a title is given, its instructions, category,
   * default priority unless one is given, checklist, and the deadline its rule
   * gives in the organization's hours unless one is given), with the inputs checked.
   */
  private async contentOf(user: AuthUser, body: CreateTaskBody): Promise<TaskContent> {
    if (!body.templateId) {
      // The schema requires these without a template.
      return { title: body.title!, instructions: body.instructions!, category: body.category!, priority: body.priority ?? 'normal', deadline: body.deadline!, template: null };
    }
    const plan = await this.templates.plan(user, body.templateId, { versionId: body.versionId, inputs: body.inputs, priority: body.priority });
    const { version } = plan;
    return {
      title: body.title ?? version.name,
      instructions: version.instructions,
      category: version.category,
      priority: plan.priority,
      deadline: body.deadline ?? plan.deadline.toISOString(),
      template: { templateId: version.templateId, versionId: version.id, version: version.version, inputs: plan.inputs, checklist: version.checklist },
    };
  }

  /** Submissions commit together; a task whose category has no rate gets no row, and its caller undefined. */
  private readonly submissions = new GroupCommit<Submission, TaskWithNames | undefined>(async (subs) => {
    const rows = await this.uow.commit(() => this.tasks.submit(subs));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return subs.map((s) => byId.get(s.id));
  });

  /** The price a task would get now and, for a client, its organization's budget as it stands. */
  async quote(user: AuthUser, category: CreateTaskBody['category'] & string, priority: CreateTaskBody['priority'] & string): Promise<QuoteResponse> {
    const [price, standing] = await Promise.all([this.rates.quote(category, priority), this.budgets.standing(user.organizationId!)]);
    return { ...price, budget: standing.budget };
  }

  /** Submissions and claim-next calls handed in and not answered yet (a test waits for all it sent to be gathered). */
  pending(): { submissions: number; claims: number } {
    return { submissions: this.submissions.size + this.budgeted.size, claims: this.claims.size };
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
    const rows = await this.tasks.queued(user.skills, limit, user.id);
    return { items: rows.map((r) => toTaskView(r)), nextCursor: null };
  }

  /** Who may see a task: its organization, its assignee, assistants while it is queued in their skills (and qualifications: loadReadable), admins. */
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
    // Queued work of a category that requires a qualification is not on the assistant's board without it, nor here.
    if (user.role === 'assistant' && task.assigneeId !== user.id && (await this.qualifications.lacks(user.id, task.category))) throw new NotFoundException('task not found');
    return task;
  }

  /**
   * The task if the caller takes part in it: may read it (above) and, for an
   * assistant, holds it now; seeing it queued in one's skills is not taking part,
   * and whoever released it or was replaced no longer does. Otherwise 404.
   */
  async loadParticipating(user: AuthUser, id: string): Promise<TaskWithNames> {
    const task = await this.loadReadable(user, id);
    if (user.role === 'assistant' && task.assigneeId !== user.id) throw new NotFoundException('task not found');
    return task;
  }

  async get(user: AuthUser, id: string): Promise<TaskView> {
    const task = await this.loadReadable(user, id);
    const [events, steps, rating, calendar] = await Promise.all([
      this.events.forTask(id),
      task.checklistTotal > 0 ? this.steps.forTask(id) : Promise.resolve([]),
      task.status === 'accepted' ? this.ratings.forTask(id) : null,
      this.organizations.calendarOf(task.organizationId),
    ]);
    return { ...toTaskView(task, events, steps), organizationTimeZone: calendar.timeZone, rating: rating ? toRatingView(rating) : null };
  }

  /**
   * The assignee ticks (or unticks) a step while the task is in progress; the
   * tick, its history row and its event commit in one statement. A tick of a
   * step already in that state changes nothing and answers the checklist.
   */
  async tick(user: AuthUser, id: string, stepId: string, body: ChecklistTickBody): Promise<TaskChecklistView> {
    const task = await this.loadReadable(user, id);
    if (task.assigneeId !== user.id) throw new ForbiddenException('only the assistant working the task ticks its checklist');
    if (task.status !== 'in_progress') this.conflict(task, `steps are ticked while the task is in progress; it is ${task.status.replace('_', ' ')}`);
    const steps = await this.steps.forTask(id);
    if (!steps.some((s) => s.stepId === stepId)) throw new NotFoundException('checklist step not found');
    const outcome = await this.uow.commit(
      () => this.tasks.tickChecklist({ taskId: id, stepId, done: body.done, assigneeId: user.id, note: body.note ?? null }),
      (o) => o.changed,
    );
    if (!outcome.held) {
      const now = await this.tasks.byId(id);
      this.conflict(now ?? task, `the task changed to ${(now ?? task).status.replace('_', ' ')} before the step could be ticked`);
    }
    return toChecklistView(id, await this.steps.forTask(id));
  }

  /** 422 naming the required steps not ticked yet, when there are any. */
  private async requireChecklist(task: TaskWithNames): Promise<void> {
    if (task.checklistRequiredOpen <= 0) return;
    const missing = (await this.steps.forTask(task.id)).filter((s) => s.required && !s.doneAt).map((s) => ({ stepId: s.stepId, title: s.title }));
    if (!missing.length) return;
    throw new UnprocessableRule(`tick the required steps before returning the task: ${missing.map((s) => s.title).join('; ')}`, { missing });
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
    // The claim itself, with the capacity and qualification checks in the same statement.
    const claimed = this.checkClaim(await this.uow.commit(() => this.tasks.claim(claimInput(user.id, id), user.id), (o) => !!o?.row));
    if (!claimed) {
      // Refused for the qualification (read only now, so a claim that goes through costs no extra round trip)?
      await this.requireQualification(user, task);
      const now = await this.tasks.byId(id);
      this.conflict(now ?? task, 'another assistant claimed it first');
    }
    return toTaskView(claimed);
  }

  /** 422 naming the qualification, where the task's category requires one the assistant lacks. */
  private async requireQualification(user: AuthUser, task: TaskWithNames): Promise<void> {
    if (!(await this.qualifications.lacks(user.id, task.category))) return;
    throw new UnprocessableRule(`${CATEGORY_LABELS[task.category]} work requires the ${CATEGORY_LABELS[task.category]} qualification; take its qualification tasks first`, {
      code: QUALIFICATION_REQUIRED_CODE,
      qualification: task.category,
    });
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
    if (action === 'return') await this.requireChecklist(task);
    const next = await this.uow.commit(() => this.tasks.transition(spec), (moved) => moved !== null);
    if (!next) {
      const now = await this.tasks.byId(id);
      // A step unticked in between: the return's guard read it from the row.
      if (action === 'return' && now && now.status === task.status) await this.requireChecklist(now);
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
    if (!current || !isAwaitingReturn(current.status) || current.overdue) return null;
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
