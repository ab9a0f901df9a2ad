import { TASK_STATUSES, type TaskStatus } from '@handoff/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The audit trail of a task: one row per move, written in the move's statement. */
@Entity({ name: 'task_events' })
export class TaskEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'from_status', type: 'enum', enum: TASK_STATUSES, enumName: 'task_status', nullable: true })
  fromStatus: TaskStatus | null;

  @Column({ name: 'to_status', type: 'enum', enum: TASK_STATUSES, enumName: 'task_status' })
  toStatus: TaskStatus;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_role', type: 'text' })
  actorRole: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
