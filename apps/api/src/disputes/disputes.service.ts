import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import {
  DISPUTE_OUTCOME_ACTIONS,
  planTransition,
  TASK_TRANSITIONS,
  type AnswerDisputeBody,
  type DisputeView,
  type ListDisputesQuery,
  type OpenDisputeBody,
  type Page,
  type ResolveDisputeBody,
} from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict } from '../common/http/errors.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { BillingService } from '../billing/billing.service.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import type { Move } from '../tasks/moves.js';
import type { TaskWithNames } from '../tasks/task.entity.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import type { DisputeWithTitle } from './dispute.entity.js';
import { DisputesRepository, toDisputeView } from './disputes.repository.js';

/** PostgreSQL's unique_violation: the task already has an open dispute. */
const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === '23505';

/**
 * Disputes (docs/ARCHITECTURE.md#disputes). Each step is one transaction that
 * holds the task's move (its history row and `task.transitioned`), the
 * dispute's row and its event, and for a refund the ledger entry and for a
 * resolution the audit record: they commit together or not at all.
 */
@Injectable()
export class DisputesService {
  constructor(
    private readonly disputes: DisputesRepository,
    private readonly tasks: TasksRepository,
    private readonly billing: BillingService,
    private readonly audit: AuditRepository,
    private readonly uow: UnitOfWork,
  ) {}

  private conflict(task: Pick<TaskWithNames, 'status' | 'version'>, message: string): never {
    throw new StateConflict(message, task.status, { version: task.version });
  }

  /** The client disputes returned work of its organization, in the review window (while it is `returned`); the review timer stops. */
  async open(user: AuthUser, taskId: string, body: OpenDisputeBody): Promise<DisputeView> {
    const task = await this.tasks.byId(taskId);
    if (!task || task.organizationId !== user.organizationId) throw new NotFoundException('task not found');
    const plan = planTransition('dispute', { role: user.role, userId: user.id, organizationId: user.organizationId }, task);
    if (!plan.ok) {
      if (plan.reason === 'forbidden') throw new ForbiddenException(plan.message);
      this.conflict(task, `${plan.message}; a dispute is opened instead of accepting or revising returned work`);
    }
    try {
      const dispute = await this.uow.transaction(async (m) => {
        const moved = await this.tasks.transition(
          { taskId, move: { action: 'dispute' }, from: 'returned', to: 'disputed', actor: { id: user.id, role: user.role }, note: body.reason, previousAssigneeId: task.assigneeId },
          m,
        );
        if (!moved) {
          const now = (await this.tasks.byId(taskId, m)) ?? task;
          this.conflict(now, `the task changed to ${now.status.replace('_', ' ')} before the dispute could be opened`);
        }
        return this.disputes.open(m, { taskId, organizationId: task.organizationId, assigneeId: task.assigneeId!, openedBy: user.id, reason: body.reason });
      });
      return toDisputeView(dispute);
    } catch (e) {
      // The task's row lock makes a second opener see it moved; the index is the backstop.
      if (isUniqueViolation(e)) throw new StateConflict('the task already has an open dispute', 'disputed');
      throw e;
    }
  }

  /** Its organization, the assistant it disputes, admins; anyone else 404. */
  private readable(user: AuthUser, d: DisputeWithTitle | null): d is DisputeWithTitle {
    if (!d) return false;
    if (user.role === 'admin') return true;
    if (user.role === 'client') return d.organizationId === user.organizationId;
    return d.assigneeId === user.id;
  }

  async get(user: AuthUser, id: string): Promise<DisputeView> {
    const d = await this.disputes.byId(id);
    if (!this.readable(user, d)) throw new NotFoundException('dispute not found');
    return toDisputeView(d);
  }

