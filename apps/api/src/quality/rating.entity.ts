import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A client's rating of accepted work: one per task, editable for a while after the acceptance. */
@Entity({ name: 'ratings' })
export class Rating {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** Who did the work: the task's assignee when it was accepted. */
  @Column({ name: 'assistant_id', type: 'uuid' })
  assistantId: string;

  @Column({ type: 'smallint' })
  stars: number;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ name: 'rated_by', type: 'uuid' })
  ratedBy: string;

  /** 1 when given, bumped by each edit. */
  @Column({ type: 'int', default: 1 })
  revision: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
