import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ScheduleRunOutcome = 'created' | 'skipped' | 'refused';

/** One occurrence of a schedule that came due: the task it created, or why none. */
@Entity({ name: 'schedule_runs' })
export class ScheduleRun {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'schedule_id', type: 'uuid' })
  scheduleId: string;

  @Column({ name: 'scheduled_at', type: 'timestamptz' })
  scheduledAt: Date;

  @Column({ type: 'text' })
  outcome: ScheduleRunOutcome;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId: string | null;

  /** Why the submission was refused. */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** Earlier occurrences that fell due while nothing ran, folded into this one rather than each created. */
  @Column({ type: 'int' })
  missed: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
