import { CATEGORIES, PRIORITIES, type Category, type ChecklistStep, type DeadlineRule, type InputField, type Priority } from '@handoff/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One immutable version of a template: the SOP exactly as a task pinned to it was priced and submitted. */
@Entity({ name: 'template_versions' })
export class TemplateVersion {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'template_id', type: 'uuid' })
  templateId: string;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'enum', enumName: 'task_category', enum: CATEGORIES })
  category: Category;

  @Column({ name: 'default_priority', type: 'enum', enumName: 'task_priority', enum: PRIORITIES })
  defaultPriority: Priority;

  /** Markdown source, as the author wrote it. */
  @Column({ type: 'text' })
  instructions: string;

  @Column({ type: 'jsonb' })
  checklist: ChecklistStep[];

  @Column({ type: 'jsonb' })
  inputs: InputField[];

  @Column({ name: 'deadline_rule', type: 'jsonb' })
  deadlineRule: DeadlineRule;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
