import type { AttemptStatus, Category } from '@handoff/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A category whose work only assistants holding its qualification may claim or hear of. */
@Entity({ name: 'qualification_requirements' })
export class QualificationRequirement {
  @PrimaryColumn({ type: 'text' })
  category: Category;

  @Column({ name: 'set_by', type: 'uuid', nullable: true })
  setBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** What an admin asks of an assistant who wants a category's qualification, and how it is judged. */
@Entity({ name: 'qualification_tasks' })
export class QualificationTask {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  category: Category;

  @Column({ type: 'text' })
  instructions: string;

  /** Shown to reviewers only. */
  @Column({ name: 'reference_answer', type: 'text', nullable: true })
  referenceAnswer: string | null;

  @Column({ type: 'text', nullable: true })
  rubric: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** An assistant's answer to a qualification task, and its review. */
@Entity({ name: 'qualification_attempts' })
export class QualificationAttempt {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'qualification_task_id', type: 'uuid' })
  qualificationTaskId: string;

  @Column({ type: 'text' })
  category: Category;

  @Column({ name: 'assistant_id', type: 'uuid' })
  assistantId: string;

  @Column({ type: 'text' })
  answer: string;

  @Column({ type: 'text' })
  status: AttemptStatus;

  @Column({ name: 'reviewer_id', type: 'uuid', nullable: true })
  reviewerId: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;
}

/** A qualification an assistant holds: granted by passing an attempt. */
@Entity({ name: 'assistant_qualifications' })
export class AssistantQualification {
  @PrimaryColumn({ name: 'assistant_id', type: 'uuid' })
  assistantId: string;

  @PrimaryColumn({ type: 'text' })
  category: Category;

  @Column({ name: 'attempt_id', type: 'uuid', nullable: true })
  attemptId: string | null;

  @Column({ name: 'granted_by', type: 'uuid', nullable: true })
  grantedBy: string | null;

  @Column({ name: 'granted_at', type: 'timestamptz' })
  grantedAt: Date;
}
