import { CATEGORIES, PRIORITIES, type Category, type DeadlineRule, type Priority } from '@handoff/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A template's head: who owns it, whether it is archived, and its current version's summary for lists. */
@Entity({ name: 'templates' })
export class Template {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** null: a starter template, shared with every organization. */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'enum', enumName: 'task_category', enum: CATEGORIES })
  category: Category;

  @Column({ name: 'default_priority', type: 'enum', enumName: 'task_priority', enum: PRIORITIES })
  defaultPriority: Priority;

  @Column({ type: 'int' })
  version: number;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId: string;

  @Column({ name: 'step_count', type: 'int' })
  stepCount: number;

  @Column({ name: 'input_count', type: 'int' })
  inputCount: number;

  @Column({ name: 'deadline_rule', type: 'jsonb' })
  deadlineRule: DeadlineRule;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;

  /** Its own monthly budget in cents, within the organization's; null: none. */
  @Column({ name: 'monthly_budget_cents', type: 'int', nullable: true })
  monthlyBudgetCents: number | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