  /** A task's disputes, newest first, for whoever takes part in it. */
  async forTask(user: AuthUser, taskId: string): Promise<DisputeView[]> {
    const task = await this.tasks.byId(taskId);
    const mine = task && (user.role === 'admin' || (user.role === 'client' ? task.organizationId === user.organizationId : false));
    const all = task ? await this.disputes.forTask(taskId) : [];
    // An assistant sees the disputes of work they returned, even once it was reassigned away from them.
    const visible = mine ? all : all.filter((d) => d.assigneeId === user.id);
    if (!task || (!mine && !visible.length && task.assigneeId !== user.id)) throw new NotFoundException('task not found');
    return visible.map(toDisputeView);
  }

  async list(q: ListDisputesQuery): Promise<Page<DisputeView>> {
    const rows = await this.disputes.page(q.status, decodeCursor(q.cursor), q.limit);
    return toPage(rows, q.limit, toDisputeView, (r) => ({ at: r.cursorAt, id: r.id }));
  }

  /** The assistant who returned the work answers, once, while the dispute is open. */
  async answer(user: AuthUser, id: string, body: AnswerDisputeBody): Promise<DisputeView> {
    const d = await this.disputes.byId(id);
    if (!d || d.assigneeId !== user.id) throw new NotFoundException('dispute not found');
    if (d.status !== 'open') throw new StateConflict('the dispute is already resolved', d.status);
    if (d.answer !== null) throw new StateConflict('the dispute is already answered', d.status);
    const answered = await this.uow.commit(() => this.disputes.answer(id, user.id, body.answer), (r) => r !== null);
    if (!answered) throw new StateConflict('the dispute was resolved or answered before this answer', (await this.disputes.byId(id))?.status ?? 'open');
    return toDisputeView(answered);
  }

  /**
   * An admin's decision, once: of two admins at once, the second waits on the
   * dispute's lock and then finds it resolved (409), so there is one move and
   * at most one refund. The ledger keeps its rules:
   * - rework: back to the assignee in progress (a revision with the admin's note as its feedback); no money moves.
   * - refund: the task is closed as accepted, with a refund of `amountCents` (partial, or all that is left
   *   of its bill) whose reason names the dispute; BillingService's rule and the ledger's trigger keep the bill ≥ 0,
   *   so a task never charged (a late return) cannot be refunded (422). The payout stands.
   * - reassign: back to the queue with no assignee, for another assistant. The first return's charge and payout
   *   stand, and the next return writes neither again (one of each per task): the client is not billed twice.
   */
  async resolve(admin: AuthUser, id: string, body: ResolveDisputeBody): Promise<DisputeView> {
    const found = await this.disputes.byId(id);
    if (!found) throw new NotFoundException('dispute not found');
    const action = DISPUTE_OUTCOME_ACTIONS[body.outcome];
    const resolved = await this.uow.transaction(async (m) => {
      const d = await this.disputes.lockOpen(m, id);
      if (!d) throw new StateConflict('the dispute is already resolved', 'resolved');
      const move: Move = action === 'resolve_rework' ? { action, feedback: body.note } : { action };
      const moved = await this.tasks.transition(
        { taskId: d.taskId, move, from: 'disputed', to: TASK_TRANSITIONS[action].to, actor: { id: admin.id, role: admin.role }, note: body.note, previousAssigneeId: d.assigneeId },
        m,
      );
      if (!moved) throw new ConflictException('the disputed task is no longer disputed');
      const entry =
        body.outcome === 'refund'
          ? await this.billing.adjust(admin, { taskId: d.taskId, kind: 'refund', amountCents: body.amountCents!, reason: `dispute ${d.id}: ${body.note}` }, m)
          : null;
      const done = await this.disputes.resolve(m, id, {
        outcome: body.outcome,
        amountCents: entry ? body.amountCents! : null,
        note: body.note,
        resolvedBy: admin.id,
        ledgerEntryId: entry?.id ?? null,
      });
      if (!done) throw new StateConflict('the dispute is already resolved', 'resolved');
      await this.audit.record(m, admin, {
        action: 'dispute.resolve',
        targetType: 'dispute',
        targetId: id,
        details: { taskId: d.taskId, outcome: body.outcome, amountCents: done.amountCents, ledgerEntryId: done.ledgerEntryId, note: body.note },
      });
      return done;
    });
    return toDisputeView(resolved);
  }
}
