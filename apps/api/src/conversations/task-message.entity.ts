import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One message of a task's conversation; a deleted one stays as a tombstone without its body. */
@Entity({ name: 'task_messages' })
export class TaskMessage {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId: string;

  /** 1, 2, 3… per task, in commit order (taken under the task's conversation lock). */
  @Column({ type: 'int' })
  seq: number;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId: string;

  @Column({ name: 'author_role', type: 'text' })
  authorRole: string;

  /** Markdown exactly as sent; null once deleted. */
  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  mentions: string[];

  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

export type TaskMessageWithAuthor = TaskMessage & { authorName: string | null; cursorAt?: string };
