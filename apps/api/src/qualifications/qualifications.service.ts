import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  type Category,
  type QualificationAttemptBody,
  type QualificationAttemptsQuery,
  type QualificationAttemptsView,
  type QualificationAttemptView,
  type QualificationReviewBody,
  type QualificationsView,
  type QualificationTaskBody,
  type QualificationTasksView,
  type QualificationTaskView,
  type QualificationView,
} from '@handoff/contracts';
import { AuditRepository } from '../audit/audit.repository.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict } from '../common/http/errors.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { UsersRepository } from '../users/users.repository.js';
import { AssistantQualificationsRepository } from './assistant-qualifications.repository.js';
import { QualificationAttemptsRepository } from './qualification-attempts.repository.js';
import { QualificationRequirementsRepository } from './qualification-requirements.repository.js';
import type { QualificationAttempt, QualificationTask } from './qualification.entity.js';
import { QualificationTasksRepository } from './qualification-tasks.repository.js';

function taskView(t: QualificationTask, withReference: boolean): QualificationTaskView {
  const view: QualificationTaskView = { id: t.id, category: t.category, instructions: t.instructions, rubric: t.rubric, createdAt: t.createdAt.toISOString() };
  if (withReference) view.referenceAnswer = t.referenceAnswer;
  return view;
}

function attemptView(a: QualificationAttempt): QualificationAttemptView {
  return {
    id: a.id,
    qualificationTaskId: a.qualificationTaskId,
    category: a.category,
    assistantId: a.assistantId,
    answer: a.answer,
    status: a.status,
    reviewerId: a.reviewerId,
    notes: a.notes,
    createdAt: a.createdAt.toISOString(),
    reviewedAt: a.reviewedAt ? a.reviewedAt.toISOString() : null,
  };
}

/**
 * Qualifications: an admin makes a category require one and sets its tasks;
 * an assistant answers one task at a time per category; an admin passes or
 * fails the answer, and a pass grants the qualification and the skill.
 * Claims, the board and the announce read the grants (qualifiedSql).
 */
@Injectable()
export class QualificationsService {
  constructor(
    private readonly requirements: QualificationRequirementsRepository,
    private readonly tasks: QualificationTasksRepository,
    private readonly attempts: QualificationAttemptsRepository,
    private readonly grants: AssistantQualificationsRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** Every category; for an assistant, what they hold and have waiting for review too. */
  async list(user: AuthUser): Promise<QualificationsView> {
    const mine = user.role === 'assistant';
    const [required, counts, held, open] = await Promise.all([
      this.requirements.all(),
      this.tasks.countsByCategory(),
      mine ? this.grants.of(user.id) : Promise.resolve([]),
      mine ? this.attempts.list({ assistantId: user.id, status: 'submitted' }) : Promise.resolve([]),
    ]);
    return { items: CATEGORIES.map((c) => this.view(c, required, counts, mine, held, open)) };
  }

  private view(category: Category, required: Category[], counts: Map<Category, number>, mine: boolean, held: { category: Category; grantedAt: Date }[], open: QualificationAttempt[]): QualificationView {
    const grant = held.find((h) => h.category === category);
    return {
      category,
      required: required.includes(category),
      tasks: counts.get(category) ?? 0,
      held: mine ? !!grant : null,
      grantedAt: grant ? grant.grantedAt.toISOString() : null,
      openAttemptId: open.find((a) => a.category === category)?.id ?? null,
    };
  }

  /** Requiring takes effect on the next claim and announce; tasks already claimed stay with their assistants. */
  async setRequirement(user: AuthUser, category: Category, required: boolean): Promise<QualificationView> {
    await this.uow.transaction(async (m) => {
      if (required) await this.requirements.require(category, user.id, m);
      else await this.requirements.drop(category, m);
      await this.audit.record(m, user, { action: 'qualification.requirement', targetType: 'qualification', targetId: category, details: { required } });
    });
    const [all, counts] = await Promise.all([this.requirements.all(), this.tasks.countsByCategory()]);
    return this.view(category, all, counts, false, [], []);
  }

  async createTask(user: AuthUser, body: QualificationTaskBody): Promise<QualificationTaskView> {
    const row = await this.tasks.create({
      category: body.category,
      instructions: body.instructions,
      referenceAnswer: body.referenceAnswer ?? null,
      rubric: body.rubric ?? null,
      createdBy: user.id,
    });
    return taskView(row, true);
  }

  /** Admins read the reference answers; assistants only what they answer to. */
  async listTasks(user: AuthUser, category: Category | undefined): Promise<QualificationTasksView> {
    const rows = await this.tasks.list(category);
    return { items: rows.map((t) => taskView(t, user.role === 'admin')) };
  }

  /** One attempt per category waiting for review at a time; none once the qualification is held. */
  async submitAttempt(user: AuthUser, body: QualificationAttemptBody): Promise<QualificationAttemptView> {
    const task = await this.tasks.byId(body.qualificationTaskId);
    if (!task) throw new NotFoundException('qualification task not found');
    const label = CATEGORY_LABELS[task.category];
    if ((await this.grants.of(user.id)).some((g) => g.category === task.category)) {
      throw new StateConflict(`you already hold the ${label} qualification`, 'passed', { qualification: task.category });
    }
    const row = await this.attempts.submit({ qualificationTaskId: task.id, category: task.category, assistantId: user.id, answer: body.answer });
    if (!row) throw new StateConflict(`your attempt at the ${label} qualification is waiting for review; one at a time`, 'submitted', { qualification: task.category });
    return attemptView(row);
  }

  async listAttempts(user: AuthUser, q: QualificationAttemptsQuery): Promise<QualificationAttemptsView> {
    const rows = await this.attempts.list({ assistantId: user.role === 'admin' ? undefined : user.id, status: q.status, category: q.category });
    return { items: rows.map(attemptView) };
  }

  /** An assistant reads their own attempts; anyone else's does not exist to them. */
  async getAttempt(user: AuthUser, id: string): Promise<QualificationAttemptView> {
    const row = await this.attempts.byId(id);
    if (!row || (user.role !== 'admin' && row.assistantId !== user.id)) throw new NotFoundException('qualification attempt not found');
    return attemptView(row);
  }

  /**
   * Pass or fail, once: the review and, on a pass, the grant and the skill
   * commit together. Two reviews at once: the row lock lets one through and
   * the other finds the attempt reviewed (409 with its outcome).
   */
  async review(user: AuthUser, id: string, body: QualificationReviewBody): Promise<QualificationAttemptView> {
    if (user.role !== 'admin') throw new ForbiddenException('only admins review qualification attempts');
    const reviewed = await this.uow.transaction(async (m) => {
      const row = await this.attempts.review({ id, outcome: body.outcome, reviewerId: user.id, notes: body.notes ? body.notes : null }, m);
      if (!row) return null;
      if (row.status === 'passed') {
        await this.grants.grant({ assistantId: row.assistantId, category: row.category, attemptId: row.id, grantedBy: user.id }, m);
        await this.users.addSkill(row.assistantId, row.category, m);
      }
      await this.audit.record(m, user, {
        action: 'qualification.review',
        targetType: 'qualification_attempt',
        targetId: row.id,
        details: { outcome: row.status, assistantId: row.assistantId, category: row.category },
      });
      return row;
    });
    if (reviewed) return attemptView(reviewed);
    const now = await this.attempts.byId(id);
    if (!now) throw new NotFoundException('qualification attempt not found');
    throw new StateConflict(`the attempt was already ${now.status}`, now.status);
  }
}
