import { CATEGORIES, PRIORITIES, TASK_STATUSES, type Category, type InputValues, type Priority, type TaskStatus } from '@handoff/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'tasks' })
export class Task {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text' })
  instructions: string;

  @Column({ type: 'enum', enum: CATEGORIES, enumName: 'task_category' })
  category: Category;

  @Column({ type: 'enum', enum: PRIORITIES, enumName: 'task_priority' })
  priority: Priority;

  @Column({ type: 'timestamptz' })
  deadline: Date;

  @Column({ name: 'price_cents', type: 'int' })
  priceCents: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'enum', enum: TASK_STATUSES, enumName: 'task_status', default: 'queued' })
  status: TaskStatus;

  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId: string | null;

  @Column({ type: 'text', nullable: true })
  result: string | null;

  @Column({ type: 'text', nullable: true })
  feedback: string | null;

  /** Fixed at the first return and never recomputed. */
  @Column({ name: 'on_time', type: 'boolean', nullable: true })
  onTime: boolean | null;

  @Column({ type: 'boolean', default: false })
  overdue: boolean;

  @Column({ type: 'boolean', default: false })
  escalated: boolean;

  /** Bumped by every move; live events and timers name the version they are about. */
  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** The returned version whose review reminder went out (read and set by the reminder alone, not in views). */
  @Column({ name: 'review_reminded_version', type: 'int', nullable: true, select: false })
  reviewRemindedVersion?: number | null;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'returned_at', type: 'timestamptz', nullable: true })
  returnedAt: Date | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  /** The template and the version the task was made from; null for a task written out. */
  @Column({ name: 'template_id', type: 'uuid', nullable: true })
  templateId: string | null;

  @Column({ name: 'template_version_id', type: 'uuid', nullable: true })
  templateVersionId: string | null;

  @Column({ name: 'template_version', type: 'int', nullable: true })
  templateVersion: number | null;

  @Column({ type: 'jsonb', nullable: true })
  inputs: InputValues | null;

  /** The checklist's counts, kept by the statement of each tick (TasksRepository.tickChecklist). */
  @Column({ name: 'checklist_total', type: 'int', default: 0 })
  checklistTotal: number;

  @Column({ name: 'checklist_done', type: 'int', default: 0 })
  checklistDone: number;

  /** Required steps not ticked yet: a return waits for 0. */
  @Column({ name: 'checklist_required_open', type: 'int', default: 0 })
  checklistRequiredOpen: number;
}

/** A task as every read returns it: the row and the names the dashboard shows. */
export type TaskWithNames = Task & { assigneeName?: string | null; organizationName?: string | null };
