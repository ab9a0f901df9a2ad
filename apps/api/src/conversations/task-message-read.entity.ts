import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How far a user has seen a task's conversation: every message up to `seenSeq`. */
@Entity({ name: 'task_message_reads' })
export class TaskMessageRead {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId: string;

  @Column({ name: 'seen_seq', type: 'int' })
  seenSeq: number;

  @Column({ name: 'seen_at', type: 'timestamptz' })
  seenAt: Date;
}
