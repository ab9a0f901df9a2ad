import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A step of a task's checklist: a copy of the pinned version's step, and its tick. */
@Entity({ name: 'task_checklist_steps' })
export class TaskChecklistStep {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId: string;

  /** The template step's id, kept across versions. */
  @PrimaryColumn({ name: 'step_id', type: 'uuid' })
  stepId: string;

  @Column({ type: 'int' })
  position: number;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  detail: string | null;

  @Column({ type: 'boolean' })
  required: boolean;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt: Date | null;

  @Column({ name: 'done_by', type: 'uuid', nullable: true })
  doneBy: string | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;
}
